import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hopDistances, normaliseColumns, spatialPartition } from '../../src/skeleton/graph.js';
import { getLayout, layoutNames } from '../../src/skeleton/layouts.js';

const t = suite('skeleton/graph');

const at = (A: Float32Array, V: number, k: number, i: number, j: number): number => A[(k * V + i) * V + j];

function close(actual: Float32Array, expected: number[][][], V: number): void {
  for (let k = 0; k < 3; k++) for (let i = 0; i < V; i++) for (let j = 0; j < V; j++)
    assert.ok(Math.abs(at(actual, V, k, i, j) - expected[k][i][j]) < 1e-6, `A[${k}][${i}][${j}] = ${at(actual, V, k, i, j)}, expected ${expected[k][i][j]}`);
}

t('hop distances: BFS, capped, Infinity when unreachable', () => {
  const h = hopDistances(4, [[0, 1], [1, 2]]);
  assert.equal(Array.from(h.subarray(0, 4)), [0, 1, 2, Infinity]);
  const capped = hopDistances(4, [[0, 1], [1, 2]], 1);
  assert.equal(Array.from(capped.subarray(0, 4)), [0, 1, Infinity, Infinity]);
});

t('column normalisation', () => {
  const An = normaliseColumns(Float64Array.from([1, 1, 0, 1, 1, 0, 0, 0, 0]), 3);
  assert.equal(Array.from(An), [0.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 0]); // empty column stays zero
});

