/**
 * The graph aggregation's three passes over a known support (./support.ts), on the kernels it
 * generates from kernels/graphconv/sparse.wgsl: the forward and the input gradient one row
 * (n, c, t) per invocation, the adjacency gradient as per-slice sums of the support's entries
 * that one more dispatch adds up and spreads over the dense (K, V, V) gradient (0 off the support);
 * in one slice the sums go straight to the dense gradient.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { maxSamplesPerSlice } from '../lanesums.js';
import { SPARSE_RWG, type GraphSupport } from './support.js';

/** Lanes of the one-row-per-invocation entries and of sp_expand. */
const WG = 64;
/** Workgroups the adjacency gradient aims for (slices × K), as the dense `adj_reg` does. */
const ADJ_GROUPS = 48;
/** Rows (n, c, t) worth a slice of their own: ≈ 0.15 ms of one llvmpipe thread, ≈ 2 dispatches' overhead. */
const ROWS_PER_SLICE = 2048;

/** xa (N, K·C, T, V) from x (forward), or dx (N, C, T, V) from dxa (input gradient). */
export function sparseAggregate(forward: boolean, src: Tensor, adj: Tensor, s: GraphSupport, N: number, C: number, T: number): Tensor {
  const out = Tensor.empty(forward ? [N, s.K * C, T, s.V] : [N, C, T, s.V]);
  const rows = N * C * T;
  G().dispatch(G().kernel(s.kernelName(), forward ? 'sp_fwd' : 'sp_dx'), { in0: src.buffer, in1: adj.buffer, out: out.buffer },
    { rows, ct: C * T, n: N, n_per_slice: 0, expand: 0 }, Math.ceil(rows / WG));
  return out;
}

/**
 * Samples per slice of the adjacency gradient: about ADJ_GROUPS workgroups (slices × K) where
 * the rows are many, one slice per ROWS_PER_SLICE rows below that (a dispatch saved outweighs
 * the parallelism there), and never a lane adding more than LANE_TERMS terms.
 */
export function sparseSlices(s: GraphSupport, N: number, C: number, T: number): { slices: number; per: number } {
  const want = Math.max(1, Math.min(N, Math.ceil(ADJ_GROUPS / s.K), Math.ceil(N * C * T / ROWS_PER_SLICE)));
  const per = Math.min(Math.ceil(N / want), maxSamplesPerSlice(Math.ceil(C * T / SPARSE_RWG)));
  return { slices: Math.ceil(N / per), per };
}

/** dadj (K, V, V) = Σ_{n,c,t} x[n,c,t,v] · dxa[n,k,c,t,w] on the support, 0 elsewhere. */
export function sparseAdjacencyGrad(x: Tensor, dxa: Tensor, s: GraphSupport, N: number, C: number, T: number): Tensor {
  const { slices, per } = sparseSlices(s, N, C, T);
  const name = s.kernelName();
  const out = Tensor.empty([s.K, s.V, s.V]);
  const params = { rows: N * C * T, ct: C * T, n: N, n_per_slice: per, expand: slices === 1 ? 1 : 0 };
  const partial = slices === 1 ? out : Tensor.empty([slices, s.entries.length]);
  G().dispatch(G().kernel(name, 'sp_adj', { RWG: SPARSE_RWG }), { in0: x.buffer, in1: dxa.buffer, out: partial.buffer }, params, [slices, s.K, 1]);
  if (slices === 1) return out;
  G().dispatch(G().kernel(name, 'sp_expand'), { in0: partial.buffer, out: out.buffer },
    { rows: 0, ct: 0, n: slices, n_per_slice: 0, expand: 0 }, Math.ceil(out.size / WG));
  partial.dispose();
  return out;
}
