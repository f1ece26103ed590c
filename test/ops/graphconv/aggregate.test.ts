import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, withKernel } from '../../helpers/check.js';
import { Tensor, tidy, backward } from '../../../src/tensor/index.js';
import { mul, sumAll } from '../../helpers/ops.js';
import { aggregateRef, aggregateGradsRef } from '../../../src/ops/graphconv/reference.js';
import { graphAggregate } from '../../../src/ops/graphconv/aggregate.js';

const t = suite('ops/graphconv/aggregate');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

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

// Both kernel families on every adapter: the one-invocation-per-output / shared-memory kernels
// and the register-blocked ones (agg_reg, adj_reg). Analytic float64 gradients of Σ g·xa:
// dx[n,c,t,v] = Σ_k Σ_w g[n,k,c,t,w]·adj[k,v,w], dadj[k,v,w] = Σ_{n,c,t} x[n,c,t,v]·g[n,k,c,t,w].
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
