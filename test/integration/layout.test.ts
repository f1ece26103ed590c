/**
 * The placement rules of CONTRIBUTING.md that a machine can check: tests mirror src/ one to one
 * (test/X/Y.test.ts tests src/X/Y.ts; test/bench and test/docs mirror bench/ and docs/; only
 * test/integration spans files), and references live next to their ops, not in tests.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';

const t = suite('integration/layout');

function files(dir: string, ext: string): string[] {
  return readdirSync(join(projectRoot, dir)).sort().flatMap((name) => {
    const p = `${dir}/${name}`;
    return statSync(join(projectRoot, p)).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

t('every test file mirrors the file it tests: test/X/Y.test.ts ↔ src/X/Y.ts (bench/Y.ts, docs/Y.md); test/integration spans files', () => {
  const tests = files('test', '.test.ts');
  assert.ok(tests.length > 50, `${tests.length} test files`);
  const orphans = tests.filter((f) => {
    const p = f.replace(/^test\//, '').replace(/\.test\.ts$/, '');
    if (p.startsWith('integration/')) return false;
    return ![`src/${p}.ts`, `${p}.ts`, `${p}.md`].some((m) => (p.startsWith('bench/') || p.startsWith('docs/') ? !m.startsWith('src/') : m.startsWith('src/')) && existsSync(join(projectRoot, m)));
  });
  assert.equal(orphans, [], 'test files without the src/ (bench/, docs/) file they mirror');
});

t('references live next to their ops: none defined in a test file, reference.ts only inside an op family folder', () => {
  const defines = /^\s*(export\s+)?(function\s+\w+Ref\s*\(|const\s+\w+Ref\s*=\s*(\([^)]*\)|\w+)\s*=>)/m;
  const inTests = files('test', '.ts').filter((f) => defines.test(readFileSync(join(projectRoot, f), 'utf8')));
  assert.equal(inTests, [], 'test files that define a reference');
  const stray = files('src', '.ts').filter((f) => f.endsWith('/reference.ts') && !/^src\/ops\/\w+\/reference\.ts$/.test(f));
  assert.equal(stray, [], 'reference.ts files outside an op family folder');
});

t.run();
