/**
 * The tunable work split of the temporal convolution (kernel family `tconv` of src/gpu/policy.ts,
 * docs/tuning.md). Per pass — forward, input gradient, weight gradient — which kernel family runs
 * it (the tiled implicit GEMM ./gemm.ts, the register-blocked kernels ./direct.ts and ./wgrad.ts,
 * or im2col and a matmul ./cols.ts) and how that family splits the work. Every variant computes
 * the same sums; only the order of the additions can change (GEMM vs register-blocked, and the
 * batch slicing of the weight gradient). Without a valid tuned entry the op gets
 * `defaultTconvVariant`: the policy's setting (default: the register-blocked kernels on software
 * adapters, the GEMM elsewhere) at this pass and shape.
 */
import { G } from '../../tensor/tensor.js';
import { sizeClass } from '../../gpu/tuning.js';
import { kernelSetting, defaultSetting, tunedEntry } from '../../gpu/policy.js';
import type { Overrides } from '../../gpu/kernels.js';
import { defaultDirectSplit, type DirectSplit } from './direct.js';
import { wgradRegFits, defaultWgradSplit, WGRAD_RED, type WgradSplit } from './wgrad.js';
import { colsFit, pointwise } from './cols.js';
import type { ConvDims } from './dims.js';

/** The three passes of a convolution: each has its own tuned entry. */
export type ConvPass = 'fwd' | 'dx' | 'dw';

/** kernels/tconv/gemm.wgsl: TM rows per invocation; GROUPS (weight gradient only) the workgroups its reduction slicing aims for. */
export interface GemmVariant { name: string; path: 'gemm'; TM: number; GROUPS?: number }
/** kernels/tconv/direct.wgsl `direct` (forward, input gradient). */
export interface DirectVariant { name: string; path: 'direct'; split: DirectSplit }
/** kernels/tconv/wgrad.wgsl `wgrad` / `wgrad_t` / `wgrad_c` (weight gradient). */
export interface RegVariant { name: string; path: 'reg'; split: WgradSplit }
/** ./cols.ts: im2col and one batched matmul (whose own variant the matmul family picks). */
export interface ColsVariant { name: 'cols'; path: 'cols' }
export type TconvVariant = GemmVariant | DirectVariant | RegVariant | ColsVariant;
const cols: ColsVariant = { name: 'cols', path: 'cols' };

/** The GEMM's workgroups aimed for when it splits the weight gradient's reduction. */
export const GEMM_TARGET_GROUPS = 256;

/** GEMM rows per invocation (of 8×8): the smallest tile (16, 32, 64 rows) that covers the rows, up to 64. */
export function rowsPerInvocation(rows: number): number {
  return rows <= 16 ? 2 : rows <= 32 ? 4 : 8;
}

/**
 * The tuning cache's key: the pass and the sizes (batch, channels, time, joints rounded up to
 * powers of two; taps and stride exact), e.g. `fwd:n128c64o64t32v32k9s1`.
 */
export function tconvShapeClass(pass: ConvPass, d: ConvDims): string {
  return `${pass}:n${sizeClass(d.N)}c${sizeClass(d.Cin)}o${sizeClass(d.Cout)}t${sizeClass(d.T)}v${sizeClass(d.V)}k${d.KT}s${d.stride}`;
}

const gemmName = (pass: ConvPass, TM: number, GROUPS: number) => (pass === 'dw' ? `gemm${TM}g${GROUPS}` : `gemm${TM}`);
const directName = (s: DirectSplit) => `direct${s.TO}x${s.TT}w${s.WG}`;
/** KT = 1 runs `wgrad` (TO × TI per lane), KT > 1 `wgrad_t` (TO × TK taps): the name shows the one that matters. */
const regName = (d: ConvDims, s: WgradSplit) => `reg${s.TO}${d.KT > 1 ? `t${s.TK}` : `x${s.TI}`}w${s.WG}g${s.GROUPS}`;

