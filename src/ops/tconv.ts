/**
 * Host side of kernels/tconv.wgsl and kernels/tconv_wgrad.wgsl: the register-blocked temporal convolution that
 * src/ops/temporalconv.ts uses on software adapters (llvmpipe), where the tiled GEMM of
 * kernels/temporalconv.wgsl is bound by workgroup barriers and per-lane gathers.
 *   direct  forward, and the input gradient: at stride 1 a forward conv with flipped weights,
 *           at stride s by s output phases (grid z);
 *   wgrad   weight gradient (and optionally the bias gradient from the same pass): register
 *           accumulators per lane (`wgrad_t` for KT > 1 slides the taps along time lines),
 *           a fixed-order workgroup sum, batch slices summed afterwards — deterministic.
 * `convTuning` lets tests and benchmarks force a path.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { sumAxes } from './reduce.js';
import { LANE_TERMS, maxSamplesPerSlice } from './lanesums.js';
import { f32, type Param } from '../gpu/device.js';
import type { ConvDims } from './temporalconv.js';

export const convTuning: {
  /** 'auto': the register-blocked kernels on software adapters, the tiled GEMM elsewhere; 'cols': im2col + matmul. */
  path: 'auto' | 'gemm' | 'direct' | 'cols';
} = { path: 'auto' };

export function useDirect(): boolean {
  // 'cols' forces only the convolutions' path: the rest (the graph aggregation, a conv whose
  // im2col buffers do not fit) is chosen as for 'auto'
  return convTuning.path === 'direct' || (convTuning.path !== 'gemm' && G().summary.software);
}

const WG = 64;
const MAX_GROUPS = 65535;

/** How `direct` splits its work (src/ops/tconvvariant.ts: a tuned split, else `defaultDirectSplit`). */
export interface DirectSplit { TO: number; TT: number; WG: number }

/** The kernel mode of `direct` for a pass (0 forward, 1 flipped stride-1 input grad, 2 by phases). */
const directMode = (fwd: boolean, d: ConvDims): number => (fwd ? 0 : d.stride === 1 && d.pad <= d.KT - 1 ? 1 : 2);

/**
 * 16 rows × 8 times per invocation where the rows fill it, fewer where rows or times are few
 * (2 × 34 vs 2 × 26 GFLOP/s for 8 × 8 at the paper's last block on llvmpipe; 16 × 4, 32 × 4 and
 * 4 × 16 were slower, 32 × 8 spills). TO is a multiple of 4: the packed weights are vec4s.
 */
export function defaultDirectSplit(fwd: boolean, d: ConvDims): DirectSplit {
  const rows = fwd ? d.Cout : d.Cin, tout = fwd ? d.Tout : d.T;
  const phases = directMode(fwd, d) === 2 ? d.stride : 1;
  return { TO: rows <= 4 ? 4 : rows < 16 ? 8 : 16, TT: Math.ceil(tout / phases) <= 4 ? 4 : 8, WG };
}

/**
 * fwd: out (N, Cout, T', V) = conv of x (N, Cin, T, V) (+ bias: biasMode 1 per channel, 2 per
 * (channel, joint)); else out = dx (N, Cin, T, V) from dy (N, Cout, T', V) — kernel mode 1 (stride 1,
 * flipped taps) or mode 2 (by output phases).
 */
export function direct(fwd: boolean, d: ConvDims, src: Tensor, weight: Tensor, bias: Tensor | undefined, biasMode: number, out: Tensor,
  split: DirectSplit = defaultDirectSplit(fwd, d)): void {
  const g = G();
  // the input gradient: a flipped forward conv at stride 1 (pad ≤ KT − 1), else by phases
  const mode = directMode(fwd, d);
  const rows = fwd ? d.Cout : d.Cin, cred = fwd ? d.Cin : d.Cout;
  const tin = fwd ? d.T : d.Tout, tout = fwd ? d.Tout : d.T;
  const stride = mode === 1 ? 1 : d.stride, pad = mode === 1 ? d.KT - 1 - d.pad : d.pad;
  const phases = mode === 2 ? d.stride : 1;
  const { TO, TT, WG: wg } = split;
  const ntb = Math.ceil(tout / (phases * TT));
  const cols = d.N * ntb * d.V;
  const cinKt = d.Cin * d.KT;
  const rs = fwd ? cinKt : d.KT, cs = fwd ? d.KT : cinKt;
  const params = (c0: number) => [
    mode, rows, cred, cols,
    tin, tout, d.V, d.KT,
    stride, pad, ntb, biasMode,
    rs, cs, 0, c0 * wg,
    0, rows, 0, cred,
  ];
  // the weights in reading order (kernel entry `wpack`): TO/4 vec4 loads per (channel, tap)
  const packed = Tensor.empty([Math.ceil(rows / TO) * TO * cred * d.KT]);
  g.dispatch(g.kernel('tconv', 'wpack', { TO, TT, WG: wg }), [weight.buffer, packed.buffer], params(0), Math.ceil(packed.size / wg));
  const kernel = g.kernel('tconv', 'direct', { TO, TT, WG: wg });
  const colGroups = Math.ceil(cols / wg);
  for (let c0 = 0; c0 < colGroups; c0 += MAX_GROUPS) {
    g.dispatch(kernel, [src.buffer, packed.buffer, bias?.buffer ?? g.placeholder, out.buffer], params(c0),
      [Math.min(MAX_GROUPS, colGroups - c0), Math.ceil(rows / TO), phases]);
  }
  packed.dispose();
}

