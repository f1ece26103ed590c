/**
 * ST-GCN's spatial graph convolution — kernels/graphconv.wgsl (aggregation) and
 * kernels/temporalconv.wgsl (its 1×1 case for the channel mixing).
 *
 * PyTorch computes z = conv1×1(x) (N, K·Cout, T, V), then y = Σ_k z_k · (A_k ∘ M_k). Both steps are
 * linear, so we aggregate first and mix after:
 *   xa[n,k,i,t,w] = Σ_v x[n,i,t,v] · adj[k,v,w]                       (adj = A ∘ M)
 *   y[n,c,t,w]    = Σ_{k,i} W[k·Cout+c, i] · xa[n,k,i,t,w] + Σ_k b[k·Cout+c] · colsum_k[w]
 * with colsum_k[w] = Σ_v adj[k,v,w]. The intermediate has K·Cin channels instead of K·Cout
 * (4× smaller in the last block), and the bias becomes a per-joint bias of the mixing conv
 * (`jointBias`, kernels/graphconv_bias.wgsl: one dispatch each way).
 * Every step records its own backward, so the gradients reach x, W, b and the mask M.
 * On software adapters (llvmpipe; `convTuning` of src/ops/tconv.ts) the aggregation and its
 * gradients use the register-blocked entries `agg_reg` / `adj_reg` (no barriers in the loops,
 * adjacency loads shared by all lanes), ~5× faster there than `aggregate` / `adj_grad`.
 * Which kernels run each pass, and their work split, is the tunable `graphVariant`
 * (src/ops/graphconvvariant.ts): a tuned choice from the cache, else that default.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { mul } from './elementwise.js';
import { sumAxes } from './reduce.js';
import { maxSamplesPerSlice } from './lanesums.js';
import { reshape, permute } from './shape.js';
import { temporalConv } from './temporalconv.js';
import { graphVariant, FLAT_WG, type GraphVariant, type GraphDims } from './graphconvvariant.js';

const enum Mode { Forward = 0, InputGrad = 1 }
/** The adjacency-gradient kernel keeps up to 64·64 (v, w) pairs per workgroup. */
export const MAX_JOINTS = 64;

const MAX_GROUPS = 65535;
const BIAS_WG = 64;   // kernels/graphconv_bias.wgsl's default WG

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
    const kernel = G().kernel('graphconv', 'agg_reg', { TR, TW, RWG });
    const groups = Math.ceil(rows / (RWG * TR));
    for (let g0 = 0; g0 < groups; g0 += MAX_GROUPS) {
      G().dispatch(kernel, [src.buffer, adj.buffer, out.buffer], [mode, N, K, C * T, V, rows, nwb, g0 * RWG * TR, 0, 0, 0, 0],
        [Math.min(MAX_GROUPS, groups - g0), mode === Mode.Forward ? K * nwb : nwb, 1]);
    }
    return out;
  }
  // the workgroup size stays out of the overrides at its WGSL default (the pipeline every caller shares)
  G().dispatch(G().kernel('graphconv', 'aggregate', v.WG === FLAT_WG ? {} : { WG: v.WG }), [src.buffer, adj.buffer, out.buffer],
    [mode, N, K, C, T, V, 0, out.size], Math.ceil(out.size / v.WG));
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
    G().dispatch(G().kernel('graphconv', 'adj_reg', { TR, TW, RWG }), [x.buffer, dxa.buffer, partial.buffer],
      [0, N, K, C * T, V, N * C * T, nwb, 0, per, 0, 0, 0], [slices, nvb, K * nwb]);
  } else {
    G().dispatch(G().kernel('graphconv', 'adj_grad'), [x.buffer, dxa.buffer, partial.buffer],
      [0, N, K, C, T, V, per, 0], [K, slices, 1]);
  }
  if (slices === 1) { const out = partial.view([K, V, V]); partial.dispose(); return out; }
  const sum = sumAxes(partial, 0);
  partial.dispose();
  return sum;
}

/**
 * xa (N, K·C, T, V), channel k·C + c: x aggregated over the graph with each of the K adjacency
 * matrices adj (K, V, V). Gradients for x and adj.
 */
