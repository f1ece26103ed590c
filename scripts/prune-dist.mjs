// Before an incremental build: remove compiled files whose TypeScript source is gone (a moved or
// deleted test would otherwise still run from dist/), so `tsc --incremental` can keep the rest.
import { readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const dist = 'dist';
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { walk(p); continue; }
    const m = /^(.*)\.js(\.map)?$/.exec(relative(dist, p));
    if (m && !existsSync(`${m[1]}.ts`)) rmSync(p);
  }
}
for (const top of ['src', 'test', 'bench']) if (existsSync(join(dist, top))) walk(join(dist, top));
