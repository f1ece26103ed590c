/**
 * Matrix products — kernels kernels/matmul.wgsl and matmul_regk.wgsl: `matmul` (2-D and batched,
 * transposes folded into strides) and `linear` (PyTorch's x·Wᵀ + b); which kernel variant a
 * product gets is src/ops/matmulvariant.ts.
 *
 * Every product is described as a `Gemm` (sizes, strides, buffers) and run by `gemm`, so forward
 * and backward share one path and no transpose or broadcast is ever copied. Variants:
 *   reg     register blocking without workgroup memory (TM×TN outputs per invocation);
 *   ubo     the same kernel reading the A operand from 64 KiB uniform windows that a `pack`
 *           dispatch fills — on llvmpipe a uniform load is a branch-free gather, about half the
 *           cost of a storage load, which is what bounds a matmul there (docs/bench.md);
 *   ubok    k-major windows (entry regk): 4 rows at one k per uniform vec4, B as vec4s of 4
 *           columns, 16×16 per invocation, up to 8 windows per dispatch;
 *   tiled   shared-memory tiling (TS×TS per workgroup, 4×4 per invocation), any strides, scalar;
 *   tiled4  vec4 shared-memory tiling (kernels/matmul_tiled4.wgsl): the hardware GPUs' default;
 *           split-k variants (KS > 1) sum their slices with kernels/matmul_ksum.wgsl.
 * The default per adapter was chosen by measurement (bench/matmul.ts): llvmpipe → reg for small
 * products and the windows once the packing pays; hardware → tiled4. `node dist/train.js tune`
 * measures the variants per shape class and adapter; `matmulVariant` prefers its choice
 * (docs/tuning.md).
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import type { Overrides } from '../gpu/kernels.js';
import { sumAxes } from './reduce.js';
import { matmulVariant, matmulVariants, WIN, type MatmulVariant } from './matmulvariant.js';

export interface MatmulOptions { transA?: boolean; transB?: boolean }

/** One operand seen as a (rows, cols) matrix per batch: element (r, c) of batch z at z·bs + r·rs + c·cs. */
export interface Operand { buf: GPUBuffer; rs: number; cs: number; bs: number }
/** C(z) = A(z)·B(z) (+ bias) (+ C when accumulate): A is M×K, B is K×N, C is M×N. */
export interface Gemm {
  M: number; N: number; K: number; batch: number;
  a: Operand; b: Operand; c: Operand;
  bias?: { buf: GPUBuffer; sm: number; sn: number };
}

/** A contiguous tensor's last two dims as an operand, optionally transposed. */
export function operand(t: Tensor, trans: boolean, batched: boolean): Operand {
  const [R, C] = t.shape.slice(-2);
  return trans ? { buf: t.buffer, rs: 1, cs: C, bs: batched ? R * C : 0 } : { buf: t.buffer, rs: C, cs: 1, bs: batched ? R * C : 0 };
}
const rowMajor = (t: Tensor, M: number, N: number, batched = true): Operand => ({ buf: t.buffer, rs: N, cs: 1, bs: batched ? M * N : 0 });
const flip = (o: Operand): Operand => ({ buf: o.buf, rs: o.cs, cs: o.rs, bs: o.bs });
/** The same product as Cᵀ = Bᵀ·Aᵀ (only strides change). */
const turn = (g: Gemm): Gemm => ({ M: g.N, N: g.M, K: g.K, batch: g.batch, a: flip(g.b), b: flip(g.a), c: flip(g.c),
  bias: g.bias && { buf: g.bias.buf, sm: g.bias.sn, sn: g.bias.sm } });