const gemm = (pass: ConvPass, TM: number, GROUPS = GEMM_TARGET_GROUPS): TconvVariant =>
  (pass === 'dw' ? { name: gemmName(pass, TM, GROUPS), path: 'gemm', TM, GROUPS } : { name: gemmName(pass, TM, GROUPS), path: 'gemm', TM });

/**
 * Multiply-adds ×2 from which a 1×1 stride-1 convolution's forward and input gradient run as one
 * matmul (reading x or dy in place) by default on software adapters: on llvmpipe the matmul's
 * uniform windows beat the register-blocked kernels from about these sizes (the graph conv's
 * channel mixing, the unstrided residual), and lose below them to its extra dispatches and the
 * pack (docs/bench.md#cols).
 */
export const COLS_MIN_FLOPS = { fwd: 8e6, dx: 1.5e6 };

/** Multiply-adds ×2 of one pass of a convolution (every pass does as many). */
export const convFlops = (d: ConvDims): number => 2 * d.N * d.Cout * d.Cin * d.KT * d.Tout * d.V;

/**
 * What the op runs without the cache: the policy's tconv setting — `direct` (the register-blocked
 * kernels; by default, on software adapters, a big enough 1×1 stride-1 forward or input gradient
 * goes through one matmul instead), `gemm`, or `cols` where its buffers fit (else the adapter's
 * default path).
 */
export function defaultTconvVariant(pass: ConvPass, d: ConvDims): TconvVariant {
  const { value, source } = kernelSetting('tconv');
  if (value === 'cols' && colsFit(pass, d, G().limits)) return cols;
  if (pass !== 'dw' && source === 'default' && value === 'direct' && pointwise(d) && convFlops(d) >= COLS_MIN_FLOPS[pass]) return cols;
  const path = value === 'cols' ? defaultSetting('tconv') : value;
  if (pass === 'dw') {
    if (path === 'direct' && wgradRegFits()) { const split = defaultWgradSplit(d); return { name: regName(d, split), path: 'reg', split }; }
    return gemm(pass, rowsPerInvocation(d.Cout));
  }
  if (path === 'direct') { const split = defaultDirectSplit(pass === 'fwd', d); return { name: directName(split), path: 'direct', split }; }
  return gemm(pass, rowsPerInvocation(pass === 'fwd' ? d.Cout : d.Cin));
}

/** The overrides that make a variant (what the cache stores): PATH 0 the GEMM, 1 the register-blocked kernels, 2 im2col + matmul. */
export function tconvOverrides(v: TconvVariant): Overrides {
  if (v.path === 'cols') return { PATH: 2 };
  if (v.path === 'gemm') return v.GROUPS === undefined ? { PATH: 0, TM: v.TM } : { PATH: 0, TM: v.TM, GROUPS: v.GROUPS };
  return { PATH: 1, ...v.split };
}

const int = (x: number | undefined, lo: number, hi: number): x is number => Number.isInteger(x) && x! >= lo && x! <= hi;

/**
 * The variant the overrides make for this pass and shape, or undefined when they do not make one
 * the kernels can run within `limits`: the kernels keep per-invocation arrays of 8 (16 times in
 * `direct`, 9 taps in `wgrad_t`), the weight-gradient kernels sum their lanes through a workgroup
 * array of WGRAD_RED floats (WG · TO · TI or TK must fit), grids stay within the per-dimension
 * limit, and im2col's buffers within one storage binding. A cache file is never trusted beyond this.
 */
