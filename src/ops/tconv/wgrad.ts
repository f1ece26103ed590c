/**
 * The register-blocked weight gradient of the temporal convolution — kernels/tconv/wgrad.wgsl:
 * register accumulators per lane (`wgrad`; `wgrad_t` for KT > 1 slides the taps along time lines;
 * `wgrad_c` reads channels-last copies as vec4s), a fixed-order workgroup sum, batch slices summed
 * afterwards — deterministic. Optionally the bias gradient from the same pass over dy.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { sumAxes } from '../reduce.js';
import { LANE_TERMS, maxSamplesPerSlice } from '../lanesums.js';
import type { Params } from '../../gpu/device.js';
import type { ConvDims } from './dims.js';

/** Workgroups to aim for when splitting the weight gradient over the batch. */
const TARGET_GROUPS = 64;

/**
 * How `wgrad` / `wgrad_t` split their work (./variants.ts checks a tuned one against
 * the kernels' array and workgroup-memory sizes): TO output channels × TI input channels (KT = 1)
 * or × TK taps (KT > 1) per lane, WG lanes, GROUPS workgroups aimed for by the batch slicing.
 */
export interface WgradSplit { TO: number; TI: number; TK: number; WG: number; GROUPS: number }

/**
 * Lanes of a weight-gradient workgroup where the tile allows: one llvmpipe SIMD group, so the
 * final lane sum's barrier switches nothing and each lane sums more positions
 * (docs/bench.md#software-adapters).
 */
const WGRAD_LANES = 8;

/**
 * KT = 1: 8 output × 16 input channels per lane where there are that many (entry `wgrad_c` on
 * channels-last copies: fewer loads per multiply-add than `wgrad`'s 8 × 8 read in place; 8 × 8
 * channels-last is slower than `wgrad`, 16 × 16 spills), else 8 × 8 (`wgrad`).
 * KT > 1: 16 output channels × the taps per lane where there are 16 (fewer loads per multiply-add
 * than 8), 32 lanes (16 are no faster; 8 would be fewer than the 16 channels' bias sums need).
 * The figures on llvmpipe: docs/encoder.md#performance, docs/bench.md#software-adapters.
 */
export function defaultWgradSplit(d: ConvDims): WgradSplit {
  const TK = Math.min(d.KT, 9);
  if (d.KT > 1 && d.Cout >= 16) return { TO: 16, TI: 8, TK, WG: 32, GROUPS: TARGET_GROUPS };
  if (d.KT === 1 && d.Cin >= 16 && d.Cout >= 8) return { TO: 8, TI: 16, TK, WG: WGRAD_LANES, GROUPS: TARGET_GROUPS };
  return { TO: d.Cout <= 4 ? 4 : 8, TI: d.Cin <= 4 ? 4 : 8, TK, WG: WGRAD_LANES, GROUPS: TARGET_GROUPS };
}

/** Σ over the slices of a partial result (its first axis), as a tensor of `shape`. */
function sumSlices(partial: Tensor, shape: number[]): Tensor {
  const out = partial.shape[0] === 1 ? partial.view(shape) : sumAxes(partial, 0).view(shape);
  partial.dispose();
  return out;
}

/** Floats of the weight-gradient kernels' workgroup array `red` (kernels/tconv/wgrad.wgsl): WG · TO · TI (or TK) must fit. */
export const WGRAD_RED = 4608;

/**
 * The weight-gradient kernels need 18 KiB of workgroup memory for their final lane sums
 * (more than compatibility mode guarantees): elsewhere the tiled GEMM serves.
 */
export const wgradRegFits = (): boolean => (G().limits.maxComputeWorkgroupStorageSize ?? 0) >= WGRAD_RED * 4;

/**
 * dW (Cout, Cin·KT) by the register-blocked kernels, batch slices summed afterwards; with
 * `withBias` also the bias gradient Σ_{n,t',v} dy (Cout) from the same pass over dy.
 */
export function wgradReg(d: ConvDims, dy: Tensor, x: Tensor, withBias = false, split: WgradSplit = defaultWgradSplit(d)): { dw: Tensor; db?: Tensor } {
  if (d.KT > 1) return wgradTaps(d, dy, x, withBias, split);
  const g = G();
  const { TO, TI, WG: wg } = split;
  // past 8 × 8 channels: entry wgrad_c on channels-last copies of dy and x (TO, TI ∈ {4, 8, 16},
  // TO · TI ≤ 128, read as vec4s); else wgrad reading them in place
  const lastC = TO > 8 || TI > 8;
  const [dys, xs] = lastC ? [channelsLast(dy, d.N, d.Cout, d.Tout, d.V), channelsLast(x, d.N, d.Cin, d.T, d.V)] : [dy, x];
  const { slices, perSlice } = wgradSlices(d, split);
  const out = wgradOutputs(d, slices, withBias);
  g.dispatch(g.kernel('tconv/wgrad', lastC ? 'wgrad_c' : 'wgrad', { TO, TI, WG: wg }), { dy: dys.buffer, x: xs.buffer, ...out.buffers },
    wgradParams(d, perSlice, slices, withBias), [slices, Math.ceil(d.Cin / TI), Math.ceil(d.Cout / TO) * d.KT]);
  if (lastC) { dys.dispose(); xs.dispose(); }
  return out.sum();
}