// Chain 0-1-2-3. Adjacency (hop ≤ 1) is tridiagonal; column sums: 2, 3, 3, 2.
// An[i][j] = A[i][j] / colsum[j].  The rule: for a hop-1 pair (row j, column i), compare the
// centre distances d(j) vs d(i): equal → k=1 (root), d(j) > d(i) → k=1 ('close'), d(j) < d(i) → k=2.
const h = 1 / 2, th = 1 / 3;
t('hand-computed chain, centre at an end (original ST-GCN: capped centre distances)', () => {
  // d = [0, 1, ∞, ∞]
  const A = spatialPartition({ V: 4, edges: [[0, 1], [1, 2], [2, 3]], centre: 0 });
  close(A, [
    [[h, 0, 0, 0], [0, th, 0, 0], [0, 0, th, 0], [0, 0, 0, h]],
    // row 1 col 0: d1=1 > d0=0 → k1, An[1][0]=1/2; row 2 col 1: ∞ > 1 → k1, 1/3;
    // rows 2,3 both ∞ → equal → root: [3][2] = 1/3, [2][3] = 1/2
    [[0, 0, 0, 0], [h, 0, 0, 0], [0, th, 0, h], [0, 0, th, 0]],
    // row 0 col 1: 0 < 1 → k2, An[0][1] = 1/3; row 1 col 2: 1 < ∞ → k2, 1/3
    [[0, th, 0, 0], [0, 0, th, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
  ], 4);
});

t('hand-computed chain, centre at an end (exact centre distances)', () => {
  // d = [0, 1, 2, 3]: the pair (2,3) now splits like the others
  const A = spatialPartition({ V: 4, edges: [[0, 1], [1, 2], [2, 3]], centre: 0 }, { centreDistance: 'exact' });
  close(A, [
    [[h, 0, 0, 0], [0, th, 0, 0], [0, 0, th, 0], [0, 0, 0, h]],
    [[0, 0, 0, 0], [h, 0, 0, 0], [0, th, 0, 0], [0, 0, th, 0]],
    [[0, th, 0, 0], [0, 0, th, 0], [0, 0, 0, h], [0, 0, 0, 0]],
  ], 4);
});

t('hand-computed chain, centre in the middle (both modes agree)', () => {
  // centre 1: d = [1, 0, 1, ∞] capped, [1, 0, 1, 2] exact — same ordering for every hop-1 pair
  for (const mode of ['stgcn', 'exact'] as const) {
    const A = spatialPartition({ V: 4, edges: [[0, 1], [1, 2], [2, 3]], centre: 1 }, { centreDistance: mode });
    close(A, [
      [[h, 0, 0, 0], [0, th, 0, 0], [0, 0, th, 0], [0, 0, 0, h]],
      // [0][1]: 1 > 0 → k1 (1/3); [2][1]: 1 > 0 → k1 (1/3); [3][2]: 2 > 1 → k1 (1/3)
      [[0, th, 0, 0], [0, 0, 0, 0], [0, th, 0, 0], [0, 0, th, 0]],
      // [1][0]: 0 < 1 → k2 (An[1][0] = 1/2); [1][2]: k2 (1/3); [2][3]: 1 < 2 → k2 (1/2)
      [[0, 0, 0, 0], [h, 0, th, 0], [0, 0, 0, h], [0, 0, 0, 0]],
    ], 4);
  }
});

t('built-in layouts: columns of the sum sum to 1, structure per k', () => {
  for (const name of layoutNames()) {
    const l = getLayout(name);
    const V = l.V;
    for (const mode of ['stgcn', 'exact'] as const) {
      const A = spatialPartition(l, { centreDistance: mode });
      assert.is(A.length, 3 * V * V);
      for (let j = 0; j < V; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) for (let i = 0; i < V; i++) s += at(A, V, k, i, j);
        assert.ok(Math.abs(s - 1) < 1e-6, `${name}/${mode}: column ${j} sums to ${s}`);
      }
      for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) {
        // k=0 is diagonal and positive there
        if (i === j) assert.ok(at(A, V, 0, i, i) > 0); else assert.is(at(A, V, 0, i, j), 0);
        // hop-1 groups never touch the diagonal, and each edge appears in exactly one direction-group
        const nonzero = [1, 2].filter((k) => at(A, V, k, i, j) !== 0).length;
        assert.ok(nonzero <= 1);
        // the support of k1 ∪ k2 is symmetric (the adjacency is), though the weights are not
        const either = (a: number, b: number): boolean => at(A, V, 1, a, b) !== 0 || at(A, V, 2, a, b) !== 0;
        assert.is(either(i, j), either(j, i));
      }
      // centre rows: the centre is a neighbour closer to the centre than any of its neighbours,
      // so its row only has weight in k2 (besides its self loop), and its column only in k1
      const c = l.centre;
      for (let w = 0; w < V; w++) if (w !== c) {
        assert.is(at(A, V, 1, c, w), 0, `${name}: centre row has no k1 weight`);
        assert.is(at(A, V, 2, w, c), 0, `${name}: centre column has no k2 weight`);
      }
      const deg = l.edges.filter(([a, b]) => a === c || b === c).length;
      assert.is([...Array(V).keys()].filter((w) => at(A, V, 2, c, w) !== 0).length, deg);
      // in exact mode, k2 holds exactly the edges seen from the parent's side: row = parent, column = child
      if (mode === 'exact') for (const [child, parent] of l.bones) if (child !== parent) {
        assert.ok(at(A, V, 2, parent, child) > 0, `${name}: parent ${parent} → child ${child} in k2`);
        assert.ok(at(A, V, 1, child, parent) > 0, `${name}: child ${child} → parent ${parent} in k1`);
      }
    }
  }
});

t('ntu25 centre column and row values', () => {
  const l = getLayout('ntu25');
  const V = 25, c = 20;
  const A = spatialPartition(l);
  // joint 21 (1-based) has neighbours 2, 3, 5, 9 → column sum 5
  assert.ok(Math.abs(at(A, V, 0, c, c) - 1 / 5) < 1e-7);
  for (const n of [1, 2, 4, 8]) assert.ok(Math.abs(at(A, V, 1, n, c) - 1 / 5) < 1e-7);
  // row c: the centre as input to its neighbour's output n: An[c][n] = 1/colsum[n]
  assert.ok(Math.abs(at(A, V, 2, c, 2) - 1 / 3) < 1e-7);  // Neck: neighbours 21, Head + self
  assert.ok(Math.abs(at(A, V, 2, c, 1) - 1 / 3) < 1e-7);  // SpineMid: SpineBase, 21 + self
});

t.run();
