/**
 * Runs one product described as a `Gemm` (./operands.ts) with a kernel variant (./variants.ts:
 * the tuned one, else the adapter's default): the uniform windows of ./windows.ts on software
 * adapters, the kernels that read the operands in place (reg, tiled, tiled4 of
 * kernels/matmul/*.wgsl) elsewhere, split over k (kernels/matmul/ksum.wgsl sums the slices) where
 * a tiled4 variant asks for it.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import type { Overrides } from '../../gpu/kernels.js';
import type { Bindings } from '../../gpu/device.js';
import { matmulVariant, matmulVariants, type MatmulVariant } from './variants.js';
import { turn, params, loadPaths, regBindings, vec4Columns, vec4Rows, vec4Stores, MAX_GROUPS, type Gemm } from './operands.js';
import { windowLayout, gemmWindows, type WindowLayout } from './windows.js';

export type { Gemm, Operand } from './operands.js';
export { operand } from './operands.js';

/**
 * Records the dispatches of one product with the given variant (default: `matmulVariant`); also
 * the GEMM of the temporal convolution's im2col path (src/ops/tconv/cols.ts).
 */
export function gemm(g0: Gemm, variant?: MatmulVariant): void {
  if (g0.M === 0 || g0.N === 0 || g0.batch === 0) return;
  const gpu = G();
  // invocations run along n: a product with few columns and many rows is computed turned around
  const g = g0.N < 32 && g0.M > g0.N ? turn(g0) : g0;
  let v = variant ?? matmulVariant(g.M, g.N, g.K, gpu.limits, gpu.summary, g.batch);
  if (v.ubo) {
    let w = windowLayout(g, v.tileM, v.entry === 'regk' ? 1 : 2);
    if (v.entry === 'regk') {
      // regk needs B as vec4s of neighbouring columns and C rows of whole vec4s where C is
      // row-major: when only the other orientation has them (and it is wide enough to keep the
      // lanes busy), packing the bigger operand still beats the row-major windows (linear's input
      // gradient: docs/bench.md#llvmpipe)
      const fits = (l: WindowLayout) => vec4Columns(l.g) && vec4Rows(l.g.c);
      if (!fits(w)) { const other = windowLayout(g, v.tileM, 1, !w.turned); if (fits(other) && other.g.N >= v.tileN) w = other; }
      // and it needs a compiler with pointer parameters
      if (!fits(w) || !gpu.summary.wgslFeatures?.includes('unrestricted_pointer_parameters')) {
        v = matmulVariants.ubo8x8; w = windowLayout(g, v.tileM);
      } else if (!variant && (v === matmulVariants.ubok16x16 || v === matmulVariants.ubok16x16n4)) {
        // the default's windows per dispatch (not a requested or tuned variant's), from the layout
        // that runs: the other orientation may pack far more rows than the default guessed (8192 ×
        // 256 × 256: 128 windows, not 4). 4 where that saves 6 dispatches
        const saved = w.zWin * w.nkb * (w.nmb - Math.ceil(w.nmb / 4));
        v = saved >= 6 ? matmulVariants.ubok16x16n4 : matmulVariants.ubok16x16;
      }
    }
    if (g.K > 0 && w.bytes <= gpu.limits.maxStorageBufferBindingSize) { gemmWindows(w, v); return; }
    v = matmulVariants.reg8x8;   // nothing to pack, or more windows than one storage binding holds
  }
  if (v.entry === 'tiled4' && (v.overrides.KS ?? 1) > 1) {
    const split = kSlices(g, v);
    if (split.slices > 1) { gemmSplitK(g, v, split); return; }
    const { KS: _, ...rest } = v.overrides;   // one slice: the plain kernel
    v = { ...v, overrides: rest };
  }
  const { file, o, bufs } = directPlan(g, v);
  const kernel = gpu.kernel(file, v.entry, o);
  const flags = g.bias ? 1 : 0;
  const gx = Math.ceil(g.N / v.tileN);
  const rowGroups = Math.ceil(g.M / v.tileM);
  for (let z0 = 0; z0 < g.batch; z0 += MAX_GROUPS) {
    const gz = Math.min(MAX_GROUPS, g.batch - z0);
    for (let y0 = 0; y0 < rowGroups; y0 += MAX_GROUPS) {
      gpu.dispatch(kernel, bufs, params(g, flags, z0, y0 * v.tileM, 0, g.K, 0), [gx, Math.min(MAX_GROUPS, rowGroups - y0), gz]);
    }
  }
}

/** Kernel file, override constants and bindings of an entry that reads the operands in place (no pack). */
function directPlan(g: Gemm, v: MatmulVariant): { file: string; o: Overrides; bufs: Bindings } {
  if (v.entry === 'reg') { const o = loadPaths(g, v); return { file: 'matmul/matmul', o, bufs: regBindings(g, o) }; }
  if (v.entry === 'tiled4') { const o = tile4Paths(g, v); return { file: 'matmul/tiled4', o, bufs: tile4Bindings(g, o) }; }
  return { file: 'matmul/matmul', o: v.overrides, bufs: { a: g.a.buf, b: g.b.buf, bias: g.bias?.buf ?? G().placeholder, c: g.c.buf } };
}

