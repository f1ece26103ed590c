/**
 * The pre-training as a whole on a tiny configuration (2-block encoders, 8 frames, a small
 * queue): the assembled loss against its float64 reference, the loss going down, queue slot
 * alignment across modalities, exact resume, and the NaN stop.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, assertClose } from '../helpers/check.js';
import { Tensor, tidy, backward, noGrad } from '../../src/tensor/index.js';
import { presets, type PretrainConfig } from '../../src/i2md/config.js';
import { I2MDModel } from '../../src/i2md/model.js';
import { i2mdLoss, pretrainStep, modalityOf } from '../../src/i2md/step.js';
import { i2mdLossRef } from '../../src/i2md/loss-reference.js';
import { pretrain, NonFiniteLoss } from '../../src/i2md/pretrain.js';
import { loadSafetensors } from '../../src/data/safetensors.js';
import { SGD } from '../../src/optim/sgd.js';
import { l2Normalize } from '../../src/ops/softmax.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { ArrayDataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/util/random.js';

const t = suite('i2md/pretrain');
t.before(async () => { await engine(); });

const tiny: PretrainConfig = {
  ...presets.demo, blocks: [[3, 4, 1], [4, 8, 2]], dropout: 0, headDim: 8, frames: 8, minCrop: 8,
  queueSize: 16, topk: 4, kDna: 3, dnaDelta: 0.2, batchSize: 4, epochs: 2, lr: 0.05, lrSteps: [], seed: 5,
};
const layout = getLayout('ntu25');
const B = 4, T = 8, V = 25, M = 2;

function batch(seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: B * 3 * T * V * M }, () => rng.uniform(-1, 1)), [B, 3, T, V, M]);
}

t('the assembled loss equals the float64 reference of i2md.md §6–8', async () => {
  const model = new I2MDModel(tiny, layout);
  const x1 = batch(1).keep(), x2 = batch(2).keep();
  const { terms, outs } = tidy(() => {
    const r = i2mdLoss(model, x1, x2);
    return { terms: { total: r.total, ...r.terms } as Record<string, Tensor>, outs: r.outs.map((o) => ({ q: o.q, k: o.k, qc: o.qc!, kc: o.kc! })) };
  });
  const arrays = [];
  for (let i = 0; i < outs.length; i++) {
    const b = model.branches[i];
    arrays.push({ q: await outs[i].q.read(), k: await outs[i].k.read(), qc: await outs[i].qc.read(), kc: await outs[i].kc.read(),
      queue: await b.queue.features.read(), clusterQueue: await b.clusterQueue!.features.read() });
  }
  const ref = i2mdLossRef(tiny, arrays, B, tiny.headDim);
  assert.equal(Object.keys(terms).sort(), Object.keys(ref).sort());
  for (const name of Object.keys(ref)) assertClose([await terms[name].item()], [ref[name]], 2e-4, name);
  model.dispose(); x1.dispose(); x2.dispose();
});

t('steps on a fixed batch make the loss go down', async () => {
  const model = new I2MDModel({ ...tiny, momentum: 0.9 }, layout);
  model.train();
  const sgd = new SGD({ momentum: 0.9, weightDecay: 1e-4 });
  const x1 = batch(3).keep(), x2 = batch(4).keep();
  const losses: number[] = [];
  for (let s = 0; s < 12; s++) {
    const l = tidy(() => { const { total } = i2mdLoss(model, x1, x2); backward(total); sgd.step(model.queryParameters(), 0.05); return total; });
    losses.push(await l.item()); l.dispose();
  }
  const first = (losses[0] + losses[1]) / 2, last = (losses[10] + losses[11]) / 2;
  assert.ok(last < first * 0.9, `loss ${losses.map((v) => v.toFixed(3)).join(' ')}`);
  model.dispose(); sgd.dispose(); x1.dispose(); x2.dispose();
});

t('a step enqueues each modality\'s keys into the same slots of every queue', async () => {
  const model = new I2MDModel(tiny, layout);
  model.train();
  const sgd = new SGD({ momentum: 0.9 });
  const x1 = batch(5).keep(), x2 = batch(6).keep();
  model.queuePtr = 8;
  const terms = pretrainStep(model, sgd, x1, x2, 0.01);
  Object.values(terms).forEach((v) => v.dispose());
  for (const b of model.branches) { assert.is(b.queue.ptr, 12); assert.is(b.clusterQueue!.ptr, 12); }
  // recompute the keys with the (already EMA-updated, dropout-free) key encoders: slots 8..11 hold them
  for (const b of model.branches) {
    const { k, kc } = noGrad(() => tidy(() => {
      const f = b.encoderK.features(modalityOf(x2, b.modality, layout.bones));
      return { k: l2Normalize(b.encoderK.project(f)), kc: l2Normalize(b.clusterK!.forward(f)) };
    }));
    const kv = await k.read(), kcv = await kc.read(), Q = await b.queue.features.read(), Qc = await b.clusterQueue!.features.read();
    const d = tiny.headDim, K = tiny.queueSize;
    const col = (q: Float32Array, slot: number) => Array.from({ length: d }, (_, c) => q[c * K + slot]);
    for (let r = 0; r < B; r++) {
      assertClose(col(Q, 8 + r), kv.subarray(r * d, (r + 1) * d), 1e-4, `${b.modality} queue slot ${8 + r}`);
      assertClose(col(Qc, 8 + r), kcv.subarray(r * d, (r + 1) * d), 1e-4, `${b.modality} cluster queue slot ${8 + r}`);
    }
    k.dispose(); kc.dispose();
  }
  model.dispose(); sgd.dispose(); x1.dispose(); x2.dispose();
});

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
    const b2 = await pretrain(data, cfg, { runDir: dirB, logEvery: 1, maxSteps: 6, quiet: true, resume: true });
    b2.model.dispose();
    assert.is(a.state.step, 6); assert.is(b2.state.step, 6);
    const la = a.losses.map((l) => l.terms.total), lb = [...b1.losses, ...b2.losses].map((l) => l.terms.total);
    assert.equal(lb, la);
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

t.run();
