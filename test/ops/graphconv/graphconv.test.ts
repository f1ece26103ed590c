import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../../helpers/check.js';
import { Tensor, tidy } from '../../../src/tensor/index.js';
import { graphConv } from '../../../src/ops/graphconv/graphconv.js';
import { graphConvRef } from '../../../src/ops/graphconv/reference.js';
import { getLayout } from '../../../src/skeleton/layouts.js';
import { spatialPartition } from '../../../src/skeleton/graph.js';

const t = suite('ops/graphconv/graphconv');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

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
