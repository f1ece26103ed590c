/**
 * The graph aggregation of ST-GCN's spatial graph convolution — kernels/graphconv/aggregate.wgsl:
 *   xa[n,k,i,t,w] = Σ_v x[n,i,t,v] · adj[k,v,w]
 * with its input gradient (the same kernels, transposed adjacency) and the adjacency gradient
 * dadj[k,v,w] = Σ_{n,c,t} x[n,c,t,v] · dxa[n,k,c,t,w]. Which entries run each pass, and their
 * work split, is `graphVariant` (./variants.ts): the register-blocked `agg_reg` / `adj_reg`
 * (no barriers in the loops, adjacency loads shared by all lanes) on software adapters, the flat
 * `aggregate` / `adj_grad` on GPUs, or a tuned choice.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { record } from '../../tensor/autograd.js';
import { sumAxes } from '../reduce.js';
import { maxSamplesPerSlice } from '../lanesums.js';
import { graphVariant, FLAT_WG, type GraphVariant, type GraphDims } from './variants.js';
import { kernelSetting } from '../../gpu/policy.js';
import type { GraphSupport } from './support.js';
import { sparseAggregate, sparseAdjacencyGrad } from './sparse.js';

const enum Mode { Forward = 0, InputGrad = 1 }
/** The adjacency-gradient kernel keeps up to 64·64 (v, w) pairs per workgroup. */
export const MAX_JOINTS = 64;

const MAX_GROUPS = 65535;
/**
 * The aggregation (forward: xa (N, K·C, T, V) from x) or its input gradient (dx (N, C, T, V)
 * from dxa), by the pass's variant: `agg_reg` with TR rows × TW columns per invocation of RWG
 * lanes, or `aggregate` with one output per invocation.
 */
export function aggregateRaw(forward: boolean, src: Tensor, adj: Tensor, N: number, K: number, C: number, T: number, V: number): Tensor {
  const mode = forward ? Mode.Forward : Mode.InputGrad;
  const out = Tensor.empty(mode === Mode.Forward ? [N, K * C, T, V] : [N, C, T, V]);
  const v = graphVariant(forward ? 'fwd' : 'dx', { N, C, T, V, K });
  if (v.path === 'reg') {
    const { TR, TW, RWG } = v;
    const rows = N * C * T, nwb = Math.ceil(V / TW);
    const kernel = G().kernel('graphconv/aggregate', 'agg_reg', { TR, TW, RWG });
    const groups = Math.ceil(rows / (RWG * TR));
    for (let g0 = 0; g0 < groups; g0 += MAX_GROUPS) {
      G().dispatch(kernel, { in0: src.buffer, in1: adj.buffer, out: out.buffer }, { mode, n: N, k: K, ct: C * T, v: V, rows, nwb, r0: g0 * RWG * TR, n_per_slice: 0 },
        [Math.min(MAX_GROUPS, groups - g0), mode === Mode.Forward ? K * nwb : nwb, 1]);
    }
    return out;
  }
  // the workgroup size stays out of the overrides at its WGSL default (the pipeline every caller shares)
  G().dispatch(G().kernel('graphconv/aggregate', 'aggregate', v.WG === FLAT_WG ? {} : { WG: v.WG }), { in0: src.buffer, in1: adj.buffer, out: out.buffer },
    { mode, n: N, k: K, c: C, t: T, v: V, chunk: 0, total: out.size }, Math.ceil(out.size / v.WG));
  return out;
}

/**
 * How the adjacency gradient's variant splits its work: flat, rows (n, c, t) in `slices` chunks of
 * `per` rows (a multiple of adj_grad's 32-row staging); reg, samples in `slices` groups of `per`.
 * About `GROUPS` workgroups in all either way (reg: more where a lane would otherwise add over
 * LANE_TERMS terms).
 */
export function adjacencySlices(v: GraphVariant, d: GraphDims): { slices: number; per: number } {
  if (v.path === 'flat') {
    const rows = d.N * d.C * d.T;
    const want = Math.max(1, Math.min(Math.ceil(v.GROUPS / d.K), Math.floor(rows / 256)));
    const per = Math.ceil(rows / want / 32) * 32;
    return { slices: Math.ceil(rows / per), per };
  }
  const tiles = Math.ceil(d.V / v.TR) * Math.ceil(d.V / v.TW) * d.K;
  // a lane adds ⌈C·T / RWG⌉ terms per sample: at most LANE_TERMS in all (src/ops/lanesums.ts)
  const per = Math.min(Math.ceil(d.N / Math.max(1, Math.min(d.N, Math.ceil(v.GROUPS / tiles)))), maxSamplesPerSlice(Math.ceil(d.C * d.T / v.RWG)));
  return { slices: Math.ceil(d.N / per), per };
}

