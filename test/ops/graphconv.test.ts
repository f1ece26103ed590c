import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import { graphConv, graphConvRef, graphAggregate } from '../../src/ops/graphconv.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { spatialPartition } from '../../src/skeleton/graph.js';

const t = suite('ops/graphconv');
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

t.run();