/**
 * How the register-blocked weight gradient splits the batch: about GROUPS workgroups in all, and
 * no lane adding more than LANE_TERMS terms (src/ops/lanesums.ts). KT = 1 (`wgrad`, `wgrad_c`):
 * slices of `perSlice` samples, a lane taking every WG-th position of each. KT > 1 (`wgrad_t`):
 * the N·V time lines dealt to the lanes of `slices` slices, Tout terms per line.
 */
export function wgradSlices(d: ConvDims, s: WgradSplit): { slices: number; perSlice: number } {
  if (d.KT > 1) {
    const tiles = d.Cin * Math.ceil(d.Cout / s.TO) * Math.ceil(d.KT / s.TK);
    const lanes = Math.ceil(d.N * d.V / s.WG);
    const forPrecision = Math.ceil(d.N * d.V * d.Tout / (s.WG * LANE_TERMS));
    return { slices: Math.max(1, Math.min(lanes, Math.max(forPrecision, Math.ceil(s.GROUPS / tiles)))), perSlice: 0 };
  }
  const tiles = Math.ceil(d.Cout / s.TO) * Math.ceil(d.Cin / s.TI) * d.KT;
  const want = Math.max(1, Math.min(d.N, Math.ceil(s.GROUPS / tiles)));
  const perSlice = Math.min(Math.ceil(d.N / want), maxSamplesPerSlice(Math.ceil(d.Tout * d.V / s.WG)));
  return { slices: Math.ceil(d.N / perSlice), perSlice };
}

/** The uniform parameters (WParams of kernels/tconv/wgrad.wgsl) of a weight-gradient dispatch. */
function wgradParams(d: ConvDims, perSlice: number, slices: number, withBias: boolean): Params {
  return {
    cout: d.Cout, cin: d.Cin, kt: d.KT, n: d.N, tin: d.T, tout: d.Tout, v: d.V, stride: d.stride,
    pad: d.pad, n_per_slice: perSlice, inv_v: 1 / d.V, slices, want_bias: withBias ? 1 : 0,
  };
}

/**
 * vec4s in a `cl_pack` copy of C channels at P positions per sample (kernels/tconv/wgrad.wgsl
 * `cl_index`: blocks of min(4, ⌈C/4⌉) vec4s, each block's positions contiguous).
 */
export function channelsLastSize(C: number, P: number): number {
  const cq = Math.ceil(C / 4), bv = Math.min(4, cq);
  return Math.ceil(cq / bv) * bv * P;
}

/**
 * The per-slice partial sums a weight-gradient dispatch writes (its bindings 3 and 4) and how
 * they become dW (Cout, Cin·KT) and, with `withBias`, db (Cout).
 */
function wgradOutputs(d: ConvDims, slices: number, withBias: boolean) {
  const rows = d.Cout, cols = d.Cin * d.KT;
  const partial = Tensor.empty([slices, rows, cols]);
  const bpart = withBias ? Tensor.empty([slices, rows]) : undefined;
  return {
    buffers: { partial: partial.buffer, bpart: bpart?.buffer ?? G().placeholder },
    sum: (): { dw: Tensor; db?: Tensor } => ({ dw: sumSlices(partial, [rows, cols]), db: bpart && sumSlices(bpart, [rows]) }),
  };
}

/**
 * KT > 1: dy copied channels-last (entry `cl_pack`), then lanes own TO output channels × TK taps
 * along whole time lines (entry `wgrad_t`): TO/4 vec4 loads of dy per time step.
 */
function wgradTaps(d: ConvDims, dy: Tensor, x: Tensor, withBias: boolean, split: WgradSplit): { dw: Tensor; db?: Tensor } {
  const g = G();
  const { TO, TK, WG: wg } = split;
  const dyc = channelsLast(dy, d.N, d.Cout, d.Tout, d.V);
  const { slices } = wgradSlices(d, split);
  const out = wgradOutputs(d, slices, withBias);
  g.dispatch(g.kernel('tconv/wgrad', 'wgrad_t', { TO, TK, WG: wg }), { dy: dyc.buffer, x: x.buffer, ...out.buffers }, wgradParams(d, 0, slices, withBias),
    [slices, d.Cin, Math.ceil(d.Cout / TO) * Math.ceil(d.KT / TK)]);
  dyc.dispose();
  return out.sum();
}

/** dy or x (N, C, T·V) channels-last in blocks of 16 channels, (N, ⌈C/16⌉, T·V, 16) (entry `cl_pack`, `cl_index`). */
function channelsLast(t: Tensor, N: number, C: number, T: number, V: number): Tensor {
  const g = G();
  const cq = Math.ceil(C / 4), P = T * V;
  const out = Tensor.empty([N * channelsLastSize(C, P) * 4]);
  // whole position quads: 4 × 4 blocks as vec4s (cl_pack4), else one channel quad per invocation
  const quads = P % 4 === 0;
  g.dispatch(g.kernel('tconv/wgrad', quads ? 'cl_pack4' : 'cl_pack', { WG: 64 }), { src: t.buffer, packed: out.buffer },
    { cout: C, cin: 0, kt: 0, n: N, tin: 0, tout: T, v: V, stride: 0, pad: 0, n_per_slice: 0, inv_v: 0, slices: 0, want_bias: 0 },
    [Math.ceil(P / (quads ? 256 : 64)), cq, N]);
  return out;
}
