/** `--load N` (bench/load.ts): N processes that spin until stopped, and nothing left behind. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startLoad } from '../../bench/load.js';

const t = suite('bench/load');

t('starts N spinning processes and stops every one', async () => {
  const load = await startLoad(2);
  assert.is(load.processes.length, 2);
  await new Promise((r) => setTimeout(r, 300));
  for (const p of load.processes) assert.is(p.exitCode, null, 'still spinning');
  await load.stop();
  for (const p of load.processes) assert.ok(p.signalCode === 'SIGKILL' || p.exitCode !== null, 'stopped');
});

t('no load is no process; a bad count is an error', async () => {
  const none = await startLoad(0);
  assert.is(none.processes.length, 0);
  await none.stop();
  try { await startLoad(1.5); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /whole number/); }
});

t.run();