/** vec4 load and store paths of the tiled4 kernel that the strides allow (kernels/matmul/tiled4.wgsl). */
function tile4Paths(g: Gemm, v: MatmulVariant): Overrides {
  const q = (...xs: number[]) => xs.every((x) => x % 4 === 0);
  const av = g.a.cs === 1 && q(g.a.rs, g.a.bs, g.K) ? 1 : g.a.rs === 1 && q(g.a.cs, g.a.bs, g.M) ? 2 : 0;
  const bv = g.b.cs === 1 && q(g.b.rs, g.b.bs, g.N) ? 1 : g.b.rs === 1 && q(g.b.cs, g.b.bs, g.K) ? 2 : 0;
  return { ...v.overrides, AV: av, BV: bv, CV: vec4Stores(g) ? 1 : 0 };
}
/** tiled4's bindings: the scalar views, bias, C, then the vec4 views (the placeholder where unread). */
function tile4Bindings(g: Gemm, o: Overrides): Bindings {
  const ph = G().placeholder;
  return { a: o.AV ? ph : g.a.buf, b: o.BV ? ph : g.b.buf, bias: g.bias?.buf ?? ph, c: g.c.buf, avec: o.AV ? g.a.buf : ph, bvec: o.BV ? g.b.buf : ph };
}

/** Invocations per workgroup of the split-k sum (kernels/matmul/ksum.wgsl), one vec4 of C each. */
const KSUM_WG = 64;

/**
 * How a split-k tiled4 variant divides k: at most KS slices of whole BK steps (`kc` k each, the
 * last one shorter), fewer where k is short, and one (no split) where the slices' partial
 * products would not fit one storage binding. Rows of the partials are padded to whole vec4s.
 */
function kSlices(g: Gemm, v: MatmulVariant): { slices: number; kc: number; ss: number } {
  const { BK, KS = 1 } = v.overrides;
  const steps = Math.ceil(g.K / BK);
  const kc = Math.ceil(steps / Math.min(KS, Math.max(1, steps))) * BK;
  const slices = Math.ceil(g.K / kc);
  const ss = g.batch * g.M * Math.ceil(g.N / 4) * 4;   // floats per slice
  return slices * ss * 4 > G().limits.maxStorageBufferBindingSize ? { slices: 1, kc: g.K, ss: 0 } : { slices, kc, ss };
}

/**
 * Split k: every tile's k range is computed by `slices` workgroups, each writing its partial
 * product to a scratch tensor (grid z = batches × slices), then one ksum pass adds the slices
 * and the bias into C — more workgroups for a product too small to fill the GPU.
 */
function gemmSplitK(g: Gemm, v: MatmulVariant, { slices, kc, ss }: { slices: number; kc: number; ss: number }): void {
  const gpu = G();
  const N4 = Math.ceil(g.N / 4) * 4;
  const part = Tensor.empty([slices * ss]);
  const pg: Gemm = { ...g, c: { buf: part.buffer, rs: N4, cs: 1, bs: g.M * N4 }, bias: undefined };
  const { file, o, bufs } = directPlan(pg, { ...v, overrides: { ...v.overrides, KS: slices } });
  const kernel = gpu.kernel(file, v.entry, o);
  const gx = Math.ceil(g.N / v.tileN);
  const rowGroups = Math.ceil(g.M / v.tileM);
  const zStep = Math.floor(MAX_GROUPS / slices);
  for (let z0 = 0; z0 < g.batch; z0 += zStep) {
    const gz = Math.min(zStep, g.batch - z0);
    for (let y0 = 0; y0 < rowGroups; y0 += MAX_GROUPS) {
      gpu.dispatch(kernel, bufs, params(pg, 0, z0, y0 * v.tileM, 0, kc, ss), [gx, Math.min(MAX_GROUPS, rowGroups - y0), gz * slices]);
    }
  }
  const x = g.bias ?? { sm: 0, sn: 0 };
  gpu.dispatch(gpu.kernel('matmul/ksum', 'ksum', { WG: KSUM_WG, CV: vec4Stores(g) ? 1 : 0 }), { part: part.buffer, bias: g.bias?.buf ?? gpu.placeholder, c: g.c.buf },
    { M: g.M, N: g.N, batches: g.batch, flags: g.bias ? 1 : 0, scm: g.c.rs, scn: g.c.cs, scb: g.c.bs, slices, sxm: x.sm, sxn: x.sn, ss }, Math.ceil(g.batch * g.M * N4 / 4 / KSUM_WG));
  part.dispose();
}

/** regk reads B as vec4s of 4 neighbouring columns: contiguous rows of whole vec4s. */
