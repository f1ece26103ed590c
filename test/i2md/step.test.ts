/**
 * One I²MD step on a tiny configuration: the assembled loss against its float64 reference
 * (src/i2md/loss-reference.ts), the loss going down, queue slot alignment across modalities.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, assertClose } from '../helpers/check.js';
import { tiny, batch, B } from '../helpers/i2md.js';
import { Tensor, tidy, backward, noGrad } from '../../src/tensor/index.js';
import { I2MDModel } from '../../src/i2md/model.js';
import { i2mdLoss, pretrainStep, modalityOf } from '../../src/i2md/step.js';
import { i2mdLossRef } from '../../src/i2md/loss-reference.js';
import { SGD } from '../../src/optim/sgd.js';
import { l2Normalize } from '../../src/ops/softmax.js';
import { getLayout } from '../../src/skeleton/layouts.js';

const t = suite('i2md/step');
t.before(async () => { await engine(); });

const layout = getLayout('ntu25');

t('the assembled loss equals the float64 reference of docs/method.md#loss', async () => {
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

t.run();
