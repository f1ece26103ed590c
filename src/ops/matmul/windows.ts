/**
 * The uniform-window path of the matrix product (software adapters): the smaller operand is
 * packed into 64 KiB uniform windows (kernels/matmul/matmul.wgsl `pack` / `pack4`), then one
 * dispatch per window (row-major windows, entry `reg` with AV = 1) or per NW windows (k-major,
 * kernels/matmul/regk.wgsl) accumulates its k range into C. On llvmpipe a uniform load is a
 * branch-free gather, about half the cost of a storage load, which is what bounds a matmul there
 * (docs/bench.md).
 */
import { G } from '../../tensor/tensor.js';
import type { Bindings } from '../../gpu/device.js';
import type { MatmulVariant } from './variants.js';
import { WIN } from './variants.js';
import { turn, params, loadPaths, regBindings, uniformDummy, windowsBuffer, MAX_GROUPS, type Gemm } from './operands.js';

const pow2floor = (x: number) => 2 ** Math.floor(Math.log2(Math.max(1, x)));
const pow2ceil = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

export interface WindowLayout { g: Gemm; turned: boolean; MB: number; ldu: number; nmb: number; nkb: number; zWin: number; bytes: number }

/**
 * How the uniform-window path splits a product: the operand with fewer elements to pack becomes
 * A (the product is turned around as Cᵀ = Bᵀ·Aᵀ when B is smaller, unless `turned` says
 * otherwise); windows of ≤ WIN floats hold MB rows (a power of two) × ldu k — whole k rows when
 * `groups` row groups fit (2 for reg, 1 for regk, whose bigger tiles need fewer rows to fill a
 * dispatch), else 8 row groups and k in chunks.
 */
export function windowLayout(g0: Gemm, TM: number, groups = 2,
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
export function gemmWindows(w: WindowLayout, v: MatmulVariant): void {
  const { g, MB, ldu, nmb, nkb, zWin } = w;
  const TM = v.tileM;
  const gpu = G();
  const kmajor = v.entry === 'regk';
  const buf = windowsBuffer(w.bytes);
  // a row-major op(A) packs k-major in 4 × 4 blocks of vec4s (entry pack4), else element by element
  const quads = kmajor && g.a.cs === 1 && g.a.rs % 4 === 0 && g.a.bs % 4 === 0 && g.K % 4 === 0;
  const pack = gpu.kernel('matmul/matmul', quads ? 'pack4' : 'pack', { WG: 64 });
  const rowsPerGroup = quads ? 4 : 1;
  for (let z = 0; z < zWin; z++) {
    for (let m0 = 0; m0 < nmb * MB; m0 += MAX_GROUPS * rowsPerGroup) {
      gpu.dispatch(pack, { a: g.a.buf, packed: buf },
        { M: g.M, K: g.K, sam: g.a.rs, sak: g.a.cs, abase: z * g.a.bs, lgMB: Math.log2(MB), ldu, nkb, wbase: z * nmb * nkb, WIN, m0, kmaj: kmajor ? 1 : 0 },
        [Math.ceil(ldu / (64 * rowsPerGroup)), Math.min(MAX_GROUPS, Math.ceil((nmb * MB - m0) / rowsPerGroup)), nkb]);
    }
  }
  if (kmajor) { regkDispatches(w, v, buf); return; }
  const o = loadPaths(g, v);
  const kernel = gpu.kernel('matmul/matmul', v.entry, o);
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
  const kernel = gpu.kernel('matmul/regk', 'regk', { TM, TN, WG, NW });
  const gx = Math.ceil(g.N / v.tileN);
  const dummy = uniformDummy();
  for (let z = 0; z < zWin; z++) {
    for (let mb = 0; mb < nmb; mb += NW) {
      const wm0 = mb * MB;
      const gy = Math.ceil(Math.min(NW * MB, g.M - wm0) / TM);
      for (let kb = 0; kb < nkb; kb++) {
        const k0 = kb * ldu;
        const bindings: Bindings = { b: g.b.buf, c: g.c.buf, bias: g.bias?.buf ?? gpu.placeholder };
        for (let j = 0; j < 8; j++) {
          const win = (z * nmb + mb + j) * nkb + kb;
          bindings[`u${j}`] = j < NW && mb + j < nmb ? { buffer: buf, offset: win * WIN * 4, size: WIN * 4 } : dummy;
        }
        const [zFirst, zCount] = g.a.bs ? [z, 1] : [0, g.batch];
        for (let z0 = zFirst; z0 < zFirst + zCount; z0 += MAX_GROUPS) {
          const flags = (kb === 0 && g.bias ? 1 : 0) | (kb > 0 ? 2 : 0);
          gpu.dispatch(kernel, bindings, params(g, flags, z0, wm0, k0, Math.min(ldu, g.K - k0), MB),
            [gx, gy, Math.min(MAX_GROUPS, zFirst + zCount - z0)]);
        }
      }
    }
  }
}

