/**
 * The graph aggregation over a known support (src/ops/graphconv/support.ts, sparse.ts): against
 * the float64 reference with the adjacency masked by the support, by finite differences, and bit
 * for bit against the dense register kernels where the dense ones add the same terms in order.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, withKernel } from '../../helpers/check.js';
import { Tensor, tidy, backward } from '../../../src/tensor/index.js';
import { mul, sumAll } from '../../helpers/ops.js';
import { aggregateRef, aggregateGradsRef } from '../../../src/ops/graphconv/reference.js';
import { graphAggregate } from '../../../src/ops/graphconv/aggregate.js';
import { GraphSupport, sparseKernelSource } from '../../../src/ops/graphconv/support.js';
import { sparseSlices } from '../../../src/ops/graphconv/sparse.js';
import { spatialPartition } from '../../../src/skeleton/graph.js';
import { getLayout } from '../../../src/skeleton/layouts.js';
import { Rng } from '../../../src/util/random.js';

const t = suite('ops/graphconv/sparse');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A random 0/1 pattern of K·V·V entries with about `density` of them set (seeded). */
function randomPattern(K: number, V: number, density: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const m = new Float32Array(K * V * V);
  for (let i = 0; i < m.length; i++) m[i] = rng.next() < density ? 1 : 0;
  return m;
}

const ntu = spatialPartition(getLayout('ntu25'));
/** [x shape, K, the support's pattern, what the case covers] */
const cases: [number[], number, Float32Array, string][] = [
  [[3, 5, 7, 25], 3, ntu, 'NTU partition (73 of 1,875 entries)'],
  [[2, 3, 11, 7], 2, randomPattern(2, 7, 0.3, 1), 'random support, rows not a multiple of 64'],
  [[4, 3, 5, 1], 1, new Float32Array([1]), 'V = 1'],
  [[1, 2, 3, 13], 3, (() => { const m = randomPattern(3, 13, 1, 2); m.fill(0, 0, 169); return m; })(), 'k = 0 empty, the others dense'],
  [[3, 2, 2100, 3], 2, randomPattern(2, 3, 0.5, 3), 'C·T 4,200: the lane-sum cap slices the adjacency gradient per sample'],
];

for (const [xs, K, pattern, what] of cases) {
  const V = xs[3];
  const support = GraphSupport.of(pattern, K, V);
  const masked = (a: Float64Array) => a.map((x, i) => (pattern[i] === 0 ? 0 : x));

  t(`sparse ${what}: forward and gradients vs the float64 reference, x [${xs}], K ${K}`, async () => {
    assert.ok(support.fitsKernels);
    await withKernel('graphsparse', 'sparse', async () => {
      const x = randn(size(xs), 61), adj = randn(K * V * V, 62), g = randn(size(xs) * K, 63);
      const got = tidy(() => {
        const tx = Tensor.from(x, xs).param(), ta = Tensor.from(adj, [K, V, V]).param();
        const y = graphAggregate(tx, ta, support);
        backward(sumAll(mul(y, Tensor.from(g, y.shape))));
        return [y, tx, ta];
      });
      const ref = aggregateGradsRef(x, xs, masked(adj), K, g);
      assertClose(await got[0].read(), aggregateRef(x, xs, masked(adj), K), 1e-5, 'xa');
      assertClose(await got[1].grad!.read(), ref.dx, 1e-5, 'dx');
      const dadj = await got[2].grad!.read();
      assertClose(dadj, masked(ref.dadj), 1e-5, 'dadj');
      for (let i = 0; i < dadj.length; i++) if (pattern[i] === 0) assert.is(dadj[i], 0, `dadj off the support at ${i}`);
      got[0].dispose();
      for (const p of got.slice(1)) { p.grad!.dispose(); p.dispose(); }
    });
  });
}

