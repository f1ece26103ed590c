/**
 * The matmul kernel variants and which one a product gets (./gemm.ts runs them): the
 * variant constructors, the named set the benchmark and the tuner compare, the tuning cache's
 * shape classes and validation of cached overrides, and the per-adapter default with its cost
 * model (calibrated on llvmpipe: docs/bench.md#small-products).
 */
import { G } from '../../tensor/tensor.js';
import type { DeviceSummary } from '../../gpu/device.js';
import type { Overrides } from '../../gpu/kernels.js';
import { sizeClass } from '../../gpu/tuning.js';
import { adapterClass, kernelSetting, tunedEntry } from '../../gpu/policy.js';
import { UserError } from '../../util/errors.js';

export interface MatmulVariant {
  name: string;
  entry: 'reg' | 'regk' | 'tiled' | 'tiled4';
  overrides: Overrides;
  /** Output rows × columns one workgroup computes. */
  tileM: number; tileN: number;
  /** Reads A through packed uniform windows (entries reg and regk). */
  ubo: boolean;
}

/**
 * A k-major uniform-window variant (entry regk, kernels/matmul/regk.wgsl): TM×TN outputs per
 * invocation (both multiples of 4), A as vec4s over 4 rows from the windows, B as vec4s over 4
 * columns, NW windows per dispatch. Stored as AV = 3 (a cache marker the kernel does not declare).
 */
export const windowVariant = (tm: number, tn: number, wg: number, nw = 1): MatmulVariant => ({
  name: `ubok${tm}x${tn}w${wg}${nw > 1 ? `n${nw}` : ''}`, entry: 'regk', ubo: true,
  overrides: { TM: tm, TN: tn, WG: wg, AV: 3, ...(nw > 1 ? { NW: nw } : {}) }, tileM: tm, tileN: tn * wg,
});

/** A register-blocked variant: TM×TN outputs per invocation, WG invocations; `ubo`: A through uniform windows. */
export const regVariant = (tm: number, tn: number, wg: number, ubo = false): MatmulVariant => ({
  name: `${ubo ? 'ubo' : 'reg'}${tm}x${tn}w${wg}`, entry: 'reg', ubo,
  overrides: { TM: tm, TN: tn, WG: wg, ...(ubo ? { AV: 1 } : {}) }, tileM: tm, tileN: tn * wg,
});
/** A shared-memory tiled variant: TS×TS per WGX×WGY workgroup, BK deep per step. */
export const tiledVariant = (ts: number, bk: number, wgx: number, wgy: number): MatmulVariant => ({
  name: `tiled${ts}k${bk}`, entry: 'tiled', ubo: false,
  overrides: { TS: ts, BK: bk, WGX: wgx, WGY: wgy }, tileM: ts, tileN: ts,
});

/**
 * A vec4 shared-memory variant for hardware GPUs (entry tiled4, kernels/matmul/tiled4.wgsl): a
 * WGX×WGY workgroup computes a (WGY·TM)×(WGX·TN) tile, TM×TN (4 or 8 each) per invocation, BK k
 * staged per step; `ks` > 1 splits k over that many workgroups per tile (their partial products
 * summed by kernels/matmul/ksum.wgsl), for products with too few tiles to fill a big GPU.
 */
export const tile4Variant = (tm: number, tn: number, wgx: number, wgy: number, bk: number, ks = 1): MatmulVariant => ({
  name: `t4_${wgy * tm}x${wgx * tn}r${tm}x${tn}k${bk}${ks > 1 ? `s${ks}` : ''}`, entry: 'tiled4', ubo: false,
  overrides: { TM: tm, TN: tn, WGX: wgx, WGY: wgy, BK: bk, ...(ks > 1 ? { KS: ks } : {}) }, tileM: wgy * tm, tileN: wgx * tn,
});

/** The k slices tiled4 can split into (each a workgroup per tile; the grid's z holds batches × slices). */
export const K_SLICES = [1, 2, 4, 8, 16];

/** Whether a tiled4 configuration compiles within `limits` (the kernel's assumptions in its header). */
function tile4Fits(o: Overrides, limits: Record<string, number>): boolean {
  const { TM, TN, WGX, WGY, BK, KS = 1 } = o;
  if (![4, 8].includes(TM) || ![4, 8].includes(TN) || ![4, 8, 16, 32].includes(BK) || !K_SLICES.includes(KS)) return false;
  if (!Number.isInteger(WGX) || !Number.isInteger(WGY) || WGX < 1 || WGY < 1) return false;
  const nt = WGX * WGY, aq = WGY * TM / 4, bq = WGX * TN / 4;
  if (nt > (limits.maxComputeInvocationsPerWorkgroup ?? 256) || WGX > (limits.maxComputeWorkgroupSizeX ?? 256) || WGY > (limits.maxComputeWorkgroupSizeY ?? 256)) return false;
  // every invocation stages a whole number (1 … 8) of vec4s of each operand per step
  const slots = (q: number) => (q * BK) % nt === 0 && q * BK / nt >= 1 && q * BK / nt <= 8;
  return slots(aq) && slots(bq) && (aq + bq) * BK * 16 <= (limits.maxComputeWorkgroupStorageSize ?? 16384);
}

