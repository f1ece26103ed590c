/**
 * The library entry (src/index.ts) starts nothing on import. Checked in a child Node process,
 * because in this one other test files have long since imported the modules and created the
 * device: the child counts adapter requests made while importing, prints the exports, and must
 * then exit by itself — a Dawn instance (an adapter asked for) would keep it alive, a started job
 * would print or write.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from './helpers/shared-data.js';

const t = suite('index');

const dist = join(projectRoot, 'dist', 'src');
const child = `
const { host } = await import(${JSON.stringify(pathToFileURL(join(dist, 'gpu', 'host.js')).href)});
let asked = 0;
const find = host.findAdapter;
host.findAdapter = (...a) => { asked++; return find(...a); };
const m = await import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)});
await new Promise((r) => setTimeout(r, 200));
console.log(JSON.stringify({ asked, exports: Object.keys(m).sort() }));
`;

t('importing the library entry requests no adapter, prints nothing else and lets the process exit', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { cwd: projectRoot, encoding: 'utf8', timeout: 20_000 });
  assert.is(r.error, undefined, `the child did not exit by itself: ${r.error?.message}`);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '', 'nothing on stderr');
  const lines = r.stdout.trim().split('\n');
  assert.is(lines.length, 1, `only the child's own line on stdout, got: ${r.stdout}`);
  const out = JSON.parse(lines[0]) as { asked: number; exports: string[] };
  assert.is(out.asked, 0, 'adapter requests during import');
  for (const name of ['initEngine', 'Tensor', 'createEncoder', 'I2MDModel', 'pretrainStep', 'generateSynthetic', 'knnEvaluate', 'encodeSafetensors']) {
    assert.ok(out.exports.includes(name), `exports ${name}`);
  }
});

t.run();
