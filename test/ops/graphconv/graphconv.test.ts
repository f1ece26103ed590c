import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, withKernel } from '../../helpers/check.js';
import { Tensor, tidy, backward } from '../../../src/tensor/index.js';
import { mul, sumAll } from '../../helpers/ops.js';
import { graphConv } from '../../../src/ops/graphconv/graphconv.js';
import { graphConvRef } from '../../../src/ops/graphconv/reference.js';
import { graphAggregate } from '../../../src/ops/graphconv/aggregate.js';
import { jointBias } from '../../../src/ops/graphconv/bias.js';
import { getLayout } from '../../../src/skeleton/layouts.js';
import { spatialPartition } from '../../../src/skeleton/graph.js';

const t = suite('ops/graphconv/graphconv');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function aggregateRef(x: Float64Array, xs: number[], adj: Float64Array, K: number): Float64Array {
  const [N, C, T, V] = xs;
  const out = new Float64Array(N * K * C * T * V);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let tt = 0; tt < T; tt++) for (let w = 0; w < V; w++) {
    let s = 0;
    for (let v = 0; v < V; v++) s += x[((n * C + c) * T + tt) * V + v] * adj[(k * V + v) * V + w];
    out[(((n * K + k) * C + c) * T + tt) * V + w] = s;
  }
  return out;
}

t('aggregate: forward and gradients for x and the adjacency', async () => {
  const xs = [2, 5, 13, 7], K = 3;
  await checkOp({ shapes: [xs, [K, 7, 7]], gpu: ([x, a]) => graphAggregate(x, a), ref: ([x, a]) => aggregateRef(x, xs, a, K) });
});

t('aggregate: the adjacency gradient over 656 rows runs in 2 slices (the second one partial)', async () => {
  const xs = [2, 8, 41, 5], K = 2;
  await checkOp({ shapes: [xs, [K, 5, 5]], wrt: [1], gpu: ([x, a]) => graphAggregate(x, a), ref: ([x, a]) => aggregateRef(x, xs, a, K) });
});

t('aggregate: V = 1 and V = 64 (the largest the adjacency gradient takes)', async () => {
  await checkOp({ shapes: [[3, 2, 2, 1], [2, 1, 1]], gpu: ([x, a]) => graphAggregate(x, a), ref: ([x, a]) => aggregateRef(x, [3, 2, 2, 1], a, 2) });
  await checkOp({ shapes: [[1, 1, 2, 64], [1, 64, 64]], wrt: [1], gpu: ([x, a]) => graphAggregate(x, a), ref: ([x, a]) => aggregateRef(x, [1, 1, 2, 64], a, 1) });
  assert.throws(() => tidy(() => graphAggregate(Tensor.from(new Float32Array(65), [1, 1, 1, 65]), Tensor.from(new Float32Array(65 * 65), [1, 65, 65]))), /at most 64/);
});

function jointBiasRef(b: Float64Array, adj: Float64Array, K: number, V: number): Float64Array {
  const Cout = b.length / K;
  const out = new Float64Array(Cout * V);
  for (let c = 0; c < Cout; c++) for (let w = 0; w < V; w++) {
    let s = 0;
    for (let k = 0; k < K; k++) for (let v = 0; v < V; v++) s += b[k * Cout + c] * adj[(k * V + v) * V + w];
    out[c * V + w] = s;
  }
  return out;
}

t('joint bias: forward and both gradients (one backward dispatch), awkward sizes', async () => {
  for (const [K, Cout, V] of [[3, 7, 5], [1, 1, 1], [2, 67, 13]]) {
    await checkOp({ shapes: [[K * Cout], [K, V, V]], gpu: ([b, a]) => jointBias(b, a), ref: ([b, a]) => jointBiasRef(b, a, K, V) });
  }
  assert.throws(() => tidy(() => jointBias(Tensor.from(new Float32Array(5)), Tensor.from(new Float32Array(2 * 9), [2, 3, 3]))), /not \(K·Cout\)/);
});

t('graph conv: gradients for x, weight, bias and the mask (N=2, Cin=3, Cout=4, T=5, V=4, K=3)', async () => {
  const xs = [2, 3, 5, 4], K = 3, Cout = 4, V = 4;
  const A = randn(K * V * V, 7, 0, 1);
  const M = randn(K * V * V, 8, 0.5, 1.5);
  await checkOp({
    shapes: [xs, [K * Cout, 3, 1, 1], [K * Cout], [K, V, V], [K, V, V]],
    inputs: [randn(size(xs), 1), randn(K * Cout * 3, 2), randn(K * Cout, 3), A, M],
    wrt: [0, 1, 2, 4],
    gpu: ([x, w, b, a, m]) => graphConv(x, w, b, a, m),
    ref: ([x, w, b, a, m]) => graphConvRef(x, xs, w, b, a, m, K),
  });
});