const MAX_GROUPS = 65535;
/** Buffers of this module, per device (tests may start another). */
let own: { device: GPUDevice; dummy: GPUBuffer; windows?: GPUBuffer } | undefined;
function buffers() {
  const device = G().device;
  if (own?.device !== device) own = { device, dummy: device.createBuffer({ size: WIN * 4, usage: GPUBufferUsage.UNIFORM, label: 'matmul-dummy-window' }) };
  return own;
}
const uniformDummy = (): GPUBuffer => buffers().dummy;
/** The packed-window buffer (uniform + storage), grown on demand; reuse is ordered by the queue. */
function windows(bytes: number): GPUBuffer {
  const b = buffers();
  if (!b.windows || b.windows.size < bytes) {
    b.windows = b.device.createBuffer({ size: bytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.STORAGE, label: 'matmul-windows' });
  }
  return b.windows;
}

function params(g: Gemm, flags: number, zb: number, wm0: number, k0: number, kc: number, ldu: number): number[] {
  const x = g.bias ?? { sm: 0, sn: 0 };
  return [g.M, g.N, g.K, flags, g.a.rs, g.a.cs, g.b.rs, g.b.cs, g.c.rs, g.c.cs, g.a.bs, g.b.bs,
    g.c.bs, x.sm, x.sn, zb, wm0, k0, kc, ldu];
}

/** Products below this many multiply-adds all use the scalar load paths: one pipeline (one JIT) serves them. */
const VEC4_MIN = 65536;

/** vec4 load paths of the reg kernel that the strides allow (see kernels/matmul.wgsl). */
function loadPaths(g: Gemm, v: MatmulVariant): Overrides {
  const q = (x: number) => x % 4 === 0 && g.M * g.N * g.K * g.batch >= VEC4_MIN;
  const av = v.ubo ? 1 : g.a.cs === 1 && q(g.a.rs) && q(g.a.bs) ? 2 : 0;
  const bv = g.b.cs === 1 && q(g.b.rs) && q(g.b.bs) && q(v.overrides.TN) ? 1 : g.b.rs === 1 && q(g.b.cs) && q(g.b.bs) ? 2 : 0;
  return { ...v.overrides, AV: av, BV: bv };
}

/**
 * Binding list of the reg entry: the scalar arrays serve the k tail too, so a vec4 path binds its
 * buffer twice (both read-only); slots a variant never reads get the placeholder.
 */
function regBindings(g: Gemm, o: Overrides, window?: GPUBufferBinding): (GPUBuffer | GPUBufferBinding)[] {
  const ph = G().placeholder;
  return [o.AV === 1 ? ph : g.a.buf, g.b.buf, g.bias?.buf ?? ph, g.c.buf,
    window ?? uniformDummy(), o.AV === 2 ? g.a.buf : ph, o.BV !== 0 ? g.b.buf : ph];
}

