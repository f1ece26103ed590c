/**
 * Temporal convolution over (N, C, T, V): a KT×1 kernel along time with stride and zero padding —
 * kernel kernels/temporalconv.wgsl, a tiled implicit GEMM in three modes (forward and the input
 * gradient — a transposed convolution — in entry `conv`, the weight gradient, split along its
 * long reduction, in entry `wgrad`). With
 * KT = 1 it is also the encoder's 1×1 convolution (graph conv channel mixing, strided residual).
 * On software adapters (llvmpipe) the register-blocked kernels of kernels/tconv.wgsl
 * (src/ops/tconv.ts) run instead: 4–5× faster there, where barriers and gathers dominate. A third
 * path, im2col and one matmul (src/ops/tconvcols.ts), is a tuning candidate everywhere.
 * Which family runs each pass, and its work split, is the tunable `tconvVariant`
 * (src/ops/tconvvariant.ts): a tuned choice from the cache, else that default.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { sumAxes } from './reduce.js';
import { direct, wgradReg } from './tconv.js';
import { tconvVariant, GEMM_TARGET_GROUPS } from './tconvvariant.js';
import { colsForward, colsInputGrad, colsWeightGrad } from './tconvcols.js';

export interface TemporalConvOptions {
  stride?: number;
  /** zero padding on both ends of time; default (KT − 1) / 2 */
  pad?: number;
}

const enum Mode { Forward = 0, InputGrad = 1, WeightGrad = 2 }
const BK = 8;
const TILE_COLS = 64;

/** The sizes of one convolution (what the kernel's params are made of). */
export interface ConvDims { N: number; Cin: number; Cout: number; T: number; Tout: number; V: number; KT: number; stride: number; pad: number }

export function convOutputLength(T: number, KT: number, stride: number, pad: number): number {
  return Math.floor((T + 2 * pad - KT) / stride) + 1;
}

/**
 * One GEMM dispatch (or several column chunks when the grid would pass the per-dimension limit)
 * with TM rows per invocation. biasMode: 0 none, 1 per output channel, 2 per (output channel, joint).
 */
function gemm(mode: Mode, TM: number, d: ConvDims, a: Tensor, b: Tensor, bias: Tensor | undefined, biasMode: number, out: Tensor,
  rows: number, cols: number, red: number, sOut: number, slices = 1, chunk = red): void {
  const g = G();
  const kernel = g.kernel('temporalconv', mode === Mode.WeightGrad ? 'wgrad' : 'conv', { TM });
  const rowTiles = Math.ceil(rows / (8 * TM));
  const colTiles = Math.ceil(cols / TILE_COLS);
  const maxX = g.limits.maxComputeWorkgroupsPerDimension;
  for (let t0 = 0; t0 < colTiles; t0 += maxX) {
    const x = Math.min(maxX, colTiles - t0);
    g.dispatch(kernel, [a.buffer, b.buffer, bias?.buffer ?? g.placeholder, out.buffer], [
      mode, rows, cols, red,
      d.Cin, d.Cout, d.T, d.Tout,
      d.V, d.KT, d.stride, d.pad,
      biasMode, chunk, t0 * TILE_COLS, sOut,
    ], [x, rowTiles, slices]);
  }
}

function dimsOf(x: Tensor, weight: Tensor, opts: TemporalConvOptions): ConvDims {
  if (x.rank !== 4) throw new Error(`temporalConv: x must be (N, C, T, V), got [${x.shape}]`);
  const [N, Cin, T, V] = x.shape;
  const Cout = weight.shape[0];
  if (weight.shape[1] !== Cin) throw new Error(`temporalConv: weight [${weight.shape}] does not take ${Cin} input channels`);
  const KT = weight.size / (Cout * Cin);
  if (!Number.isInteger(KT) || (weight.rank === 4 && weight.shape[3] !== 1)) throw new Error(`temporalConv: weight must be (Cout, Cin, KT, 1), got [${weight.shape}]`);
  const stride = opts.stride ?? 1;
  const pad = opts.pad ?? (KT - 1) / 2;
  if (!Number.isInteger(pad) || pad < 0 || !(stride >= 1) || !Number.isInteger(stride)) throw new Error(`temporalConv: bad stride ${stride} / pad ${pad}`);
  const Tout = convOutputLength(T, KT, stride, pad);
  if (Tout < 1) throw new Error(`temporalConv: T=${T} is too short for KT=${KT}, pad=${pad}`);
  return { N, Cin, Cout, T, Tout, V, KT, stride, pad };
}

/** x (N, Cin, T, V) · weight (Cout, Cin, KT, 1) → (N, Cout, T', V). */
function forwardRaw(d: ConvDims, x: Tensor, weight: Tensor, bias: Tensor | undefined, biasMode: number): Tensor {
  const v = tconvVariant('fwd', d);
  if (v.path === 'cols') return colsForward(d, x, weight, bias, biasMode);
  const out = Tensor.empty([d.N, d.Cout, d.Tout, d.V]);
  if (v.path === 'direct') direct(true, d, x, weight, bias, biasMode, out, v.split);
  else gemm(Mode.Forward, v.TM, d, weight, x, bias, biasMode, out, d.Cout, d.N * d.Tout * d.V, d.Cin * d.KT, d.Tout * d.V);
  return out;
}

/** dx (N, Cin, T, V) from dy (N, Cout, T', V): the transposed convolution. */
export function convInputGrad(d: ConvDims, dy: Tensor, weight: Tensor): Tensor {
  const v = tconvVariant('dx', d);
  if (v.path === 'cols') return colsInputGrad(d, dy, weight);
  const dx = Tensor.empty([d.N, d.Cin, d.T, d.V]);
  if (v.path === 'direct') direct(false, d, dy, weight, undefined, 0, dx, v.split);
  else gemm(Mode.InputGrad, v.TM, d, weight, dy, undefined, 0, dx, d.Cin, d.N * d.T * d.V, d.Cout * d.KT, d.T * d.V);
  return dx;
}