/**
 * dadj[k,v,w] = Σ_{n,c,t} x[n,c,t,v] · dxa[n,k,c,t,w], in slices summed afterwards: `adj_grad`
 * (rows staged in workgroup memory) or `adj_reg` (register sums per lane over the slice's
 * samples, fixed-order workgroup sums).
 */
export function adjacencyGrad(x: Tensor, dxa: Tensor, N: number, K: number, C: number, T: number, V: number): Tensor {
  const d = { N, C, T, V, K };
  const v = graphVariant('dadj', d);
  const { slices, per } = adjacencySlices(v, d);
  const partial = Tensor.empty([slices, K, V, V]);
  if (v.path === 'reg') {
    const { TR, TW, RWG } = v;
    const nvb = Math.ceil(V / TR), nwb = Math.ceil(V / TW);
    G().dispatch(G().kernel('graphconv/aggregate', 'adj_reg', { TR, TW, RWG }), { in0: x.buffer, in1: dxa.buffer, out: partial.buffer },
      { mode: 0, n: N, k: K, ct: C * T, v: V, rows: N * C * T, nwb, r0: 0, n_per_slice: per }, [slices, nvb, K * nwb]);
  } else {
    G().dispatch(G().kernel('graphconv/aggregate', 'adj_grad'), { in0: x.buffer, in1: dxa.buffer, out: partial.buffer },
      { mode: 0, n: N, k: K, c: C, t: T, v: V, chunk: per, total: 0 }, [K, slices, 1]);
  }
  if (slices === 1) { const out = partial.view([K, V, V]); partial.dispose(); return out; }
  const sum = sumAxes(partial, 0);
  partial.dispose();
  return sum;
}

/**
 * xa (N, K·C, T, V), channel k·C + c: x aggregated over the graph with each of the K adjacency
 * matrices adj (K, V, V). Gradients for x and adj.
 *
 * A support (./support.ts) names the entries where adj may be nonzero; adj must be zero off it,
 * as A ∘ M is off A's. The generated sparse kernels (./sparse.ts) then compute only the support's
 * products, and give the entries off it a zero gradient, where the policy says
 * `graphsparse=sparse` (the default on software adapters) and the support fits them; the dense
 * kernels take adj as it is (the same xa and dx; a caller of the adjacency's gradient off the
 * support, such as ∂(A ∘ M)/∂M, multiplies it by zero).
 */
export function graphAggregate(x: Tensor, adj: Tensor, support?: GraphSupport): Tensor {
  if (x.rank !== 4) throw new Error(`graphAggregate: x must be (N, C, T, V), got [${x.shape}]`);
  const [N, C, T, V] = x.shape;
  if (adj.rank !== 3 || adj.shape[1] !== V || adj.shape[2] !== V) throw new Error(`graphAggregate: adjacency [${adj.shape}] is not (K, ${V}, ${V})`);
  const K = adj.shape[0];
  if (support && (support.K !== K || support.V !== V)) throw new Error(`graphAggregate: a support of (${support.K}, ${support.V}, ${support.V}) for an adjacency [${adj.shape}]`);
  if (support && support.fitsKernels && kernelSetting('graphsparse').value === 'sparse') {
    const s = support;
    const out = sparseAggregate(true, x, adj, s, N, C, T);
    return record('graphAggregate', out, [x, adj], (g) => [
      x.requiresGrad ? sparseAggregate(false, g, adj, s, N, C, T) : undefined,
      adj.requiresGrad ? sparseAdjacencyGrad(x, g, s, N, C, T) : undefined,
    ]);
  }
  if (V > MAX_JOINTS) throw new Error(`graphAggregate: ${V} joints; the kernels take at most ${MAX_JOINTS}`);
  const out = aggregateRaw(true, x, adj, N, K, C, T, V);
  return record('graphAggregate', out, [x, adj], (g) => [
    x.requiresGrad ? aggregateRaw(false, g, adj, N, K, C, T, V) : undefined,
    adj.requiresGrad ? adjacencyGrad(x, g, N, K, C, T, V) : undefined,
  ]);
}