t('graph conv on the NTU partition: forward vs the PyTorch-order reference, awkward channels', async () => {
  const layout = getLayout('ntu25');
  const A = Float64Array.from(spatialPartition(layout));
  for (const [N, Cin, Cout, T] of [[2, 3, 16, 7], [1, 17, 33, 3], [3, 64, 5, 1]]) {
    const xs = [N, Cin, T, 25];
    const x = randn(size(xs), N + 1), w = randn(3 * Cout * Cin, 2), b = randn(3 * Cout, 3), M = randn(3 * 625, 4, 0.5, 1.5);
    const y = tidy(() => graphConv(Tensor.from(x, xs), Tensor.from(w, [3 * Cout, Cin]), Tensor.from(b), Tensor.from(A, [3, 25, 25]), Tensor.from(M, [3, 25, 25])));
    assert.equal(y.shape, [N, Cout, T, 25]);
    assertClose(await y.read(), graphConvRef(x, xs, w, b, A, M, 3), 1e-4, `forward [${xs}] → ${Cout}`);
    y.dispose();
  }
});

t('graph conv without a mask or bias equals the reference with M = 1, b = 0', async () => {
  const xs = [2, 4, 3, 5], K = 2, Cout = 3;
  const x = randn(size(xs), 5), w = randn(K * Cout * 4, 6), A = randn(K * 25, 7);
  const y = tidy(() => graphConv(Tensor.from(x, xs), Tensor.from(w, [K * Cout, 4]), undefined, Tensor.from(A, [K, 5, 5])));
  assertClose(await y.read(), graphConvRef(x, xs, w, undefined, A, undefined, K), 1e-5);
  y.dispose();
});

// Both kernel families on every adapter: the one-invocation-per-output / shared-memory kernels
// and the register-blocked ones (agg_reg, adj_reg). Analytic float64 gradients of Σ g·xa:
// dx[n,c,t,v] = Σ_k Σ_w g[n,k,c,t,w]·adj[k,v,w], dadj[k,v,w] = Σ_{n,c,t} x[n,c,t,v]·g[n,k,c,t,w].
function aggregateGradsRef(x: Float64Array, xs: number[], adj: Float64Array, K: number, g: Float64Array) {
  const [N, C, T, V] = xs;
  const dx = new Float64Array(x.length), dadj = new Float64Array(adj.length);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let tt = 0; tt < T; tt++) {
    const xo = ((n * C + c) * T + tt) * V, go = (((n * K + k) * C + c) * T + tt) * V;
    for (let v = 0; v < V; v++) for (let w = 0; w < V; w++) {
      dx[xo + v] += g[go + w] * adj[(k * V + v) * V + w];
      dadj[(k * V + v) * V + w] += x[xo + v] * g[go + w];
    }
  }
  return { dx, dadj };
}

for (const path of ['flat', 'reg'] as const) {
  // [N, C, T, V], K: V 1 and 25 (column blocks of 8 with a partial one), rows not a multiple of
  // the 8×64 row tile, batches that split the adjacency gradient into several slices
  for (const [xs, K] of [[[3, 5, 7, 25], 3], [[2, 1, 1, 25], 2], [[4, 3, 5, 1], 3], [[40, 2, 3, 9], 1], [[1, 7, 65, 10], 3]] as [number[], number][]) {
    t(`${path}: aggregate forward and gradients vs analytic reference, x [${xs}], K ${K}`, async () => {
      await withKernel('graphconv', path, async () => {
        const V = xs[3];
        const s = path === 'flat' ? 40 : 50;   // other inputs per path: a stale pooled buffer cannot pass for a result
        const x = randn(size(xs), s + 1), adj = randn(K * V * V, s + 2), g = randn(size(xs) * K, s + 3);
        const got = tidy(() => {
          const tx = Tensor.from(x, xs).param(), ta = Tensor.from(adj, [K, V, V]).param();
          const y = graphAggregate(tx, ta);
          backward(sumAll(mul(y, Tensor.from(g, y.shape))));
          return [y, tx, ta];
        });
        const ref = aggregateGradsRef(x, xs, adj, K, g);
        assertClose(await got[0].read(), aggregateRef(x, xs, adj, K), 1e-5, 'xa');
        assertClose(await got[1].grad!.read(), ref.dx, 1e-5, 'dx');
        assertClose(await got[2].grad!.read(), ref.dadj, 1e-5, 'dadj');
        got[0].dispose();
        for (const p of got.slice(1)) { p.grad!.dispose(); p.dispose(); }
      });
    });
  }
}

t.run();
