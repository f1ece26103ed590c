/**
 * The GRU encoder of the official CMD code in plain float64 TypeScript, written the way that code
 * computes it: permute (N, C, T, V, M) to (N, T, V, C, M) and flatten each frame, BatchNorm1d over
 * the features of (N, features, T), then — faithful mode — a bidirectional nn.GRU called one time
 * step at a time with the hidden state carried (so both of a layer's cells step forward), the
 * output of the last call as the feature. Bidirectional mode runs the reverse cells backwards and
 * takes nn.GRU's h_n (each cell after its last step). Weights are read from a state dict by their
 * official names, so this also checks that the names mean what PyTorch means by them.
 */
import { gruCellRef, type GruCellRef } from '../ops/gru/reference.js';
import { batchNormRef } from '../ops/batchnorm.js';
import type { RefState } from './stgcn-reference.js';

export interface GruRefModel {
  hidden: number;
  layers: number;
  bidirectional: boolean;
  head: 'mlp' | 'linear' | 'none';
  eps?: number;
}

function cellOf(s: RefState, layer: number, reverse: boolean): GruCellRef {
  const sfx = `l${layer}${reverse ? '_reverse' : ''}`;
  const get = (n: string) => { const v = s[`encoder.gru.${n}_${sfx}`]; if (!v) throw new Error(`reference: no encoder.gru.${n}_${sfx}`); return v; };
  return { wIh: get('weight_ih'), wHh: get('weight_hh'), bIh: get('bias_ih'), bHh: get('bias_hh') };
}

function linearRef(x: Float64Array, N: number, s: RefState, prefix: string): Float64Array {
  const w = s[`${prefix}.weight`], b = s[`${prefix}.bias`];
  const fout = b.length, fin = w.length / fout;
  const y = new Float64Array(N * fout);
  for (let n = 0; n < N; n++) for (let o = 0; o < fout; o++) {
    let acc = b[o];
    for (let i = 0; i < fin; i++) acc += w[o * fin + i] * x[n * fin + i];
    y[n * fout + o] = acc;
  }
  return y;
}

/** x (N, C, T, V, M) → the feature (N, 2H), or the head output when `project`. */
export function gruEncoderRef(m: GruRefModel, s: RefState, x: Float64Array, shape: number[], training: boolean, project = false): Float64Array {
  const [N, C, T, V, M] = shape;
  const F = V * C * M, H = m.hidden;
  // (N, F, T) with feature v·C·M + c·M + m, as the official permute + reshape + permute
  const nft = new Float64Array(N * F * T);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) for (let p = 0; p < M; p++)
    nft[(n * F + (v * C + c) * M + p) * T + t] = x[(((n * C + c) * T + t) * V + v) * M + p];
  const mode = training ? { train: true as const } : { train: false as const, rm: s['input_norm.running_mean'], rv: s['input_norm.running_var'] };
  const normed = batchNormRef(nft, [N, F, T], 1, s['input_norm.weight'], s['input_norm.bias'], mode, m.eps ?? 1e-5).y;
  const frame = (t: number): Float64Array => {
    const out = new Float64Array(N * F);
    for (let n = 0; n < N; n++) for (let f = 0; f < F; f++) out[n * F + f] = normed[(n * F + f) * T + t];
    return out;
  };
  const cells = Array.from({ length: m.layers }, (_, k) => [cellOf(s, k, false), cellOf(s, k, true)]);
  let feature: Float64Array;
  if (!m.bidirectional) {
    // the official loop: every call steps all layers once; the states carry to the next call
    const h: Float64Array[][] = cells.map(() => [new Float64Array(N * H), new Float64Array(N * H)]);
    let top: Float64Array = new Float64Array(N * 2 * H);
    for (let t = 0; t < T; t++) {
      let inp: Float64Array = frame(t), fin = F;
      for (let k = 0; k < m.layers; k++) {
        h[k] = h[k].map((hd, d) => gruCellRef(inp, hd, cells[k][d], N, fin, H));
        inp = interleave(h[k][0], h[k][1], N, H); fin = 2 * H;
      }
      top = inp;
    }
    feature = top;
  } else {
    // nn.GRU over the whole sequence, layer by layer; h_n of the last layer
    let seq: Float64Array[] = Array.from({ length: T }, (_, t) => frame(t)), fin = F;
    let last: Float64Array[] = [];
    for (let k = 0; k < m.layers; k++) {
      const outs: Float64Array[][] = [[], []];
      last = [0, 1].map((d) => {
        let h: Float64Array = new Float64Array(N * H);
        for (let s2 = 0; s2 < T; s2++) {
          const t = d === 0 ? s2 : T - 1 - s2;
          h = gruCellRef(seq[t], h, cells[k][d], N, fin, H);
          outs[d][t] = h;
        }
        return h;
      });
      seq = Array.from({ length: T }, (_, t) => interleave(outs[0][t], outs[1][t], N, H));
      fin = 2 * H;
    }
    feature = interleave(last[0], last[1], N, H);
  }
  if (!project || m.head === 'none') return feature;
  if (m.head === 'linear') return linearRef(feature, N, s, 'fc');
  return linearRef(linearRef(feature, N, s, 'fc.0').map((v) => (v > 0 ? v : 0)), N, s, 'fc.2');
}

/** Two (N, H) states → (N, 2H), the first one's columns first. */
function interleave(a: Float64Array, b: Float64Array, N: number, H: number): Float64Array {
  const out = new Float64Array(N * 2 * H);
  for (let n = 0; n < N; n++) { out.set(a.subarray(n * H, (n + 1) * H), n * 2 * H); out.set(b.subarray(n * H, (n + 1) * H), n * 2 * H + H); }
  return out;
}