/**
 * Records the dispatches of one product with the given variant (default: `matmulVariant`); also
 * the GEMM of the temporal convolution's im2col path (src/ops/tconvcols.ts).
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
      // gradient at 8192 × 256 → 256: ≈ 1.25×)
      const fits = (l: WindowLayout) => vec4Columns(l.g) && vec4Rows(l.g.c);
      if (!fits(w)) { const other = windowLayout(g, v.tileM, 1, !w.turned); if (fits(other) && other.g.N >= v.tileN) w = other; }
      // and it needs a compiler with pointer parameters
      if (!fits(w) || !gpu.summary.wgslFeatures?.includes('unrestricted_pointer_parameters')) {
        v = matmulVariants.ubo8x8; w = windowLayout(g, v.tileM);
      } else if (!variant && (v === matmulVariants.ubok16x16 || v === matmulVariants.ubok16x16n4)) {
        // the default's windows per dispatch (not a requested or tuned variant's), from the layout
        // that runs: the other orientation may pack far more rows than the default guessed (8192 ×
        // 256 × 256: 128 windows, not 4; 4 per dispatch ≈ 1.5× there). 4 where that saves 6 dispatches
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
function directPlan(g: Gemm, v: MatmulVariant): { file: string; o: Overrides; bufs: (GPUBuffer | GPUBufferBinding)[] } {
  if (v.entry === 'reg') { const o = loadPaths(g, v); return { file: 'matmul', o, bufs: regBindings(g, o) }; }
  if (v.entry === 'tiled4') { const o = tile4Paths(g, v); return { file: 'matmul_tiled4', o, bufs: tile4Bindings(g, o) }; }
  return { file: 'matmul', o: v.overrides, bufs: [g.a.buf, g.b.buf, g.bias?.buf ?? G().placeholder, g.c.buf] };
}

/** vec4 load and store paths of the tiled4 kernel that the strides allow (kernels/matmul_tiled4.wgsl). */
function tile4Paths(g: Gemm, v: MatmulVariant): Overrides {
  const q = (...xs: number[]) => xs.every((x) => x % 4 === 0);
  const av = g.a.cs === 1 && q(g.a.rs, g.a.bs, g.K) ? 1 : g.a.rs === 1 && q(g.a.cs, g.a.bs, g.M) ? 2 : 0;
  const bv = g.b.cs === 1 && q(g.b.rs, g.b.bs, g.N) ? 1 : g.b.rs === 1 && q(g.b.cs, g.b.bs, g.K) ? 2 : 0;
  return { ...v.overrides, AV: av, BV: bv, CV: vec4Stores(g) ? 1 : 0 };
}
/** C takes vec4 stores of 4 neighbouring columns (tiled4's and ksum's CV = 1): contiguous, whole vec4 rows. */
const vec4Stores = (g: Gemm): boolean => g.c.cs === 1 && [g.c.rs, g.c.bs, g.N].every((x) => x % 4 === 0);
/** tiled4's bindings: the scalar views, bias, C, then the vec4 views (the placeholder where unread). */
function tile4Bindings(g: Gemm, o: Overrides): GPUBuffer[] {
  const ph = G().placeholder;
  return [o.AV ? ph : g.a.buf, o.BV ? ph : g.b.buf, g.bias?.buf ?? ph, g.c.buf, o.AV ? g.a.buf : ph, o.BV ? g.b.buf : ph];
}

/** Invocations per workgroup of the split-k sum (kernels/matmul_ksum.wgsl), one vec4 of C each. */
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
  gpu.dispatch(gpu.kernel('matmul_ksum', 'ksum', { WG: KSUM_WG, CV: vec4Stores(g) ? 1 : 0 }), [part.buffer, g.bias?.buf ?? gpu.placeholder, g.c.buf],
    [g.M, g.N, g.batch, g.bias ? 1 : 0, g.c.rs, g.c.cs, g.c.bs, slices, x.sm, x.sn, ss], Math.ceil(g.batch * g.M * N4 / 4 / KSUM_WG));
  part.dispose();
}

/** regk reads B as vec4s of 4 neighbouring columns: contiguous rows of whole vec4s. */
const vec4Columns = (g: Gemm): boolean => g.b.cs === 1 && g.N % 4 === 0 && g.b.rs % 4 === 0 && g.b.bs % 4 === 0;
/** regk writes C as vec4s where its columns are contiguous (else per element): rows must then start on a vec4. */
const vec4Rows = (c: Operand): boolean => c.cs !== 1 || (c.rs % 4 === 0 && c.bs % 4 === 0);

const pow2floor = (x: number) => 2 ** Math.floor(Math.log2(Math.max(1, x)));
const pow2ceil = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

interface WindowLayout { g: Gemm; turned: boolean; MB: number; ldu: number; nmb: number; nkb: number; zWin: number; bytes: number }

/**
 * How the uniform-window path splits a product: the operand with fewer elements to pack becomes
 * A (the product is turned around as Cᵀ = Bᵀ·Aᵀ when B is smaller, unless `turned` says
 * otherwise); windows of ≤ WIN floats hold MB rows (a power of two) × ldu k — whole k rows when
 * `groups` row groups fit (2 for reg, 1 for regk, whose bigger tiles need fewer rows to fill a
 * dispatch), else 8 row groups and k in chunks.
 */
