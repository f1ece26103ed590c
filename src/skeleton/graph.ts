/**
 * The ST-GCN "spatial configuration" partition (Yan et al. 2018), max hop 1 → K = 3 matrices,
 * computed the way the public ST-GCN code (net/utils/graph.py) does it, so the graph matches
 * PyTorch checkpoints whose edge-importance masks were learned against it.
 *
 * One faithful quirk: the original code measures every joint's distance to the centre with the
 * same hop table it uses for the adjacency, which is capped at max hop — joints two or more hops
 * from the centre are all "Infinity" there, so pairs of such joints compare equal and land in the
 * root group. `centreDistance: 'exact'` uses true BFS distances instead (the paper's intent).
 */
import type { Layout } from './layouts.js';

/** hop[i][j] (row-major V×V): shortest path length, Infinity when farther than maxHop or unreachable. */
export function hopDistances(V: number, edges: readonly [number, number][], maxHop = Infinity): Float64Array {
  const nbrs: number[][] = Array.from({ length: V }, () => []);
  for (const [a, b] of edges) if (a !== b) { nbrs[a].push(b); nbrs[b].push(a); }
  const hop = new Float64Array(V * V).fill(Infinity);
  for (let s = 0; s < V; s++) {
    hop[s * V + s] = 0;
    const queue = [s];
    for (let h = 0; h < queue.length; h++) {
      const u = queue[h];
      const du = hop[s * V + u];
      if (du >= maxHop) continue; // do not expand past the cap
      for (const w of nbrs[u]) if (hop[s * V + w] === Infinity) { hop[s * V + w] = du + 1; queue.push(w); }
    }
  }
  return hop;
}

/** An = A·D⁻¹ with D the column sums: every non-empty column sums to 1. */
export function normaliseColumns(A: Float64Array, V: number): Float64Array {
  const out = new Float64Array(V * V);
  for (let j = 0; j < V; j++) {
    let s = 0;
    for (let i = 0; i < V; i++) s += A[i * V + j];
    if (s > 0) for (let i = 0; i < V; i++) out[i * V + j] = A[i * V + j] / s;
  }
  return out;
}

export interface PartitionOptions {
  /** 'stgcn' (default): distances to the centre capped at max hop, as the original code; 'exact': BFS. */
  centreDistance?: 'stgcn' | 'exact';
}

/**
 * The K = 3 spatial partition of a layout, Float32Array (3, V, V) row-major: out[k][v][w] is the
 * weight from input joint v to output joint w (the einsum 'nkctv,kvw->nctw' of ST-GCN).
 *   k = 0: self loops (hop 0);
 *   k = 1: hop-1 pairs (row j, column i) where j is as far from the centre as i (root) or farther;
 *   k = 2: hop-1 pairs where j is closer to the centre than i.
 * (The labels 'close'/'further' of the original code are kept in the comments below; the
 * comparison is theirs verbatim.)
 */
export function spatialPartition(layout: Pick<Layout, 'V' | 'edges' | 'centre'>, opts: PartitionOptions = {}): Float32Array {
  const { V, edges, centre } = layout;
  const maxHop = 1;
  const hop = hopDistances(V, edges, maxHop);
  const toCentre = opts.centreDistance === 'exact' ? hopDistances(V, edges) : hop;
  const dc = (v: number): number => toCentre[v * V + centre];

  const adjacency = new Float64Array(V * V);
  for (let i = 0; i < V * V; i++) if (hop[i] <= maxHop) adjacency[i] = 1;
  const An = normaliseColumns(adjacency, V);

  const out = new Float32Array(3 * V * V);
  const VV = V * V;
  for (let j = 0; j < V; j++) {
    for (let i = 0; i < V; i++) {
      const h = hop[j * V + i];
      if (h > maxHop) continue;
      const a = An[j * V + i];
      const dj = dc(j), di = dc(i);
      // Infinity === Infinity is true in JS as in numpy, which is the quirk described above.
      if (h === 0) {
        if (dj === di) out[j * V + i] = a;                       // a_root of hop 0: the self loops
      } else if (dj === di) out[VV + j * V + i] = a;             // a_root
      else if (dj > di) out[VV + j * V + i] = a;                 // a_close
      else out[2 * VV + j * V + i] = a;                          // a_further
    }
  }
  return out;
}