/** The variants the benchmark compares; `matmulVariant` picks among them. */
export const matmulVariants = {
  reg8x8: regVariant(8, 8, 16),
  reg4x4: regVariant(4, 4, 64),
  ubo8x8: regVariant(8, 8, 16, true),
  ubok16x16: windowVariant(16, 16, 8),
  ubok16x16n4: windowVariant(16, 16, 8, 4),
  tiled64: tiledVariant(64, 16, 16, 16),   // 256 invocations, 8 KiB of workgroup memory
  tiled32: tiledVariant(32, 16, 8, 8),     // 64 invocations, 4 KiB: fits compatibility-mode limits
  t4_128: tile4Variant(8, 8, 16, 16, 8),   // 256 invocations, 8 KiB: the big products of a hardware GPU
  t4_128x64: tile4Variant(8, 8, 8, 16, 8), // 128 invocations: twice the workgroups of t4_128
  t4_64: tile4Variant(8, 8, 8, 8, 8),      // 64 invocations, 8×8 each: 4× the workgroups of t4_128
  t4_64r4: tile4Variant(4, 4, 16, 16, 16), // 256 invocations, 4×4 each
} satisfies Record<string, MatmulVariant>;

/**
 * Split-k versions of the hardware defaults' tiles (128², 128 × 64, 64² of 4 × 4) over 2 to 8
 * slices, for products with too few tiles to fill a big GPU (1024³: 64 tiles of 128² for 132
 * SMs). Not yet a default anywhere: the tuner and the benchmark measure them on hardware.
 */
export const splitVariants = (): MatmulVariant[] => [tile4Variant(8, 8, 16, 16, 8, 2), tile4Variant(8, 8, 16, 16, 8, 4),
  tile4Variant(8, 8, 16, 16, 8, 8), tile4Variant(8, 8, 8, 16, 8, 4), tile4Variant(4, 4, 16, 16, 16, 2), tile4Variant(4, 4, 16, 16, 16, 4)];

/** Floats in one uniform window (the kernels declare array<vec4<f32>, 4096>). */
export const WIN = 16384;

/** The tuning cache's shape class of a product (docs/tuning.md): each size rounded up to a power of two. */
export function matmulShapeClass(M: number, N: number, K: number, batch = 1): string {
  return `${sizeClass(M)}x${sizeClass(N)}x${sizeClass(K)}` + (batch > 1 ? `b${sizeClass(batch)}` : '');
}

/**
 * The variant its override constants describe (a tuned cache entry: TM/TN/WG[/AV=1] → reg or
 * ubo, TS/BK/WGX/WGY → tiled, TM/TN/WGX/WGY/BK[/KS] → tiled4), or undefined when they do not make a valid one within `limits`
 * (a hand-edited or foreign cache must not break a product).
 */
export function variantFromOverrides(o: Overrides, limits: Record<string, number>): MatmulVariant | undefined {
  if (o.TS === undefined && o.WGX !== undefined) return tile4Fits(o, limits) ? tile4Variant(o.TM, o.TN, o.WGX, o.WGY, o.BK, o.KS) : undefined;
  const int = (x: unknown, lo: number, hi: number) => Number.isInteger(x) && (x as number) >= lo && (x as number) <= hi;
  const inv = limits.maxComputeInvocationsPerWorkgroup ?? 256, wgx = limits.maxComputeWorkgroupSizeX ?? 256;
  if (o.TS !== undefined) {
    const { TS, BK, WGX, WGY } = o;
    if (!int(TS, 4, 256) || !int(BK, 1, 64) || !int(WGX, 1, wgx) || !int(WGY, 1, limits.maxComputeWorkgroupSizeY ?? 256)) return undefined;
    if (TS % WGX || TS % WGY || TS / WGX > 8 || TS / WGY > 8 || WGX * WGY > inv) return undefined;
    if (2 * TS * BK * 4 > (limits.maxComputeWorkgroupStorageSize ?? 16384)) return undefined;
    return tiledVariant(TS, BK, WGX, WGY);
  }
  const { TM, TN, WG, AV } = o;
  if (AV === 3) {
    const NW = o.NW ?? 1;
    if (![4, 8, 16].includes(TM) || !int(TN, 4, 16) || TN % 4 || !int(WG, 1, Math.min(inv, wgx)) || !int(NW, 1, 8)) return undefined;
    if ((limits.maxUniformBufferBindingSize ?? 0) < WIN * 4) return undefined;
    return windowVariant(TM, TN, WG, NW);
  }
  if (!int(TM, 1, 8) || !int(TN, 1, 8) || !int(WG, 1, Math.min(inv, wgx))) return undefined;
  const ubo = AV === 1;
  if (ubo && (limits.maxUniformBufferBindingSize ?? 0) < WIN * 4) return undefined;
  return regVariant(TM, TN, WG, ubo);
}