function windowLayout(g0: Gemm, TM: number, groups = 2,
  turned = g0.K * g0.N * (g0.b.bs ? g0.batch : 1) < g0.M * g0.K * (g0.a.bs ? g0.batch : 1)): WindowLayout {
  const g = turned ? turn(g0) : g0;
  const Kp = Math.ceil(g.K / 4) * 4;
  const MB = Math.max(TM, Math.min(pow2ceil(g.M), Kp * groups * TM <= WIN ? pow2floor(WIN / Kp) : 8 * TM));
  const ldu = Math.max(4, Math.min(Kp, Math.floor(WIN / MB / 4) * 4));
  const nmb = Math.ceil(g.M / MB), nkb = Math.ceil(g.K / ldu);
  const zWin = g.a.bs ? g.batch : 1;
  return { g, turned, MB, ldu, nmb, nkb, zWin, bytes: zWin * nmb * nkb * WIN * 4 };
}

/** The uniform-window path: one pack dispatch, then one dispatch per window accumulating its k range into C. */
function gemmWindows(w: WindowLayout, v: MatmulVariant): void {
  const { g, MB, ldu, nmb, nkb, zWin } = w;
  const TM = v.tileM;
  const gpu = G();
  const kmajor = v.entry === 'regk';
  const buf = windows(w.bytes);
  // a row-major op(A) packs k-major in 4 × 4 blocks of vec4s (entry pack4), else element by element
  const quads = kmajor && g.a.cs === 1 && g.a.rs % 4 === 0 && g.a.bs % 4 === 0 && g.K % 4 === 0;
  const pack = gpu.kernel('matmul', quads ? 'pack4' : 'pack', { WG: 64 });
  const rowsPerGroup = quads ? 4 : 1;
  for (let z = 0; z < zWin; z++) {
    for (let m0 = 0; m0 < nmb * MB; m0 += MAX_GROUPS * rowsPerGroup) {
      gpu.dispatch(pack, [g.a.buf, buf], [g.M, g.K, g.a.rs, g.a.cs, z * g.a.bs, Math.log2(MB), ldu, nkb, z * nmb * nkb, WIN, m0, kmajor ? 1 : 0],
        [Math.ceil(ldu / (64 * rowsPerGroup)), Math.min(MAX_GROUPS, Math.ceil((nmb * MB - m0) / rowsPerGroup)), nkb]);
    }
  }
  if (kmajor) { regkDispatches(w, v, buf); return; }
  const o = loadPaths(g, v);
  const kernel = gpu.kernel('matmul', v.entry, o);
  const gx = Math.ceil(g.N / v.tileN);
  for (let z = 0; z < zWin; z++) {
    for (let mb = 0; mb < nmb; mb++) {
      const wm0 = mb * MB;
      const gy = Math.ceil(Math.min(MB, g.M - wm0) / TM);
      for (let kb = 0; kb < nkb; kb++) {
        const win = (z * nmb + mb) * nkb + kb;
        const k0 = kb * ldu;
        const flags = (kb === 0 && g.bias ? 1 : 0) | (kb > 0 ? 2 : 0);
        const bufs = regBindings(g, o, { buffer: buf, offset: win * WIN * 4, size: WIN * 4 });
        // a broadcast A serves every batch from the same windows: one dispatch over z
        const [zFirst, zCount] = g.a.bs ? [z, 1] : [0, g.batch];
        for (let z0 = zFirst; z0 < zFirst + zCount; z0 += MAX_GROUPS) {
          gpu.dispatch(kernel, bufs, params(g, flags, z0, wm0, k0, Math.min(ldu, g.K - k0), ldu),
            [gx, gy, Math.min(MAX_GROUPS, zFirst + zCount - z0)]);
        }
      }
    }
  }
}

/**
 * regk's dispatches over packed windows: each covers NW windows of consecutive row blocks in one
 * k chunk (the slots past the last row block get the dummy window), accumulating k chunks after
 * the first into C; the first adds the bias.
 */
