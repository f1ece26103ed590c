import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, backward } from '../../src/tensor/index.js';
import { distillKL, distillKLMasked, distillKLRef, distillKLMaskedRef } from '../../src/ops/distill.js';
import { topkRef } from '../../src/ops/topk.js';

const t = suite('ops/distill');
t.before(async () => { await engine(); });

/** Teacher similarities with deliberate ties (values on a coarse grid). */
function tiedTeacher(n: number, seed: number): Float64Array { return randn(n, seed).map((v) => Math.round(v * 4) / 4); }

for (const [n, k, kk] of [[3, 7, 3], [2, 5, 1], [2, 5, 5], [1, 1, 1], [4, 300, 37]]) {
  t(`masked KL forward and gradient into the student (N=${n}, K=${k}, top ${kk})`, async () => {
    const teacher = randn(n * k, 4 + k, -1, 1);
    const mask = topkRef(teacher, k, kk).mask;
    await checkOp({
      shapes: [[n, k], [n, k]], inputs: [teacher, randn(n * k, 9 + k, -1, 1)], wrt: [1], tol: 3e-3,
      gpu: ([tt, s]) => distillKLMasked(tt, s, Tensor.from(mask, [n, k]), 0.05, 0.1),
      ref: ([tt, s]) => Float64Array.of(distillKLMaskedRef(tt, s, mask, n, k, 0.05, 0.1)),
    });
  });
}

t('gradient is (p_S − p_T)/(τ_S·N) on the mask and exactly 0 elsewhere; the teacher gets none', async () => {
  const n = 3, k = 9, kk = 4;
  const tv = randn(n * k, 1), sv = randn(n * k, 2), mask = topkRef(tv, k, kk).mask;
  const res = await tidy(() => {
    const tt = Tensor.from(tv, [n, k]).param();
    const s = Tensor.from(sv, [n, k]).param();
    backward(distillKLMasked(tt, s, Tensor.from(mask, [n, k])));
    return { ds: s.grad!, tg: tt.grad };
  });
  const ds = await res.ds.read();
  for (let i = 0; i < n * k; i++) if (mask[i] === 0) assert.is(ds[i], 0, `slot ${i} outside the mask`);
  const want = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const idx = [...Array(k).keys()].filter((j) => mask[r * k + j] === 1);
    const zt = idx.map((j) => tv[r * k + j] / 0.05), zs = idx.map((j) => sv[r * k + j] / 0.1);
    const st = zt.reduce((a, z) => a + Math.exp(z - Math.max(...zt)), 0), ss = zs.reduce((a, z) => a + Math.exp(z - Math.max(...zs)), 0);
    idx.forEach((j, i) => {
      want[r * k + j] = (Math.exp(zs[i] - Math.max(...zs)) / ss - Math.exp(zt[i] - Math.max(...zt)) / st) / (0.1 * n);
    });
  }
  assertClose(ds, want, 1e-5, 'ds');
  assert.is(res.tg, undefined);
});

t('identical distributions (τ_T = τ_S, t = s) give KL 0', async () => {
  const n = 4, k = 50, v = randn(n * k, 3);
  const loss = tidy(() => distillKLMasked(Tensor.from(v, [n, k]), Tensor.from(v, [n, k]), Tensor.from(topkRef(v, k, 20).mask, [n, k]), 0.1, 0.1));
  assertClose([await loss.item()], [0], 1e-5);
});

// ---- with the teacher's top-k chosen on the GPU (ops/topk.ts) ----
for (const [n, k, kk, tied] of [[3, 7, 3, false], [3, 7, 1, false], [3, 7, 7, false], [4, 40, 9, true], [2, 1000, 300, true]] as [number, number, number, boolean][]) {
  t(`distillKL top-${kk} of K=${k}${tied ? ' (ties in the teacher)' : ''}: forward and gradient`, async () => {
    const teacher = tied ? tiedTeacher(n * k, 5 + k) : randn(n * k, 5 + k);
    const student = randn(n * k, 6 + k);
    if (tied) {
      // the selection must split a group of equal values, so the tie rule decides the set
      const straddles = Array.from({ length: n }, (_, r) => [...teacher.slice(r * k, (r + 1) * k)].sort((a, b) => b - a))
        .some((row) => row[kk - 1] === row[kk]);
      assert.ok(straddles, 'test data: a tie across the top-k boundary');
    }
    await checkOp({
      shapes: [[n, k], [n, k]], inputs: [teacher, student], wrt: [1], tol: 3e-3,
      gpu: ([tt, s]) => distillKL(tt, s, kk, 0.05, 0.1),
      ref: ([tt, s]) => Float64Array.of(distillKLRef(tt, s, n, k, kk, 0.05, 0.1)),
    });
  });
}

t('distillKL at K=16384, k=8192 (CMD sizes, N=2) vs reference', async () => {
  const n = 2, k = 16384, kk = 8192;
  const tv = randn(n * k, 7, -1, 1), sv = randn(n * k, 8, -1, 1);
  const loss = tidy(() => distillKL(Tensor.from(tv, [n, k]), Tensor.from(sv, [n, k]), kk));
  assertClose([await loss.item()], [distillKLRef(tv, sv, n, k, kk, 0.05, 0.1)], 1e-4);
});

t.run();
