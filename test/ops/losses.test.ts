import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, backward } from '../../src/tensor/index.js';
import { crossEntropy, nllLoss, klDiv, accuracyTopK, type Reduction } from '../../src/ops/losses.js';
import { logSoftmax } from '../../src/ops/softmax.js';
import { Rng } from '../../src/util/random.js';

const t = suite('ops/losses');
t.before(async () => { await engine(); });

const labelsFor = (n: number, c: number, seed: number) => { const r = new Rng(seed); return Array.from({ length: n }, () => r.int(c)); };
const ints = (v: readonly number[]) => Tensor.from(v, [v.length], 'i32');

/** Per-row −log softmax(x)[label] in float64 (0 for labels outside [0, C)). */
function ceRows(x: Float64Array, c: number, labels: readonly number[]): Float64Array {
  return Float64Array.from(labels, (lab, r) => {
    if (lab < 0 || lab >= c) return 0;
    return rowLse(x, r * c, c) - x[r * c + lab];
  });
}
/** log Σ exp over x[at … at + c) (plain loops: typed-array spread/reduce are slow in V8). */
function rowLse(x: Float64Array, at: number, c: number): number {
  let m = -Infinity, s = 0;
  for (let j = at; j < at + c; j++) m = Math.max(m, x[j]);
  for (let j = at; j < at + c; j++) s += Math.exp(x[j] - m);
  return m + Math.log(s);
}
function reduceRef(rows: Float64Array, reduction: Reduction): Float64Array {
  const s = rows.reduce((a, b) => a + b, 0);
  return reduction === 'none' ? rows : Float64Array.of(reduction === 'sum' ? s : s / rows.length);
}

for (const [n, c] of [[1, 1], [1, 5], [5, 7], [33, 60], [3, 300]]) {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    t(`crossEntropy (${n}, ${c}) reduction=${reduction}: forward + gradient vs float64`, async () => {
      const labels = labelsFor(n, c, n + c);
      await checkOp({ shapes: [[n, c]], inputs: [randn(n * c, c, -4, 4)], gpu: ([x]) => crossEntropy(x, ints(labels), { reduction }),
        ref: ([x]) => reduceRef(ceRows(x, c, labels), reduction) });
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
  assertClose(await loss.read(), reduceRef(ceRows(xf, c, labels), 'mean'), 1e-5, 'mean loss');
  const want = new Float64Array(n * c);
  for (let r = 0; r < n; r++) {
    const lse = rowLse(xf, r * c, c);
    for (let j = 0; j < c; j++) want[r * c + j] = (Math.exp(xf[r * c + j] - lse) - (j === labels[r] ? 1 : 0)) / n;
  }
  assertClose(Float64Array.from(await grad.read(), (v) => v * n), want.map((v) => v * n), 1e-5, 'gradient (softmax − onehot)/N');
  loss.dispose(); grad.dispose();
});

t('crossEntropy: labels outside [0, C) give zero loss and zero gradient for their row', async () => {
  const labels = [2, -1, 4, 9];
  await checkOp({ shapes: [[4, 5]], gpu: ([x]) => crossEntropy(x, ints(labels), { reduction: 'none' }), ref: ([x]) => ceRows(x, 5, labels) });
});

t('crossEntropy(x) = nllLoss(logSoftmax(x)); nllLoss gradient', async () => {
  const labels = [0, 6, 3, 3, 1];
  await checkOp({ shapes: [[5, 7]], gpu: ([x]) => nllLoss(logSoftmax(x), ints(labels)), ref: ([x]) => reduceRef(ceRows(x, 7, labels), 'mean') });
  await checkOp({ shapes: [[5, 7]], gpu: ([x]) => nllLoss(x, ints(labels), { reduction: 'none' }), ref: ([x]) => Float64Array.from(labels, (l, r) => -x[r * 7 + l]) });
});

/** Σ p (log p − log q) / N, with 0·log 0 = 0. */
function klRef(logQ: Float64Array, p: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) s += p[i] * (Math.log(p[i]) - logQ[i]);
  return s / n;
}
const logSoftmaxRows = (x: Float64Array, c: number) => Float64Array.from(x, (v, i) => v - rowLse(x, Math.floor(i / c) * c, c));