/** Workgroups to aim for when splitting the weight gradient over the batch. */
const TARGET_GROUPS = 64;

/**
 * How `wgrad` / `wgrad_t` split their work (src/ops/tconvvariant.ts checks a tuned one against
 * the kernels' array and workgroup-memory sizes): TO output channels × TI input channels (KT = 1)
 * or × TK taps (KT > 1) per lane, WG lanes, GROUPS workgroups aimed for by the batch slicing.
 */
export interface WgradSplit { TO: number; TI: number; TK: number; WG: number; GROUPS: number }

/**
 * Lanes of a weight-gradient workgroup where the tile allows: one llvmpipe SIMD group, so the
 * final lane sum's barrier switches nothing and each lane sums more positions (1.2–2× over 32 or
 * 64 lanes at the demo's shapes, up to 1.2× at the paper's channel mixing: docs/bench.md).
 */
const WGRAD_LANES = 8;

/**
 * KT = 1: 8 output × 16 input channels per lane where there are that many (entry `wgrad_c` on
 * channels-last copies, ≈ 1.6× the 8 × 8 of `wgrad` at the paper's channel-mixing shapes on
 * llvmpipe; 8 × 8 channels-last was slower than `wgrad`, 16 × 16 spills), else 8 × 8 (`wgrad`).
 * KT > 1: 16 output channels × the taps per lane where there are 16 (≈ 1.45× the 8-channel split
 * at the paper's blocks), 32 lanes (as fast as 16 there; 8 would be fewer than the 16 channels'
 * bias sums need).
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

/** Floats of the weight-gradient kernels' workgroup array `red` (kernels/tconv_wgrad.wgsl): WG · TO · TI (or TK) must fit. */
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
  g.dispatch(g.kernel('tconv_wgrad', lastC ? 'wgrad_c' : 'wgrad', { TO, TI, WG: wg }), [dys.buffer, xs.buffer, ...out.buffers],
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

/** The uniform parameters (WParams of kernels/tconv_wgrad.wgsl) of a weight-gradient dispatch. */
function wgradParams(d: ConvDims, perSlice: number, slices: number, withBias: boolean): Param[] {
  return [
    d.Cout, d.Cin, d.KT, d.N,
    d.T, d.Tout, d.V, d.stride,
    d.pad, perSlice, f32(1 / d.V), slices,
    withBias ? 1 : 0, 0, 0, 0,
  ];
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
    buffers: [partial.buffer, bpart?.buffer ?? G().placeholder],
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
  g.dispatch(g.kernel('tconv_wgrad', 'wgrad_t', { TO, TK, WG: wg }), [dyc.buffer, x.buffer, ...out.buffers], wgradParams(d, 0, slices, withBias),
    [slices, d.Cin, Math.ceil(d.Cout / TO) * Math.ceil(d.KT / TK)]);
  dyc.dispose();
  return out.sum();
}

/** dy or x (N, C, T·V) as channels-last vec4 rows (N, T·V, ⌈C/4⌉·4) (entry `cl_pack`). */
function channelsLast(t: Tensor, N: number, C: number, T: number, V: number): Tensor {
  const g = G();
  const cq = Math.ceil(C / 4), P = T * V;
  const out = Tensor.empty([N * P * cq * 4]);
  // whole position quads: 4 × 4 blocks as vec4s (cl_pack4), else one channel quad per invocation
  const quads = P % 4 === 0;
  g.dispatch(g.kernel('tconv_wgrad', quads ? 'cl_pack4' : 'cl_pack', { WG: 64 }), [t.buffer, out.buffer], [C, 0, 0, N, 0, T, V, 0, 0, 0, f32(0), 0, 0, 0, 0, 0],
    [Math.ceil(P / (quads ? 256 : 64)), cq, N]);
  return out;
}
