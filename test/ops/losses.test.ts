import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, backward } from '../../src/tensor/index.js';
import { crossEntropy, crossEntropyRowsRef, lossReductionRef } from '../../src/ops/losses.js';
import { lseRef } from '../../src/ops/reduce.js';
import { Rng } from '../../src/util/random.js';

const t = suite('ops/losses');
t.before(async () => { await engine(); });

const labelsFor = (n: number, c: number, seed: number) => { const r = new Rng(seed); return Array.from({ length: n }, () => r.int(c)); };
const ints = (v: readonly number[]) => Tensor.from(v, [v.length], 'i32');

for (const [n, c] of [[1, 1], [1, 5], [5, 7], [33, 60], [3, 300]]) {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    t(`crossEntropy (${n}, ${c}) reduction=${reduction}: forward + gradient vs float64`, async () => {
      const labels = labelsFor(n, c, n + c);
      await checkOp({ shapes: [[n, c]], inputs: [randn(n * c, c, -4, 4)], gpu: ([x]) => crossEntropy(x, ints(labels), { reduction }),
        ref: ([x]) => lossReductionRef(crossEntropyRowsRef(x, c, labels), reduction) });
    });
  }
}

t('crossEntropy: larger batch (256 × 1000) forward vs float64, large logits, the backward in one pass', async () => {
  const [n, c] = [256, 1000];
  const x = randn(n * c, 21, -30, 30);
  const labels = labelsFor(n, c, 4);
  // every other row is confident (its label 40 above the rest, p ≈ 1): p − 1 must not cancel badly
  for (let r = 0; r < n; r += 2) x[r * c + labels[r]] += 40;
  const { loss, grad } = tidy(() => {
    const xt = Tensor.from(x, [n, c]).param();
    const l = crossEntropy(xt, ints(labels));
    backward(l);
    const g = xt.grad!; xt.grad = undefined; xt.dispose();
    return { loss: l, grad: g };
  });
  const xf = Float64Array.from(Float32Array.from(x));   // the GPU sees float32 inputs
  assertClose(await loss.read(), lossReductionRef(crossEntropyRowsRef(xf, c, labels), 'mean'), 1e-5, 'mean loss');
  const want = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const lse = lseRef(xf.subarray(r * c, r * c + c));
    for (let j = 0; j < c; j++) want[r * c + j] = (Math.exp(xf[r * c + j] - lse) - (j === labels[r] ? 1 : 0)) / n;
  }
  assertClose(Float64Array.from(await grad.read(), (v) => v * n), want.map((v) => v * n), 1e-5, 'gradient (softmax − onehot)/N');
  loss.dispose(); grad.dispose();
});

t('crossEntropy: labels outside [0, C) give zero loss and zero gradient for their row', async () => {
  const labels = [2, -1, 4, 9];
  await checkOp({ shapes: [[4, 5]], gpu: ([x]) => crossEntropy(x, ints(labels), { reduction: 'none' }), ref: ([x]) => crossEntropyRowsRef(x, 5, labels) });
});

t('bad labels throw', () => {
  tidy(() => {
    const x = Tensor.from(randn(6, 1), [2, 3]);
    assert.throws(() => crossEntropy(x, Tensor.from([0, 1])));     // f32 labels
    assert.throws(() => crossEntropy(x, ints([0, 1, 2])));         // wrong count
  });
});

t.run();