function regkDispatches(w: WindowLayout, v: MatmulVariant, buf: GPUBuffer): void {
  const { g, MB, ldu, nmb, nkb, zWin } = w;
  const gpu = G();
  const { TM, TN, WG, NW = 1 } = v.overrides;
  const kernel = gpu.kernel('matmul_regk', 'regk', { TM, TN, WG, NW });
  const gx = Math.ceil(g.N / v.tileN);
  const dummy = uniformDummy();
  for (let z = 0; z < zWin; z++) {
    for (let mb = 0; mb < nmb; mb += NW) {
      const wm0 = mb * MB;
      const gy = Math.ceil(Math.min(NW * MB, g.M - wm0) / TM);
      for (let kb = 0; kb < nkb; kb++) {
        const k0 = kb * ldu;
        const windows: (GPUBuffer | GPUBufferBinding)[] = [];
        for (let j = 0; j < 8; j++) {
          const win = (z * nmb + mb + j) * nkb + kb;
          windows.push(j < NW && mb + j < nmb ? { buffer: buf, offset: win * WIN * 4, size: WIN * 4 } : dummy);
        }
        const [zFirst, zCount] = g.a.bs ? [z, 1] : [0, g.batch];
        for (let z0 = zFirst; z0 < zFirst + zCount; z0 += MAX_GROUPS) {
          const flags = (kb === 0 && g.bias ? 1 : 0) | (kb > 0 ? 2 : 0);
          gpu.dispatch(kernel, [g.b.buf, g.c.buf, ...windows, g.bias?.buf ?? gpu.placeholder], params(g, flags, z0, wm0, k0, Math.min(ldu, g.K - k0), MB),
            [gx, gy, Math.min(MAX_GROUPS, zFirst + zCount - z0)]);
        }
      }
    }
  }
}

function dims(a: Tensor, b: Tensor, o: MatmulOptions) {
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > 3) throw new Error(`matmul: operands must be 2-D or 3-D, got [${a.shape}] and [${b.shape}]`);
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const M = o.transA ? ac : ar, K = o.transA ? ar : ac;
  const Kb = o.transB ? bc : br, N = o.transB ? br : bc;
  if (K !== Kb) throw new Error(`matmul: inner sizes differ: [${a.shape}]${o.transA ? 'ᵀ' : ''} · [${b.shape}]${o.transB ? 'ᵀ' : ''}`);
  const za = a.rank === 3 ? a.shape[0] : 1, zb = b.rank === 3 ? b.shape[0] : 1;
  if (za !== zb && za !== 1 && zb !== 1) throw new Error(`matmul: batch sizes ${za} and ${zb} do not broadcast`);
  const batch = Math.max(za, zb);
  const batched = a.rank === 3 || b.rank === 3;
  return { M, N, K, batch, aB: za > 1, bB: zb > 1, shape: batched ? [batch, M, N] : [M, N] };
}

/** op(a)·op(b) without recording (used by the forward and by the backward rules). */
function product(a: Tensor, b: Tensor, o: MatmulOptions, variant?: MatmulVariant): Tensor {
  const d = dims(a, b, o);
  const out = Tensor.empty(d.shape);
  gemm({ M: d.M, N: d.N, K: d.K, batch: d.batch, a: operand(a, !!o.transA, d.aB), b: operand(b, !!o.transB, d.bB), c: rowMajor(out, d.M, d.N) }, variant);
  return out;
}

/** Sums a batched gradient over the batch when its operand was broadcast (2-D or batch 1). */
function unbatch(g: Tensor, like: Tensor): Tensor {
  if (g.rank === like.rank && g.shape[0] === like.shape[0]) return g;
  return sumAxes(g, 0).view(like.shape);
}

