// `node dist/train.js` is the documented entry; tsc puts the compiled CLI at dist/src/train.js.
import { writeFileSync, chmodSync } from 'node:fs';
writeFileSync('dist/train.js', "#!/usr/bin/env node\nimport './src/train.js';\n");
chmodSync('dist/train.js', 0o755);
