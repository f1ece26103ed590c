import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseSoftwareThreads, planSoftwareThreads, HEAVY_DISPATCH_FLOPS, MAX_SOFTWARE_THREADS } from '../../src/gpu/threads.js';
import { planThreadsForCheckpoint } from '../../src/cli/eval-common.js';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { presets, typicalDispatchFlops } from '../../src/i2md/config.js';
import { UserError } from '../../src/util/errors.js';
import { initEngine } from '../../src/tensor/index.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';

const t = suite('gpu/threads');
const env = (vars: Record<string, string>) => (name: string) => vars[name];

t('precedence: LP_NUM_THREADS, then I2MD_SOFTWARE_THREADS, then the job, then the driver', () => {
  const heavy = 10 * HEAVY_DISPATCH_FLOPS;
  assert.equal(chooseSoftwareThreads(env({ LP_NUM_THREADS: '3', I2MD_SOFTWARE_THREADS: '5' }), 2, heavy).threads, 3);
  assert.equal(chooseSoftwareThreads(env({ I2MD_SOFTWARE_THREADS: '5' }), 2, heavy).threads, 5);
  assert.equal(chooseSoftwareThreads(env({}), 2, heavy).threads, 16, 'eight per core');
  assert.equal(chooseSoftwareThreads(env({}), 2, HEAVY_DISPATCH_FLOPS - 1).threads, undefined, 'small dispatches: the driver default');
  assert.equal(chooseSoftwareThreads(env({}), 2, undefined).threads, undefined, 'no job declared');
  assert.equal(chooseSoftwareThreads(env({}), 8, heavy).threads, MAX_SOFTWARE_THREADS, 'capped at Mesa\'s limit');
  assert.match(chooseSoftwareThreads(env({}), 2, heavy).source, /auto/);
  assert.equal(chooseSoftwareThreads(env({ LP_NUM_THREADS: 'many' }), 2, heavy).threads, undefined, 'a value Mesa parses itself is reported, not guessed');
});

t('a bad --software-threads is a user error naming the range', () => {
  for (const bad of ['0', '-1', '2.5', 'NaN', '33']) {
    try { chooseSoftwareThreads(env({ I2MD_SOFTWARE_THREADS: bad }), 2); assert.unreachable(bad); } catch (e) {
      assert.instance(e, UserError, bad);
      assert.match((e as Error).message, /1 to 32/);
    }
  }
});

t('the presets: paper sizes are heavy, the CPU-sized ones are not', () => {
  for (const name of ['stgcn-paper', 'cmd-paper', 'paper'] as const) assert.ok(typicalDispatchFlops(presets[name]) >= HEAVY_DISPATCH_FLOPS, name);
  for (const name of ['demo', 'cpu', 'cpu-gru'] as const) assert.ok(typicalDispatchFlops(presets[name]) < HEAVY_DISPATCH_FLOPS / 4, name);
});

t('evaluation commands plan from a run folder\'s recorded config; anything else keeps the default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-threads-'));
  try {
    const run = (config: object) => { writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify({ step: 1, config })); return dir; };
    planThreadsForCheckpoint(run(presets['stgcn-paper']));
    assert.equal(chooseSoftwareThreads(env({}), 2).threads, 16, 'a paper-size run');
    planThreadsForCheckpoint(join(dir, 'checkpoint.json'));
    assert.equal(chooseSoftwareThreads(env({}), 2).threads, 16, 'its checkpoint.json names the run too');
    planThreadsForCheckpoint(run(presets.demo));
    assert.equal(chooseSoftwareThreads(env({}), 2).threads, undefined, 'a demo-sized run');
    planSoftwareThreads(undefined);
    writeFileSync(join(dir, 'checkpoint.json'), 'not json');
    planThreadsForCheckpoint(dir);
    planThreadsForCheckpoint(join(dir, 'missing'));
    planThreadsForCheckpoint(undefined);
    assert.equal(chooseSoftwareThreads(env({}), 2).threads, undefined, 'unreadable or missing: the default, and no error here');
  } finally {
    planSoftwareThreads(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

t('a software adapter reports its threads and their source', async () => {
  const g = await initEngine();
  if (!g.summary.software) return;
  assert.ok(g.summary.softwareThreads, 'the summary carries the choice');
  assert.type(g.summary.softwareThreads!.source, 'string');
  if (g.summary.softwareThreads!.threads) assert.match(g.name, new RegExp(`${g.summary.softwareThreads!.threads} threads`));
});

t('--software-threads on the command line: info names the count and its source; a bad one is one line, before any work', () => {
  const env = { ...process.env };
  delete env.LP_NUM_THREADS; delete env.I2MD_SOFTWARE_THREADS;
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(projectRoot, 'dist', 'src', 'train.js'), ...args], { encoding: 'utf8', env });
  const bad = cli('info', '--software-threads', '0');
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^error: --software-threads \/ I2MD_SOFTWARE_THREADS '0': expected a whole number from 1 to 32\n$/m);
  assert.not.match(bad.stderr, /Warning|at /, 'no adapter started, no stack');
  const good = cli('info', '--software-threads', '3');
  assert.is(good.status, 0, good.stderr);
  if (/software adapter\s+yes/.test(good.stdout)) assert.match(good.stdout, /threads per dispatch\s+3 \(I2MD_SOFTWARE_THREADS/);
});

t.run();