t('klDiv(log q, p): batch mean, zeros in p, gradient into the student only', async () => {
  const [n, c] = [4, 6];
  // target probabilities with exact zeros
  const raw = randn(n * c, 8, 0, 1).map((v, i) => (i % 5 === 0 ? 0 : v));
  const p = Float64Array.from(raw, (v, i) => v / raw.subarray(Math.floor(i / c) * c, Math.floor(i / c) * c + c).reduce((a, b) => a + b, 0));
  // through logSoftmax, as a student would use it: d/dx via both ops
  await checkOp({ shapes: [[n, c]], gpu: ([x]) => klDiv(logSoftmax(x), Tensor.from(p, [n, c])), ref: ([x]) => Float64Array.of(klRef(logSoftmaxRows(x, c), p, n)) });
  await checkOp({ shapes: [[n, c]], inputs: [randn(n * c, 3, -3, -0.1)], gpu: ([lq]) => klDiv(lq, Tensor.from(p, [n, c]), { reduction: 'sum' }), ref: ([lq]) => Float64Array.of(klRef(lq, p, 1)) });
  // a target that requires grad elsewhere still receives none from klDiv
  const pt = tidy(() => Tensor.from(p, [n, c]).param());
  const lq = tidy(() => Tensor.from(logSoftmaxRows(randn(n * c, 2), c), [n, c]).param());
  const loss = tidy(() => { const l = klDiv(lq, pt); backward(l); return l; });
  assert.is(pt.grad, undefined, 'no gradient into the target');
  assertClose(await lq.grad!.read(), p.map((v) => -v / n), 1e-6, 'd/dlogQ = −p/N');
  for (const v of [pt, lq, loss, lq.grad!]) v.dispose();
});

t('accuracyTopK: counts, ties to the lower index, k = 1 / 2 / 5, out-of-range labels miss', async () => {
  const logits = [
    [0.1, 0.9, 0.3, 0.2, 0.5],   // order: 1, 4, 2, 3, 0
    [1, 1, 1, 0, 0],             // ties: 0 beats 1 beats 2
    [0, 0, 0, 0, 0],
    [5, 4, 3, 2, 1],
  ];
  const labels = [4, 1, 4, 0];
  const x = logits.flat();
  const counts: number[] = [];
  for (const k of [1, 2, 3, 5]) {
    const y = tidy(() => accuracyTopK(Tensor.from(x, [4, 5]), ints(labels), k));
    assert.equal([...y.shape], []);
    counts.push(await y.item());
    y.dispose();
  }
  // k=1: row 3 only; k=2: + rows 0, 1; k=3: same; k=5: all four
  assert.equal(counts, [1, 3, 3, 4]);
  const miss = tidy(() => accuracyTopK(Tensor.from(x, [4, 5]), ints([4, 1, 7, -1]), 5));
  assert.is(await miss.item(), 2);
  miss.dispose();
});

t('accuracyTopK on a larger random batch vs a sort-based reference', async () => {
  const [n, c] = [300, 60];
  const r = new Rng(5);
  const x = Float64Array.from({ length: n * c }, () => r.int(20));   // plenty of ties
  const labels = labelsFor(n, c, 9);
  for (const k of [1, 5]) {
    let want = 0;
    for (let i = 0; i < n; i++) {
      const order = [...Array(c).keys()].sort((a, b) => x[i * c + b] - x[i * c + a] || a - b);
      if (order.slice(0, k).includes(labels[i])) want++;
    }
    const y = tidy(() => accuracyTopK(Tensor.from(x, [n, c]), ints(labels), k));
    assert.is(await y.item(), want, `top-${k}`);
    y.dispose();
  }
});

t('bad labels throw', () => {
  tidy(() => {
    const x = Tensor.from(randn(6, 1), [2, 3]);
    assert.throws(() => crossEntropy(x, Tensor.from([0, 1])));     // f32 labels
    assert.throws(() => crossEntropy(x, ints([0, 1, 2])));         // wrong count
  });
});

t.run();
