import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, backward } from '../../src/tensor/index.js';
import { softmax, logSoftmax, l2Normalize, lanesFor, rowsRef, softmaxRowRef, logSoftmaxRowRef, l2NormalizeRowRef } from '../../src/ops/softmax.js';
import { mul } from '../../src/ops/elementwise.js';
import { sumAxes } from '../../src/ops/reduce.js';

const t = suite('ops/softmax');
t.before(async () => { await engine(); });

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

// widths cover one row per invocation (lanes 1–2), a few lanes, and a workgroup per row; row counts
// cover partial workgroups of rows
for (const shape of [[1], [3], [5, 1], [4, 7], [37, 5], [3, 60], [2, 64], [3, 65], [3, 300], [1, 700]]) {
  const w = shape.at(-1)!;
  t(`softmax / logSoftmax [${shape}] (lanes ${lanesFor(w)}): forward + gradients`, async () => {
    await checkOp({ shapes: [shape], inputs: [randn(size(shape), w, -3, 3)], gpu: ([x]) => softmax(x), ref: ([x]) => rowsRef(x, w, softmaxRowRef) });
    await checkOp({ shapes: [shape], inputs: [randn(size(shape), w + 1, -3, 3)], gpu: ([x]) => logSoftmax(x), ref: ([x]) => rowsRef(x, w, logSoftmaxRowRef) });
  });
  t(`l2Normalize [${shape}]: forward + gradient`, async () => {
    await checkOp({ shapes: [shape], gpu: ([x]) => l2Normalize(x), ref: ([x]) => rowsRef(x, w, l2NormalizeRowRef(1e-12)) });
  });
}

t('many small rows (3000 × 5) and rows of 1 (softmax = 1, log-softmax = 0)', async () => {
  const x = randn(15000, 2, -5, 5);
  const [a, b, c] = tidy(() => [softmax(Tensor.from(x, [3000, 5])), logSoftmax(Tensor.from(x, [3000, 5])), softmax(Tensor.from(x, [15000, 1]))]);
  assertClose(await a.read(), rowsRef(x, 5, softmaxRowRef), 1e-5, 'softmax');
  assertClose(await b.read(), rowsRef(x, 5, logSoftmaxRowRef), 1e-5, 'logSoftmax');
  assertClose(await c.read(), new Float64Array(15000).fill(1), 0, 'width 1');
  a.dispose(); b.dispose(); c.dispose();
});

t('huge logits stay finite (max subtracted): ±1e4 and a row of equal values', async () => {
  const x = Float64Array.from([1e4, 1e4 - 1, -1e4, 3, 7, 7, 7, 7, -2e4, 2e4, 0, 1]);
  const [a, b] = tidy(() => [softmax(Tensor.from(x, [3, 4])), logSoftmax(Tensor.from(x, [3, 4]))]);
  assertClose(await a.read(), rowsRef(x, 4, softmaxRowRef), 1e-6, 'softmax');
  assertClose(await b.read(), rowsRef(x, 4, logSoftmaxRowRef), 1e-6, 'logSoftmax');
  a.dispose(); b.dispose();
});

t('a 65536-wide row (and 3 rows of 65537): forward values and the backward rules', async () => {
  for (const [rows, w] of [[1, 65536], [3, 65537]]) {
    const x = randn(rows * w, w, -8, 8);
    const gw = randn(rows * w, 5, -1, 1);
    const out = tidy(() => {
      const xt = Tensor.from(x, [rows, w]).param();
      const g = Tensor.from(gw, [rows, w]);
      const s = softmax(xt); backward(sumAxes(mul(s, g)));
      const ds = xt.grad!; xt.grad = undefined;
      const l = logSoftmax(xt); backward(sumAxes(mul(l, g)));
      const dl = xt.grad!; xt.grad = undefined;
      const n = l2Normalize(xt); backward(sumAxes(mul(n, g)));
      const dn = xt.grad!; xt.grad = undefined;
      xt.dispose();
      return { s, ds, l, dl, n, dn };
    });
    const sm = rowsRef(x, w, softmaxRowRef);
    // reference gradients: y·(g − Σ g·y); g − softmax·Σ g; (g − y·Σ g·y)/‖x‖
    const dsRef = rowsRef(Float64Array.from(x.keys()), w, (ix) => { const y = ix.map((i) => sm[i]); const d = ix.reduce((a, i) => a + gw[i] * sm[i], 0); return ix.map((i, j) => y[j] * (gw[i] - d)); });
    const dlRef = rowsRef(Float64Array.from(x.keys()), w, (ix) => { const d = ix.reduce((a, i) => a + gw[i], 0); return ix.map((i) => gw[i] - sm[i] * d); });
    const nr = rowsRef(x, w, l2NormalizeRowRef(1e-12));
    const dnRef = rowsRef(Float64Array.from(x.keys()), w, (ix) => {
      const norm = Math.sqrt(ix.reduce((a, i) => a + x[i] * x[i], 0)); const d = ix.reduce((a, i) => a + gw[i] * nr[i], 0);
      return ix.map((i) => (gw[i] - nr[i] * d) / norm);
    });
    // relative to max(1, |e|): scale the tiny softmax entries up so the check has teeth
    const big = (v: ArrayLike<number>) => Float64Array.from(v, (a) => a * w);
    assertClose(big(await out.s.read()), big(sm), 2e-4, `softmax ${rows}×${w}`);
    assertClose(big(await out.ds.read()), big(dsRef), 2e-4, `d softmax ${rows}×${w}`);
    assertClose(await out.l.read(), rowsRef(x, w, logSoftmaxRowRef), 1e-5, `logSoftmax ${rows}×${w}`);
    assertClose(await out.dl.read(), dlRef, 1e-4, `d logSoftmax ${rows}×${w}`);
    assertClose(big(await out.n.read()), big(nr), 1e-4, `l2Normalize ${rows}×${w}`);
    assertClose(big(await out.dn.read()), big(dnRef), 1e-4, `d l2Normalize ${rows}×${w}`);
    for (const v of Object.values(out)) v.dispose();
  }
});

t('l2Normalize: rows below eps divide by eps (value and gradient); a zero row stays zero', async () => {
  const eps = 0.5;
  // row norms: ~0.17 (below eps), ~1.9 (above), far from the kink so finite differences are clean
  const x = Float64Array.from([0.1, -0.1, 0.05, 0.08, 1, -1.2, 0.7, 0.9]);
  await checkOp({ shapes: [[2, 4]], inputs: [x], gpu: ([a]) => l2Normalize(a, eps), ref: ([a]) => rowsRef(a, 4, l2NormalizeRowRef(eps)) });
  const z = tidy(() => l2Normalize(Tensor.from([0, 0, 0, 0, 3, 4, 0, 0], [2, 4])));
  assertClose(await z.read(), [0, 0, 0, 0, 0.6, 0.8, 0, 0], 1e-7);
  z.dispose();
});

t('lanes per row grow with the width up to one workgroup', () => {
  assert.equal([1, 4, 5, 60, 64, 65, 1000, 65536].map(lanesFor), [1, 1, 2, 16, 16, 32, 256, 256]);
});

t.run();