export function tconvFromOverrides(pass: ConvPass, d: ConvDims, o: Overrides, limits: Record<string, number>): TconvVariant | undefined {
  if (o.PATH === 2) return colsFit(pass, d, limits) ? cols : undefined;
  const maxWg = Math.min(limits.maxComputeInvocationsPerWorkgroup ?? 256, limits.maxComputeWorkgroupSizeX ?? 256);
  const maxDim = limits.maxComputeWorkgroupsPerDimension ?? 65535;
  if (o.PATH === 0) {
    const rows = pass === 'dx' ? d.Cin : d.Cout;
    if (!int(o.TM, 1, 8) || Math.ceil(rows / (8 * o.TM)) > maxDim) return undefined;
    if (pass !== 'dw') return gemm(pass, o.TM);
    return int(o.GROUPS, 1, 65535) ? gemm(pass, o.TM, o.GROUPS) : undefined;
  }
  if (o.PATH !== 1) return undefined;
  if (pass !== 'dw') {
    const { TO, TT, WG } = o;
    // TO: the packed weights are read as vec4s (4, 8 or 16 rows); TT ≤ 16 (the kernel's arrays),
    // TO·TT ≤ 128 accumulators (more spill: 16 × 16 runs ≈ 9× slower than 8 × 16)
    if (![4, 8, 16].includes(TO as number) || !int(TT, 1, 16) || (TO as number) * (TT as number) > 128 || !int(WG, 1, maxWg)) return undefined;
    if (Math.ceil((pass === 'fwd' ? d.Cout : d.Cin) / TO) > maxDim) return undefined;
    const split = { TO, TT, WG };
    return { name: directName(split), path: 'direct', split };
  }
  const { TO, TI, TK, WG, GROUPS } = o;
  if ((limits.maxComputeWorkgroupStorageSize ?? 0) < WGRAD_RED * 4) return undefined;
  // KT > 1 (wgrad_t): TO output channels are read as vec4s, 4, 8 or 16 of them. KT = 1: wgrad with
  // TO, TI in 1 … 8 (its per-lane arrays), or past 8 wgrad_c, which reads both as vec4s
  // (4, 8 or 16 each, at most 128 accumulators)
  const quad = (v: unknown) => [4, 8, 16].includes(v as number);
  const channelsLast = d.KT === 1 && ((TO as number) > 8 || (TI as number) > 8);
  const toOk = d.KT > 1 ? quad(TO) : channelsLast ? quad(TO) && quad(TI) && (TO as number) * (TI as number) <= 128 : int(TO, 1, 8) && int(TI, 1, 8);
  if (!toOk || !int(TI, 1, 16) || !int(TK, 1, Math.min(9, d.KT)) || !int(WG, TO, maxWg) || !int(GROUPS, 1, 65535)) return undefined;
  const tile = d.KT > 1 ? TO * TK : TO * TI;
  if (WG * tile > WGRAD_RED) return undefined;
  const zGroups = Math.ceil(d.Cout / TO) * (d.KT > 1 ? Math.ceil(d.KT / TK) : d.KT);
  if (zGroups > maxDim || Math.ceil(d.Cin / TI) > maxDim) return undefined;
  const split = { TO, TI, TK, WG, GROUPS };
  return { name: regName(d, split), path: 'reg', split };
}

/**
 * The variant of this pass at this shape: the tuned one (`train.js tune --only tconv`) when the
 * cache has a valid entry for this adapter, else the default. A forced setting (src/gpu/policy.ts)
 * rules out a tuned entry of another kernel family.
 */
export function tconvVariant(pass: 'fwd' | 'dx', d: ConvDims): GemmVariant | DirectVariant | ColsVariant;
export function tconvVariant(pass: 'dw', d: ConvDims): GemmVariant | RegVariant | ColsVariant;
export function tconvVariant(pass: ConvPass, d: ConvDims): TconvVariant;
export function tconvVariant(pass: ConvPass, d: ConvDims): TconvVariant {
  const tuned = tunedEntry('tconv', tconvShapeClass(pass, d));
  const v = tuned && tconvFromOverrides(pass, d, tuned.overrides, G().limits);
  const { value, source } = kernelSetting('tconv');
  const allowed = value === 'direct' ? ['direct', 'reg'] : [value];
  if (v && (source === 'default' || allowed.includes(v.path))) return v;
  return defaultTconvVariant(pass, d);
}