t('sparse: finite differences of the reference agree with the gradients (NTU partition, small rows)', async () => {
  const xs = [2, 2, 3, 25], K = 3;
  const support = GraphSupport.of(ntu, K, 25);
  await withKernel('graphsparse', 'sparse', () => checkOp({
    shapes: [xs, [K, 25, 25]],
    gpu: ([x, a]) => graphAggregate(x, a, support),
    ref: ([x, a]) => aggregateRef(x, xs, a.map((v, i) => (ntu[i] === 0 ? 0 : v)), K),
  }));
});

t('sparse: forward and input gradient equal the dense register kernels bit for bit, the adjacency gradient on the support', async () => {
  const xs = [3, 4, 9, 25], K = 3, V = 25;
  const support = GraphSupport.of(ntu, K, V);
  const x = randn(size(xs), 71), adj = randn(K * V * V, 72).map((v, i) => v * ntu[i]), g = randn(size(xs) * K, 73);
  const run = () => tidy(() => {
    const tx = Tensor.from(x, xs).param(), ta = Tensor.from(adj, [K, V, V]).param();
    const y = graphAggregate(tx, ta, support);
    backward(sumAll(mul(y, Tensor.from(g, y.shape))));
    return [y, tx, ta];
  });
  const sparse = await withKernel('graphsparse', 'sparse', run);
  const dense = await withKernel('graphsparse', 'dense', () => withKernel('graphconv', 'reg', run));
  assert.equal(await sparse[0].read(), await dense[0].read(), 'xa');
  assert.equal(await sparse[1].grad!.read(), await dense[1].grad!.read(), 'dx');
  const ds = await sparse[2].grad!.read(), dd = await dense[2].grad!.read();
  assertClose(ds.map((v, i) => (ntu[i] === 0 ? 0 : v)), dd.map((v, i) => (ntu[i] === 0 ? 0 : v)), 1e-5, 'dadj on the support (sliced otherwise)');
  for (const r of [sparse, dense]) { r[0].dispose(); for (const p of r.slice(1)) { p.grad!.dispose(); p.dispose(); } }
});

t('support: entries, per-k counts, names and generated text', () => {
  const s = GraphSupport.of(ntu, 3, 25);
  assert.is(s.entries.length, ntu.filter((v) => v !== 0).length);
  assert.is(s.perK.reduce((a, b) => a + b, 0), s.entries.length);
  assert.is(GraphSupport.of(ntu, 3, 25).name, s.name, 'the name depends on the entries only');
  assert.is.not(GraphSupport.of(randomPattern(3, 25, 0.1, 9), 3, 25).name, s.name);
  const text = sparseKernelSource(s);
  assert.not.match(text, /\/\/ \{\{sp_/, 'every slot filled');
  assert.match(text, /const NNZ: u32 = \d+u;/);
  assert.not.ok(GraphSupport.of(new Float32Array(4), 1, 2).fitsKernels, 'an empty support stays dense');
  assert.not.ok(GraphSupport.of(new Float32Array(3 * 40 * 40).fill(1), 3, 40).fitsKernels, 'too many entries');
  assert.throws(() => GraphSupport.of(new Float32Array(5), 1, 2), /K·V·V/);
});

t('sparse: adjacency-gradient slices keep each lane within LANE_TERMS and aim for 48 workgroups where the rows are many', () => {
  const s = GraphSupport.of(ntu, 3, 25);
  assert.equal(sparseSlices(s, 128, 16, 64), { slices: 16, per: 8 });
  assert.equal(sparseSlices(s, 128, 64, 64), { slices: 64, per: 2 });
  assert.equal(sparseSlices(s, 32, 4, 16), { slices: 1, per: 32 }, 'demo block 1: 2,048 rows, one slice');
  assert.equal(sparseSlices(s, 32, 16, 16), { slices: 4, per: 8 });
});

t('graphAggregate: a support of other sizes than the adjacency is refused', () => {
  const s = GraphSupport.of(ntu, 3, 25);
  assert.throws(() => tidy(() => graphAggregate(Tensor.from(new Float32Array(7), [1, 1, 1, 7]), Tensor.from(new Float32Array(49), [1, 7, 7]), s)), /support/);
});

t.run();
