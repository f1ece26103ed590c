/**
 * The pre-training loop on a tiny configuration (2-block encoders, 8 frames, a small queue):
 * exact resume and the NaN stop. The step itself (the assembled loss, the queues) is in step.test.ts.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from '../helpers/check.js';
import { tiny } from '../helpers/i2md.js';
import type { PretrainConfig } from '../../src/i2md/config.js';
import { pretrain, NonFiniteLoss, augmentOf } from '../../src/i2md/pretrain.js';
import { Loader } from '../../src/data/loader.js';
import { readTrainState } from '../../src/i2md/checkpoint.js';
import { loadSafetensors } from '../../src/data/safetensors.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { ArrayDataset } from '../../src/data/dataset.js';

const t = suite('i2md/pretrain');
t.before(async () => { await engine(); });

function tinyData(): ArrayDataset { return generateSynthetic({ seed: 3, size: 24, T: 16 }).dataset; }

t('resume: 6 steps straight equal 3 steps, stop, resume, 3 steps — losses and weights', async () => {
  const data = tinyData();
  const cfg: PretrainConfig = { ...tiny, dropout: 0.2 };
  const dirA = mkdtempSync(join(tmpdir(), 'i2md-a-')), dirB = mkdtempSync(join(tmpdir(), 'i2md-b-'));
  try {
    const a = await pretrain(data, cfg, { runDir: dirA, logEvery: 1, maxSteps: 6, quiet: true });
    a.model.dispose();
    const b1 = await pretrain(data, cfg, { runDir: dirB, logEvery: 1, maxSteps: 3, quiet: true });
    b1.model.dispose();
    // a kill after step 4 was logged but before it was checkpointed: the row goes, the step logs again
    appendFileSync(join(dirB, 'metrics.jsonl'), '{"step":4,"total":1}\n{"step":5,"to');
    const b2 = await pretrain(data, cfg, { runDir: dirB, logEvery: 1, maxSteps: 6, quiet: true, resume: true });
    b2.model.dispose();
    assert.is(a.state.step, 6); assert.is(b2.state.step, 6);
    const la = a.losses.map((l) => l.terms.total), lb = [...b1.losses, ...b2.losses].map((l) => l.terms.total);
    assert.equal(lb, la);
    const logged = readFileSync(join(dirB, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).step);
    assert.equal(logged, [1, 2, 3, 4, 5, 6], 'metrics.jsonl after the resume');
    const wa = loadSafetensors(join(dirA, 'checkpoint.safetensors')).tensors, wb = loadSafetensors(join(dirB, 'checkpoint.safetensors')).tensors;
    assert.equal(Object.keys(wb).sort(), Object.keys(wa).sort());
    for (const name of Object.keys(wa)) assert.ok(Buffer.from((wa[name].data as Float32Array).buffer).equals(Buffer.from((wb[name].data as Float32Array).buffer)), `${name} differs`);
  } finally { rmSync(dirA, { recursive: true, force: true }); rmSync(dirB, { recursive: true, force: true }); }
});

t('a loss that turns NaN/Inf stops the run naming the term and the step; the last good checkpoint stays', async () => {
  // a learning rate of 1e30 blows the weights up after the first update
  const data = tinyData();
  const dir = mkdtempSync(join(tmpdir(), 'i2md-nan-'));
  try {
    const ok = await pretrain(data, tiny, { runDir: dir, logEvery: 1, maxSteps: 1, quiet: true });
    ok.model.dispose();
    const saved = loadSafetensors(join(dir, 'checkpoint.safetensors')).metadata.step;
    try {
      await pretrain(data, { ...tiny, lr: 1e30 }, { runDir: dir, logEvery: 1, maxSteps: 6, quiet: true, resume: true });
      assert.unreachable('expected a stop');
    } catch (e) {
      assert.instance(e, NonFiniteLoss, String(e));
      assert.match((e as Error).message, /loss term '\w+' is (NaN|Infinity|-Infinity) at step [2-6]/);
      assert.not.match((e as Error).message, /'total'/);
    }
    assert.is(loadSafetensors(join(dir, 'checkpoint.safetensors')).metadata.step, saved, 'the checkpoint was overwritten');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t('NaN in one sample between two log points: the run stops at that step naming it, before any checkpoint of it', async () => {
  const data = tinyData();
  // the first batch of epoch 0 after the second that holds a given sample: poison that sample
  const loader = new Loader(data, { batchSize: tiny.batchSize, dropLast: true, seed: tiny.seed, transform: 'twoViews', T: tiny.frames, augment: augmentOf(tiny) });
  const batches: number[][] = [];
  for await (const b of loader.epoch(0)) batches.push([...b.indices]);
  loader.close();
  const at = 3, sample = batches[at - 1][0];   // consumed at step 3
  assert.ok(!batches.slice(0, at - 1).flat().includes(sample));
  const per = data.data.length / data.size;
  data.data.fill(NaN, sample * per, (sample + 1) * per);
  const dir = mkdtempSync(join(tmpdir(), 'i2md-nan-data-'));
  try {
    const ok = await pretrain(data, tiny, { runDir: dir, logEvery: 100, maxSteps: at - 1, quiet: true });
    ok.model.dispose();
    try {
      await pretrain(data, tiny, { runDir: dir, logEvery: 100, maxSteps: 6, quiet: true, resume: true });
      assert.unreachable('expected a stop');
    } catch (e) {
      assert.instance(e, NonFiniteLoss, String(e));
      // a loss term, at the exact step, though the losses were due to be read only at step 6
      assert.match((e as Error).message, new RegExp(`loss term '\\w+' is NaN at step ${at}; the last good checkpoint \\(step ${at - 1}\\) is kept`));
    }
    assert.is(readTrainState(dir).step, at - 1, 'the checkpoint moved');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t('SIGTERM stops the run after the step in flight, saves, and says which signal', async () => {
  const data = tinyData();
  const dir = mkdtempSync(join(tmpdir(), 'i2md-sig-'));
  try {
    // the loop's handler is in place once pre-training starts: signal it then (no real kill)
    const poll = setInterval(() => { if (process.listenerCount('SIGTERM') > 0) { clearInterval(poll); process.emit('SIGTERM', 'SIGTERM'); } }, 1);
    const r = await pretrain(data, tiny, { runDir: dir, logEvery: 1, maxSteps: 6, quiet: true });
    clearInterval(poll);
    r.model.dispose();
    assert.ok(r.interrupted); assert.is(r.signal, 'SIGTERM');
    assert.ok(r.state.step < 6, `ran to step ${r.state.step}`);
    assert.is(readTrainState(dir).step, r.state.step, 'saved at the step it stopped');
    assert.is(process.listenerCount('SIGTERM'), 0, 'the handler was removed');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