/** dW (Cout, Cin·KT) = Σ_{n,t',v} dy ⊗ x-window, the reduction split into slices summed afterwards. */
export function convWeightGrad(d: ConvDims, dy: Tensor, x: Tensor): Tensor {
  return convParamGrads(d, dy, x, true, 0).dw!;
}

/**
 * The parameter gradients of one convolution: dW (Cout, Cin·KT) when `wantWeight`, and the bias
 * gradient for biasMode 1 (Cout) or 2 (Cout, V). The register-blocked weight gradient sums a
 * per-channel bias gradient in the same pass over dy; otherwise the bias gradient is a reduction.
 */
export function convParamGrads(d: ConvDims, dy: Tensor, x: Tensor, wantWeight: boolean, biasMode: number): { dw?: Tensor; db?: Tensor } {
  let dw: Tensor | undefined, db: Tensor | undefined;
  if (wantWeight) {
    const v = tconvVariant('dw', d);
    if (v.path === 'reg') ({ dw, db } = wgradReg(d, dy, x, biasMode === 1, v.split));
    else if (v.path === 'cols') dw = colsWeightGrad(d, dy, x);
    else dw = gemmWeightGrad(d, dy, x, v.TM, v.GROUPS ?? GEMM_TARGET_GROUPS);
  }
  if (biasMode && !db) db = biasMode === 1 ? sumAxes(dy, [0, 2, 3]) : sumAxes(dy, [0, 2]);
  return { dw, db };
}

/** The GEMM weight gradient's reduction split: `used` slices of `chunk` positions, about `groups` workgroups in all. */
export function gemmWgradSlices(d: ConvDims, TM: number, groups: number): { used: number; chunk: number } {
  const red = d.N * d.Tout * d.V;
  const tiles = Math.ceil(d.Cout / (8 * TM)) * Math.ceil(d.Cin * d.KT / TILE_COLS);
  // every slice keeps at least 64 reduction steps of work
  const slices = Math.max(1, Math.min(Math.ceil(groups / tiles), Math.floor(red / (64 * BK))));
  const chunk = Math.ceil(red / slices / BK) * BK;
  return { used: Math.ceil(red / chunk), chunk };
}

/** The GEMM's weight gradient: the reduction split into slices summed afterwards. */
function gemmWeightGrad(d: ConvDims, dy: Tensor, x: Tensor, TM: number, groups: number): Tensor {
  const rows = d.Cout, cols = d.Cin * d.KT, red = d.N * d.Tout * d.V;
  const { used, chunk } = gemmWgradSlices(d, TM, groups);
  const partial = Tensor.empty([used, rows, cols]);
  gemm(Mode.WeightGrad, TM, d, dy, x, undefined, 0, partial, rows, cols, red, 0, used, chunk);
  if (used === 1) return partial.view([rows, cols]);
  const sum = sumAxes(partial, 0);
  partial.dispose();
  return sum;
}

/**
 * y[n,o,t',v] = Σ_{i,k} weight[o,i,k] · x[n,i,t'·stride+k−pad,v] + bias[o].
 * weight: (Cout, Cin, KT, 1) — or (Cout, Cin) for KT = 1; bias: (Cout) or, for the graph
 * convolution's folded bias, (Cout, V). Gradients for x, weight and bias.
 */
export function temporalConv(x: Tensor, weight: Tensor, bias?: Tensor, opts: TemporalConvOptions = {}): Tensor {
  const d = dimsOf(x, weight, opts);
  let biasMode = 0;
  if (bias) {
    if (bias.size === d.Cout && bias.rank === 1) biasMode = 1;
    else if (bias.rank === 2 && bias.shape[0] === d.Cout && bias.shape[1] === d.V) biasMode = 2;
    else throw new Error(`temporalConv: bias [${bias.shape}] is neither (${d.Cout}) nor (${d.Cout}, ${d.V})`);
  }
  const out = forwardRaw(d, x, weight, bias, biasMode);
  return record('temporalConv', out, [x, weight, bias], (g) => {
    const gx = x.requiresGrad ? convInputGrad(d, g, weight) : undefined;
    const { dw, db } = convParamGrads(d, g, x, weight.requiresGrad, bias?.requiresGrad ? biasMode : 0);
    return [gx, dw && viewAs(dw, weight.shape), db];
  });
}

function viewAs(t: Tensor, shape: readonly number[]): Tensor {
  const v = t.view(shape);
  t.dispose();
  return v;
}

/** float64 reference of the forward (the oracle of the tests). */
export function temporalConvRef(x: Float64Array, xs: number[], w: Float64Array, Cout: number, KT: number,
  b: Float64Array | undefined, stride: number, pad: number, biasPerJoint = false): Float64Array {
  const [N, Cin, T, V] = xs;
  const Tout = convOutputLength(T, KT, stride, pad);
  const y = new Float64Array(N * Cout * Tout * V);
  for (let n = 0; n < N; n++) for (let o = 0; o < Cout; o++) for (let tp = 0; tp < Tout; tp++) for (let v = 0; v < V; v++) {
    let s = b ? (biasPerJoint ? b[o * V + v] : b[o]) : 0;
    for (let i = 0; i < Cin; i++) for (let k = 0; k < KT; k++) {
      const t = tp * stride + k - pad;
      if (t >= 0 && t < T) s += w[(o * Cin + i) * KT + k] * x[((n * Cin + i) * T + t) * V + v];
    }
    y[((n * Cout + o) * Tout + tp) * V + v] = s;
  }
  return y;
}
