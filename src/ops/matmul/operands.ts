/**
 * How a matrix product is described to the kernels: each operand as a (rows, cols) matrix per
 * batch with element strides (so transposes and broadcasts cost no copy), the uniform params of
 * kernels/matmul/*.wgsl, the load and store paths the strides allow, and this module's own buffers
 * (the dummy uniform window, the packed windows).
 */
import type { Tensor } from '../../tensor/tensor.js';
import { G } from '../../tensor/tensor.js';
import type { Overrides } from '../../gpu/kernels.js';
import type { Bindings, Params } from '../../gpu/device.js';
import { WIN, type MatmulVariant } from './variants.js';

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
export const rowMajor = (t: Tensor, M: number, N: number, batched = true): Operand => ({ buf: t.buffer, rs: N, cs: 1, bs: batched ? M * N : 0 });
export const flip = (o: Operand): Operand => ({ buf: o.buf, rs: o.cs, cs: o.rs, bs: o.bs });
/** The same product as Cᵀ = Bᵀ·Aᵀ (only strides change). */
export const turn = (g: Gemm): Gemm => ({ M: g.N, N: g.M, K: g.K, batch: g.batch, a: flip(g.b), b: flip(g.a), c: flip(g.c),
  bias: g.bias && { buf: g.bias.buf, sm: g.bias.sn, sn: g.bias.sm } });

export const MAX_GROUPS = 65535;
/** Buffers of this module, per device (tests may start another). */
let own: { device: GPUDevice; dummy: GPUBuffer; windows?: GPUBuffer } | undefined;
function buffers() {
  const device = G().device;
  if (own?.device !== device) own = { device, dummy: device.createBuffer({ size: WIN * 4, usage: GPUBufferUsage.UNIFORM, label: 'matmul-dummy-window' }) };
  return own;
}
export const uniformDummy = (): GPUBuffer => buffers().dummy;
/** The packed-window buffer (uniform + storage), grown on demand; reuse is ordered by the queue. */
export function windowsBuffer(bytes: number): GPUBuffer {
  const b = buffers();
  if (!b.windows || b.windows.size < bytes) {
    b.windows = b.device.createBuffer({ size: bytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.STORAGE, label: 'matmul-windows' });
  }
  return b.windows;
}

/** The uniform params of kernels/matmul/*.wgsl (kernels/lib/matmul_params.wgsl) for one dispatch of a product. */
export function params(g: Gemm, flags: number, zb: number, wm0: number, k0: number, kc: number, ldu: number): Params {
  const x = g.bias ?? { sm: 0, sn: 0 };
  return { M: g.M, N: g.N, K: g.K, flags, sam: g.a.rs, sak: g.a.cs, sbk: g.b.rs, sbn: g.b.cs, scm: g.c.rs, scn: g.c.cs,
    sab: g.a.bs, sbb: g.b.bs, scb: g.c.bs, sxm: x.sm, sxn: x.sn, zb, wm0, k0, kc, ldu };
}

/** Products below this many multiply-adds all use the scalar load paths: one pipeline (one JIT) serves them. */
export const VEC4_MIN = 65536;

/** vec4 load paths of the reg kernel that the strides allow (see kernels/matmul/matmul.wgsl). */
export function loadPaths(g: Gemm, v: MatmulVariant): Overrides {
  const q = (x: number) => x % 4 === 0 && g.M * g.N * g.K * g.batch >= VEC4_MIN;
  const av = v.ubo ? 1 : g.a.cs === 1 && q(g.a.rs) && q(g.a.bs) ? 2 : 0;
  const bv = g.b.cs === 1 && q(g.b.rs) && q(g.b.bs) && q(v.overrides.TN) ? 1 : g.b.rs === 1 && q(g.b.cs) && q(g.b.bs) ? 2 : 0;
  return { ...v.overrides, AV: av, BV: bv };
}

/**
 * Bindings of the reg entry: the scalar arrays serve the k tail too, so a vec4 path binds its
 * buffer twice (both read-only); slots a variant never reads get the placeholder.
 */
export function regBindings(g: Gemm, o: Overrides, window?: GPUBufferBinding): Bindings {
  const ph = G().placeholder;
  return { a: o.AV === 1 ? ph : g.a.buf, b: g.b.buf, bias: g.bias?.buf ?? ph, c: g.c.buf,
    window: window ?? uniformDummy(), avec: o.AV === 2 ? g.a.buf : ph, bvec: o.BV !== 0 ? g.b.buf : ph };
}

export const vec4Columns = (g: Gemm): boolean => g.b.cs === 1 && g.N % 4 === 0 && g.b.rs % 4 === 0 && g.b.bs % 4 === 0;
/** regk writes C as vec4s where its columns are contiguous (else per element): rows must then start on a vec4. */
export const vec4Rows = (c: Operand): boolean => c.cs !== 1 || (c.rs % 4 === 0 && c.bs % 4 === 0);


/** C takes vec4 stores of 4 neighbouring columns (tiled4's and ksum's CV = 1): contiguous, whole vec4 rows. */
export const vec4Stores = (g: Gemm): boolean => g.c.cs === 1 && [g.c.rs, g.c.bs, g.N].every((x) => x % 4 === 0);