/**
 * The variant for an M×N×K product (`batch` of them): a variant forced by name through the kernel
 * policy (src/gpu/policy.ts: `--kernel matmul=NAME`), else the tuned one for its shape class when
 * the tuning cache has one for this adapter, else `defaultMatmulVariant`.
 */
export function matmulVariant(M: number, N: number, K: number, limits: Record<string, number>,
  adapter: Pick<DeviceSummary, 'software'> = G().summary, batch = 1): MatmulVariant {
  const { value, source } = kernelSetting('matmul');
  if (source === 'forced' && value !== 'auto') {
    const forced = (matmulVariants as Record<string, MatmulVariant>)[value];
    if (!forced) throw new UserError(`matmul variant '${value}' is not one of ${Object.keys(matmulVariants).join(', ')} (or auto)`, 2);
    return forced;
  }
  const tuned = tunedEntry('matmul', matmulShapeClass(M, N, K, batch), adapter);
  return (tuned && variantFromOverrides(tuned.overrides, limits)) || defaultMatmulVariant(M, N, K, limits, adapter, batch);
}

/**
 * The default variant for an M×N×K product (`batch` of them) on a device with these limits. Software
 * adapters (llvmpipe) are load-bound and have no fast shared memory: register blocking, or uniform
 * windows where packing the smaller operand and the extra dispatches cost less than the time
 * saved — k-major windows (regk) where both sides have 16 rows and columns, 4 windows per dispatch
 * once there are 8 or more (each window slot is another copy of the kernel to compile; `gemm`
 * re-chooses between the two from the layout that actually runs), else row-major windows (ubo8x8).
 * The cost model's constants are llvmpipe's: register blocking ≈ 10 GFLOP/s at the sizes where the
 * choice matters, regk ≈ 35 GFLOP/s and ≈ 1.5 ns per packed element, ubo8x8 ≈ 22 GFLOP/s and ≈ 5 ns,
 * ≈ 45 µs a dispatch (docs/bench.md#small-products). `gemm` falls back to the row-major windows
 * where B's layout does not allow regk.
 * Hardware adapters get the vec4 shared-memory tiles (tiled4) that the limits allow: 128 × 128
 * (8 × 8 per invocation) where that still makes 256 workgroups and k ≥ 512 (big tiles pay for their
 * set-up over a long k loop; a big GPU needs the workgroups), else 64 × 64 (4 × 4 per invocation,
 * 16 k per step); with fewer than 256 invocations, 128 × 64 or 64 × 64 at 64 invocations; the
 * scalar tiled32 where none fits (docs/bench.md#nvidia-h100-vulkan).
 */
export function defaultMatmulVariant(M: number, N: number, K: number, limits: Record<string, number>,
  adapter: Pick<DeviceSummary, 'software'> = G().summary, batch = 1): MatmulVariant {
  const v = matmulVariants;
  if (adapterClass(adapter) === 'software') {
    const flops = 2 * M * N * K * batch, packed = Math.min(M, N) * K * batch, windows = Math.ceil(packed / WIN);
    const registers = flops / 10e9 + 45e-6;
    if ((limits.maxUniformBufferBindingSize ?? 0) >= WIN * 4) {
      const nw = windows >= 8 ? 4 : 1;
      if (Math.min(M, N) >= 16 && flops / 35e9 + packed * 1.5e-9 + (Math.ceil(windows / nw) + 1) * 45e-6 < registers) {
        return nw > 1 ? v.ubok16x16n4 : v.ubok16x16;
      }
      if (Math.min(M, N) >= 8 && flops / 22e9 + packed * 5e-9 + (windows + 1) * 45e-6 < registers) return v.ubo8x8;
    }
    return M >= 8 && N >= 64 ? v.reg8x8 : v.reg4x4;
  }
  const groups = (x: MatmulVariant) => Math.ceil(M / x.tileM) * Math.ceil(N / x.tileN) * batch;
  const deep = K >= 512;   // 128 × 128 tiles pay for their longer set-up and store only over a long k loop
  const order: [MatmulVariant, boolean][] = [[v.t4_128, deep && groups(v.t4_128) >= 256], [v.t4_64r4, true],
    [v.t4_128x64, deep && groups(v.t4_128x64) >= 256], [v.t4_64, true]];
  for (const [x, wanted] of order) if (wanted && tile4Fits(x.overrides, limits)) return x;
  return v.tiled32;
}
