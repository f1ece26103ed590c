/** bench/torch.ts: our step against scripts/torch/stgcn_step.py, each in its own process. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, torchArgs } from '../../bench/torch.js';
import { presets } from '../../src/i2md/config.js';
import { hasTorch, torchSkipNote } from '../helpers/torch.js';

const t = suite('bench/torch');

t('the PyTorch step gets the preset\'s sizes', () => {
  const args = torchArgs(presets['stgcn-paper']);
  const value = (flag: string) => args[args.indexOf(flag) + 1];
  assert.is(value('--batch'), '64');
  assert.is(value('--frames'), '64');
  assert.is(value('--hidden'), '16');
  assert.is(value('--hidden-dim'), '256');
  assert.is(value('--head-dim'), '128');
  assert.is(value('--queue'), '16384');
  assert.is(value('--topk'), '8192');
});

t('a GRU preset is refused with the script that compares it', async () => {
  try { await run({ preset: 'cmd-paper', log: () => {} }); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, /gru_bench\.py/);
  }
});

t('a tiny step on both sides: speeds, peak memory and their ratios', async () => {
  if (!hasTorch) { console.log(torchSkipNote); return; }
  const lines: string[] = [];
  const records = await run({ preset: 'demo', set: { batchSize: 4, frames: 16, queueSize: 64, topk: 16 }, rounds: 1, reps: 1, threads: 1, log: (l) => lines.push(l) });
  assert.is(records.length, 3);
  const [ours, theirs, ratio] = records as Record<string, number>[];
  for (const r of [ours, theirs]) {
    assert.ok(r.samplesPerS > 0 && Number.isFinite(r.samplesPerS), 'samples/s');
    assert.ok(r.peakRssBytes > 50e6, 'a process\'s peak RSS');
    assert.ok(Number.isFinite(r.loss), 'finite loss');
  }
  assert.ok(Math.abs(ratio.speedRatio - ours.samplesPerS / theirs.samplesPerS) < 1e-12);
  assert.ok(Math.abs(ratio.peakRssRatio - ours.peakRssBytes / theirs.peakRssBytes) < 1e-12);
  assert.ok(lines.some((l) => /ours \/ PyTorch: speed/.test(l)), 'the summary line');
});

t.run();
