/**
 * The ST-GCN encoder in plain float64 TypeScript, written the PyTorch way (conv then graph
 * aggregation, explicit data_bn permutation): the oracle the GPU model is tested against, and the
 * function whose finite differences check its gradients. It reads the weights from a state dict
 * by their checkpoint names, so it also checks that the names mean what PyTorch means by them.
 */
import { temporalConvRef } from '../ops/tconv/reference.js';
import { graphConvRef } from '../ops/graphconv/reference.js';
import { globalAvgPoolRef } from '../ops/pool.js';
import { batchNormRef } from '../ops/batchnorm.js';
import { linearRef } from '../ops/matmul/reference.js';

export type RefState = Record<string, Float64Array>;

export interface RefModel {
  blocks: [number, number, number][];
  K: number;
  V: number;
  A: Float64Array;               // (K, V, V)
  head: 'mlp' | 'linear' | 'none';
  eps?: number;
}

const relu = (a: Float64Array): Float64Array => a.map((v) => (v > 0 ? v : 0));

/** BatchNorm over axis 1 of (outer, C, inner) with the layer `prefix` of the state: batch statistics (biased variance) or running ones. */
function batchNormLayer(x: Float64Array, outer: number, C: number, inner: number, s: RefState, prefix: string, training: boolean, eps = 1e-5): Float64Array {
  const mode = training ? { train: true as const } : { train: false as const, rm: s[`${prefix}.running_mean`], rv: s[`${prefix}.running_var`] };
  return batchNormRef(x, [outer, C, inner], 1, s[`${prefix}.weight`], s[`${prefix}.bias`], mode, eps).y;
}

/** The linear layer `prefix` of the state over N rows. */
function linearLayer(x: Float64Array, N: number, s: RefState, prefix: string): Float64Array {
  const w = s[`${prefix}.weight`], b = s[`${prefix}.bias`];
  const fout = b.length, fin = w.length / fout;
  return linearRef(x.subarray(0, N * fin), w, fout, fin, b);
}

/**
 * x (N, C, T, V, M) → the feature (N, D), or the head output (N, headDim) when `project`.
 * Dropout is not modelled (use p = 0 or eval mode).
 */
export function stgcnRef(m: RefModel, s: RefState, x: Float64Array, shape: number[], training: boolean, project = false): Float64Array {
  const [N, C, T0, V, M] = shape;
  const eps = m.eps ?? 1e-5;
  // data_bn: (N·M, V·C, T) with channel v·C + c
  const perm = new Float64Array(x.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let t = 0; t < T0; t++) for (let v = 0; v < V; v++) for (let p = 0; p < M; p++)
    perm[(((n * M + p) * V + v) * C + c) * T0 + t] = x[(((n * C + c) * T0 + t) * V + v) * M + p];
  const bn = batchNormLayer(perm, N * M, V * C, T0, s, 'data_bn', training, eps);
  let h: Float64Array = new Float64Array(x.length);
  for (let nm = 0; nm < N * M; nm++) for (let c = 0; c < C; c++) for (let t = 0; t < T0; t++) for (let v = 0; v < V; v++)
    h[((nm * C + c) * T0 + t) * V + v] = bn[((nm * V + v) * C + c) * T0 + t];
  let T = T0;
  m.blocks.forEach(([cin, cout, stride], i) => {
    const p = `st_gcn_networks.${i}`;
    const xs = [N * M, cin, T, V];
    const g = graphConvRef(h, xs, s[`${p}.gcn.conv.weight`], s[`${p}.gcn.conv.bias`], m.A, s[`edge_importance.${i}`], m.K);
    let y = relu(batchNormLayer(g, N * M, cout, T * V, s, `${p}.tcn.0`, training, eps));
    y = temporalConvRef(y, [N * M, cout, T, V], s[`${p}.tcn.2.weight`], cout, 9, s[`${p}.tcn.2.bias`], stride, 4);
    const Tout = Math.floor((T - 1) / stride) + 1;
    y = batchNormLayer(y, N * M, cout, Tout * V, s, `${p}.tcn.3`, training, eps);
    let res: Float64Array | undefined;
    if (`${p}.residual.0.weight` in s) {
      res = temporalConvRef(h, xs, s[`${p}.residual.0.weight`], cout, 1, s[`${p}.residual.0.bias`], stride, 0);
      res = batchNormLayer(res, N * M, cout, Tout * V, s, `${p}.residual.1`, training, eps);
    } else if (i > 0) res = h;
    h = relu(res ? y.map((v, j) => v + res![j]) : y);
    T = Tout;
  });
  const D = m.blocks[m.blocks.length - 1][1];
  const f = globalAvgPoolRef(h, N * M, D, T * V, M);
  if (!project || m.head === 'none') return f;
  if (m.head === 'linear') return linearLayer(f, N, s, 'fc');
  return linearLayer(relu(linearLayer(f, N, s, 'fc.0')), N, s, 'fc.2');
}