/**
 * op(a)·op(b) for (M,K)·(K,N) → (M,N), or batched (B,M,K)·(B,K,N) → (B,M,N) where either side may
 * be 2-D (or batch 1) and is then shared by every batch. `transA`/`transB` read the stored
 * matrix transposed (a is (K,M), b is (N,K)) without a copy.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions & { variant?: MatmulVariant } = {}): Tensor {
  const tA = !!opts.transA, tB = !!opts.transB;
  const out = product(a, b, opts, opts.variant);
  return record('matmul', out, [a, b], (g) => {
    let ga: Tensor | undefined, gb: Tensor | undefined;
    if (a.requiresGrad) {
      // d op(A) = dC·op(B)ᵀ; for a stored transposed, dA = (dC·op(B)ᵀ)ᵀ = op(B)·dCᵀ
      ga = unbatch(tA ? product(b, g, { transA: tB, transB: true }) : product(g, b, { transB: !tB }), a);
    }
    if (b.requiresGrad) gb = gradB(a, b, g, tA, tB);
    return [ga, gb];
  });
}

/** d op(B) = op(A)ᵀ·dC; a broadcast b with a row-major batched a folds the batch into k. */
function gradB(a: Tensor, b: Tensor, g: Tensor, tA: boolean, tB: boolean): Tensor {
  const d = dims(a, b, { transA: tA, transB: tB });
  if (!d.bB && d.aB && !tA) {
    const rows = d.batch * d.M;   // a as (B·M, K), dC as (B·M, N)
    const A2: Operand = { buf: a.buffer, rs: d.K, cs: 1, bs: 0 }, G2: Operand = { buf: g.buffer, rs: d.N, cs: 1, bs: 0 };
    const out = Tensor.empty(b.shape);
    if (tB) gemm({ M: d.N, N: d.K, K: rows, batch: 1, a: flip(G2), b: A2, c: rowMajor(out, d.N, d.K, false) });
    else gemm({ M: d.K, N: d.N, K: rows, batch: 1, a: flip(A2), b: G2, c: rowMajor(out, d.K, d.N, false) });
    return out;
  }
  const full = tB ? product(g, a, { transA: true, transB: tA }) : product(a, g, { transA: !tA });
  return unbatch(full, b);
}

/**
 * PyTorch's linear: x·wᵀ + bias with w of shape (out, in), x of shape (…, in) → (…, out). The
 * bias is added in the kernel's epilogue; leading dims of x are folded into rows.
 */
export function linear(x: Tensor, w: Tensor, bias?: Tensor, opts: { variant?: MatmulVariant } = {}): Tensor {
  if (w.rank !== 2) throw new Error(`linear: weight must be (out, in), got [${w.shape}]`);
  const [fout, fin] = w.shape;
  if (x.shape.at(-1) !== fin) throw new Error(`linear: input [${x.shape}] does not end in ${fin} features`);
  if (bias && (bias.size !== fout)) throw new Error(`linear: bias [${bias.shape}] for ${fout} outputs`);
  const rows = x.size / fin;
  const out = Tensor.empty([...x.shape.slice(0, -1), fout]);
  const X: Operand = { buf: x.buffer, rs: fin, cs: 1, bs: 0 };
  const Wt: Operand = { buf: w.buffer, rs: 1, cs: fin, bs: 0 };   // (k = in, n = out) of w (out, in)
  gemm({ M: rows, N: fout, K: fin, batch: 1, a: X, b: Wt, c: rowMajor(out, rows, fout, false), bias: bias && { buf: bias.buffer, sm: 0, sn: 1 } }, opts.variant);
  return record('linear', out, [x, w, bias], (g) => {
    const G2: Operand = { buf: g.buffer, rs: fout, cs: 1, bs: 0 };
    let gx: Tensor | undefined, gw: Tensor | undefined, gbias: Tensor | undefined;
    if (x.requiresGrad) {   // dx = dY·W
      gx = Tensor.empty(x.shape);
      gemm({ M: rows, N: fin, K: fout, batch: 1, a: G2, b: { buf: w.buffer, rs: fin, cs: 1, bs: 0 }, c: rowMajor(gx, rows, fin, false) });
    }
    if (w.requiresGrad) {   // dW = dYᵀ·X
      gw = Tensor.empty(w.shape);
      gemm({ M: fout, N: fin, K: rows, batch: 1, a: flip(G2), b: X, c: rowMajor(gw, fout, fin, false) });
    }
    if (bias?.requiresGrad) gbias = sumAxes(g.view([rows, fout]), 0).view(bias.shape);
    return [gx, gw, gbias];
  });
}
