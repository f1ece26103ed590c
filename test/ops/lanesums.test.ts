// The register-sum kernels' batch slicing keeps every lane's running f32 sum at ≤ LANE_TERMS
// terms (src/ops/lanesums.ts). Checked two ways: the slice arithmetic, and the result against a
// float64 reference at a tolerance that the same kernels miss without the cap (1.0–1.2·10⁻⁶ for
// the weight gradients and 8.5·10⁻⁷ for the adjacency gradient in one slice; ≈ 2·10⁻⁷ with it, on
// llvmpipe). The inputs are the hard case for a long sum: x ≥ 0 (as
// after a ReLU) and a gradient with a non-zero mean, so the running sums grow steadily.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, withKernel } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { LANE_TERMS } from '../../src/ops/lanesums.js';
import { wgradReg, wgradSlices, type WgradSplit } from '../../src/ops/tconv/wgrad.js';
import { adjacencyGrad, adjacencySlices } from '../../src/ops/graphconv/aggregate.js';
import { graphVariant } from '../../src/ops/graphconv/variants.js';
import type { ConvDims } from '../../src/ops/tconv/tconv.js';
import { Rng } from '../../src/util/random.js';

const t = suite('ops/lanesums');
t.before(async () => { await engine(); });

const TOL = 4.5e-7;

function inputs(nx: number, ng: number, seed: number): { x: Float32Array; g: Float32Array } {
  const r = new Rng(seed);
  return {
    x: Float32Array.from({ length: nx }, () => Math.max(0, r.uniform(-0.8, 1.2)) * 3),
    g: Float32Array.from({ length: ng }, () => r.uniform(-0.45, 0.55) * 1e-2),
  };
}

function relativeError(got: Float32Array, ref: Float64Array): number {
  let e = 0, m = 0;
  ref.forEach((r, j) => { e = Math.max(e, Math.abs(got[j] - r)); m = Math.max(m, Math.abs(r)); });
  return e / m;
}

// GROUPS 1 asks for a single slice: only the cap splits the batch
for (const KT of [1, 9]) {
  t(`weight gradient, ${KT}×1, 8 lanes, GROUPS 1: lanes stay within ${LANE_TERMS} terms, float64 reference within ${TOL}`, async () => {
    const [N, Cin, Cout, T, V] = [64, 8, 8, 64, 25];
    const pad = (KT - 1) / 2;
    const d: ConvDims = { N, Cin, Cout, T, Tout: T, V, KT, stride: 1, pad };
    const split: WgradSplit = { TO: 8, TI: 8, TK: KT, WG: 8, GROUPS: 1 };
    const { slices, perSlice } = wgradSlices(d, split);
    const terms = KT > 1 ? Math.ceil(N * V / (split.WG * slices)) * T : perSlice * Math.ceil(T * V / split.WG);
    assert.ok(slices > 1 && terms <= LANE_TERMS, `${slices} slices, ${terms} terms per lane`);
    const { x, g } = inputs(N * Cin * T * V, N * Cout * T * V, 11 + KT);
    const ref = new Float64Array(Cout * Cin * KT);
    for (let n = 0; n < N; n++) for (let o = 0; o < Cout; o++) for (let i = 0; i < Cin; i++) for (let k = 0; k < KT; k++) {
      let a = 0;
      for (let tt = 0; tt < T; tt++) {
        const ti = tt + k - pad;
        if (ti < 0 || ti >= T) continue;
        for (let v = 0; v < V; v++) a += g[((n * Cout + o) * T + tt) * V + v] * x[((n * Cin + i) * T + ti) * V + v];
      }
      ref[(o * Cin + i) * KT + k] += a;
    }
    const xt = Tensor.from(x, [N, Cin, T, V]), gt = Tensor.from(g, [N, Cout, T, V]);
    const { dw } = wgradReg(d, gt, xt, false, split);
    const err = relativeError(await dw.read(), ref);
    for (const u of [xt, gt, dw]) u.dispose();
    assert.ok(err <= TOL, `relative error ${err.toExponential(2)}`);
  });
}

t(`adjacency gradient (adj_reg, 8 lanes): lanes stay within ${LANE_TERMS} terms, float64 reference within ${TOL}`, async () => {
  await withKernel('graphconv', 'reg', async () => {
    const [N, C, T, V, K] = [128, 16, 64, 25, 3];
    const d = { N, C, T, V, K };
    const v = graphVariant('dadj', d);
    assert.is(v.path, 'reg');
    if (v.path !== 'reg') return;
    const { per } = adjacencySlices(v, d);
    assert.ok(per * Math.ceil(C * T / v.RWG) <= LANE_TERMS, `${per} samples of ${Math.ceil(C * T / v.RWG)} terms per lane`);
    const { x, g } = inputs(N * C * T * V, N * K * C * T * V, 5);
    const ref = new Float64Array(K * V * V);
    const CT = C * T;
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let r = 0; r < CT; r++) {
      const xo = (n * CT + r) * V, go = ((n * K + k) * CT + r) * V;
      for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) ref[(k * V + a) * V + b] += x[xo + a] * g[go + b];
    }
    const xt = Tensor.from(x, [N, C, T, V]), gt = Tensor.from(g, [N, K * C, T, V]);
    const dadj = adjacencyGrad(xt, gt, N, K, C, T, V);
    const err = relativeError(await dadj.read(), ref);
    for (const u of [xt, gt, dadj]) u.dispose();
    assert.ok(err <= TOL, `relative error ${err.toExponential(2)}`);
  });
});

t.run();