export function graphAggregate(x: Tensor, adj: Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`graphAggregate: x must be (N, C, T, V), got [${x.shape}]`);
  const [N, C, T, V] = x.shape;
  if (adj.rank !== 3 || adj.shape[1] !== V || adj.shape[2] !== V) throw new Error(`graphAggregate: adjacency [${adj.shape}] is not (K, ${V}, ${V})`);
  if (V > MAX_JOINTS) throw new Error(`graphAggregate: ${V} joints; the kernels take at most ${MAX_JOINTS}`);
  const K = adj.shape[0];
  const out = aggregateRaw(true, x, adj, N, K, C, T, V);
  return record('graphAggregate', out, [x, adj], (g) => [
    x.requiresGrad ? aggregateRaw(false, g, adj, N, K, C, T, V) : undefined,
    adj.requiresGrad ? adjacencyGrad(x, g, N, K, C, T, V) : undefined,
  ]);
}

/**
 * y[n,c,t,w] = Σ_k Σ_v (Σ_i W[k·Cout+c, i]·x[n,i,t,v] + b[k·Cout+c]) · (A_k ∘ M_k)[v,w].
 * x (N, Cin, T, V); weight (K·Cout, Cin) or (K·Cout, Cin, 1, 1); bias (K·Cout) or undefined;
 * A (K, V, V) a constant; M (K, V, V) the learnable edge importance (or undefined: all ones).
 */
export function graphConv(x: Tensor, weight: Tensor, bias: Tensor | undefined, A: Tensor, M?: Tensor): Tensor {
  const [, Cin] = x.shape;
  const K = A.shape[0], V = A.shape[1];
  const KCout = weight.shape[0];
  if (KCout % K !== 0 || weight.size !== KCout * Cin) throw new Error(`graphConv: weight [${weight.shape}] is not (K·Cout, ${Cin}) with K = ${K}`);
  const Cout = KCout / K;
  const adj = M ? mul(A, M) : A;
  const xa = graphAggregate(x, adj);
  // W'[c, k·Cin + i] = W[k·Cout + c, i]: the mixing conv's weight
  const w2 = reshape(permute(reshape(weight, [K, Cout, Cin]), [1, 0, 2]), [Cout, K * Cin]);
  const b2 = bias ? jointBias(bias, adj) : undefined;
  return temporalConv(xa, w2, b2, { stride: 1, pad: 0 });
}

/**
 * The mixing conv's per-joint bias b2[c, w] = Σ_k b[k·Cout + c] · Σ_v adj[k, v, w] (Cout, V), from
 * the 1×1 conv's bias b (K·Cout) and adj (K, V, V): kernels/graphconv_bias.wgsl, one dispatch
 * forward and one for both gradients.
 */
export function jointBias(bias: Tensor, adj: Tensor): Tensor {
  const [K, V] = adj.shape;
  if (adj.rank !== 3 || adj.shape[2] !== V || bias.size % K !== 0) throw new Error(`jointBias: bias [${bias.shape}] and adjacency [${adj.shape}] are not (K·Cout) and (K, V, V)`);
  const Cout = bias.size / K;
  const params = [K, Cout, V, 0];
  const out = Tensor.empty([Cout, V]);
  G().dispatch(G().kernel('graphconv_bias', 'forward'), [bias.buffer, adj.buffer, out.buffer], params, Math.ceil(out.size / BIAS_WG));
  return record('jointBias', out, [bias, adj], (g) => {
    const db = Tensor.empty(bias.shape), dadj = Tensor.empty(adj.shape);
    G().dispatch(G().kernel('graphconv_bias', 'backward'), [bias.buffer, adj.buffer, g.buffer, db.buffer, dadj.buffer], params,
      Math.ceil((db.size + dadj.size) / BIAS_WG));
    if (!bias.requiresGrad) db.dispose();
    if (!adj.requiresGrad) dadj.dispose();
    return [bias.requiresGrad ? db : undefined, adj.requiresGrad ? dadj : undefined];
  });
}

/** float64 reference, computed the PyTorch way (conv first, then aggregate). */
export function graphConvRef(x: Float64Array, xs: number[], w: Float64Array, b: Float64Array | undefined,
  A: Float64Array, M: Float64Array | undefined, K: number): Float64Array {
  const [N, Cin, T, V] = xs;
  const Cout = w.length / Cin / K;
  const y = new Float64Array(N * Cout * T * V);
  const z = new Float64Array(V);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < Cout; c++) for (let t = 0; t < T; t++) {
    const o = k * Cout + c;
    for (let v = 0; v < V; v++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < Cin; i++) s += w[o * Cin + i] * x[((n * Cin + i) * T + t) * V + v];
      z[v] = s;
    }
    for (let wj = 0; wj < V; wj++) {
      let s = 0;
      for (let v = 0; v < V; v++) { const e = (k * V + v) * V + wj; s += z[v] * A[e] * (M ? M[e] : 1); }
      y[((n * Cout + c) * T + t) * V + wj] += s;
    }
  }
  return y;
}
