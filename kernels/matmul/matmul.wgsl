// Matrix products C[z] = op(A)[z] · op(B)[z] (+ bias) (+ C[z] when accumulating), z = batch.
// Operands are read through element strides, so transposes and batch broadcast cost no copy:
//   op(A)(m, k) = a[z·sab + m·sam + k·sak]      op(B)(k, n) = b[z·sbb + k·sbk + n·sbn]
//   C(m, n)     = c[z·scb + m·scm + n·scn]      bias(m, n)  = bias[m·sxm + n·sxn]
// Rows start at wm0 (the host splits more than 65535 workgroup rows into several dispatches).
// Entry points (reg and tiled write every C element of their tile once, guarded at the M/N edges):
//   reg    register blocking without workgroup memory: an invocation owns TM rows × TN columns;
//          the rows are shared by the whole workgroup, the columns are lid + j·WG (or, with
//          BV = 1, groups of 4 neighbours at lid + g·WG) so neighbouring invocations read
//          neighbouring addresses. The k loop is unrolled by 4; edge rows/columns are clamped
//          for loading, so the loop has no guards. Load paths (overrides, chosen by the host from
//          the strides): AV = 1 reads op(A) from the 64 KiB uniform window `window` filled by `pack`
//          (rows from wm0, k from k0, row stride ldu ≡ 0 mod 4) — on llvmpipe a uniform load is a
//          branch-free gather, about twice as cheap as a storage load, and loads bound a matmul
//          there (docs/bench.md#what-bounds-a-matmul-on-llvmpipe); AV = 2 / BV = 2 read 4 consecutive k as one vec4 (sak = 1 / sbk = 1); BV = 1
//          reads 4 neighbouring columns as one vec4 (sbn = 1).
//   tiled  classic shared-memory tiling: a WGX×WGY workgroup computes a TS×TS tile, staging
//          TS×BK of A and BK×TS of B in workgroup memory per step; each invocation owns
//          (TS/WGY)×(TS/WGX) outputs at stride WGY/WGX (conflict-free workgroup reads).
//   (regk, the k-major window product that reads what pack4 / pack with kmaj = 1 write, is in
//   kernels/matmul/regk.wgsl.)
//   pack4  the k-major pack for a row-major op(A) (sak = 1; sam, abase, K ≡ 0 mod 4): an invocation
//          moves a 4 rows × 4 k block as 4 vec4 loads and 4 vec4 stores (16 scalar loads and
//          stores in `pack`); reads a as vec4s (a4), writes packed as vec4s (packed4).
//   pack   copies op(A) into windows for AV = 1 (or, kmaj = 1, k-major for regk: element (r, c) of
//          a window at c·MB + r instead of r·ldu + c): window w = wbase + (m / MB)·nkb + kb holds rows
//          [mb·MB, +MB) × k [kb·ldu, +ldu) row-major with row stride ldu, zero-padded, at float
//          offset w·WIN. MB is a power of two (no divisions: they are scalarised on a CPU).
// Bindings: 0 params (pack: pack params), 1 a (a4: its vec4 view), 2 b, 3 bias, 4 c, 5 window (the
//   uniform window of AV = 1), 6 avec, 7 bvec (A and B again as vec4s for AV = 2, BV ≠ 0), 8 packed
//   (pack's output, packed4 as vec4s). reg binds 1–7 (a, b, avec, bvec and bias take the placeholder
//   and window a dummy 64 KiB uniform buffer where the variant does not read them); tiled 1–4;
//   pack and pack4 read a and write packed.
// Workgroups: reg (ceil(N / (WG·TN)), rows / TM, batches); tiled (ceil(N/TS), ceil(M/TS),
//   batches); pack (ceil(ldu / WG),
//   rows, k chunks); pack4 (ceil(ldu / (4·WG)), row quads, k chunks).

// #include "lib/matmul_params.wgsl"
struct PackParams {
  M: u32, K: u32, sam: u32, sak: u32,
  abase: u32, lgMB: u32, ldu: u32, nkb: u32,  // batch offset into a; log2 rows per window; row stride = k per window; k chunks
  wbase: u32, WIN: u32, m0: u32, kmaj: u32,   // first window of this batch; floats per window; first row; k-major windows
}

override TM: u32 = 4u;     // reg: rows per invocation (≤ 8; 8×8 is the most llvmpipe keeps in registers)
override TN: u32 = 4u;     // reg: columns per invocation (≤ 8)
override WG: u32 = 64u;    // reg: invocations per workgroup; pack: workgroup size
override AV: u32 = 0u;     // reg: A loads: 0 scalar, 1 uniform window, 2 vec4 along k (avec)
override BV: u32 = 0u;     // reg: B loads: 0 scalar, 1 vec4 along n, 2 vec4 along k (bvec)
override TS: u32 = 64u;    // tiled: tile edge
override BK: u32 = 16u;    // tiled: k depth staged per step
override WGX: u32 = 16u;   // tiled: workgroup width (along n); TS/WGX ≤ 8
override WGY: u32 = 16u;   // tiled: workgroup height (along m); TS/WGY ≤ 8

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(0) var<uniform> pk: PackParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<uniform> window: array<vec4<f32>, 4096>;
@group(0) @binding(6) var<storage, read> avec: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> bvec: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> packed: array<f32>;
@group(0) @binding(8) var<storage, read_write> packed4: array<vec4<f32>>;

fn finish(m: u32, n: u32, zc: u32, v: f32) {
  var r = v;
  let o = zc + m * p.scm + n * p.scn;
  if ((p.flags & 1u) != 0u) { r += bias[m * p.sxm + n * p.sxn]; }
  if ((p.flags & 2u) != 0u) { r += c[o]; }
  c[o] = r;
}

fn load_a4(r: u32, k: u32) -> vec4<f32> {   // op(A)(m, k…k+3); r = my row's offset
  if (AV == 1u) { return window[(r + k - p.k0) >> 2u]; }
  if (AV == 2u) { return avec[(r + k) >> 2u]; }
  return vec4<f32>(a[r + k * p.sak], a[r + (k + 1u) * p.sak], a[r + (k + 2u) * p.sak], a[r + (k + 3u) * p.sak]);
}
fn load_a1(r: u32, k: u32) -> f32 {
  if (AV == 1u) { let e = r + k - p.k0; return window[e >> 2u][e & 3u]; }
  return a[r + k * p.sak];
}
fn load_b4(q: u32, k: u32) -> vec4<f32> {    // op(B)(k…k+3, n); q = my column's offset (BV ≠ 1)
  if (BV == 2u) { return bvec[(q + k) >> 2u]; }
  return vec4<f32>(b[q + k * p.sbk], b[q + (k + 1u) * p.sbk], b[q + (k + 2u) * p.sbk], b[q + (k + 3u) * p.sbk]);
}

@compute @workgroup_size(WG)
fn reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let z = wid.z + p.zb;
  let m0 = p.wm0 + wid.y * TM;
  // my columns: TN at stride WG, or with BV = 1 TN/4 groups of 4 neighbours at stride 4·WG
  var col: array<u32, 8>;
  for (var j = 0u; j < TN; j++) {
    if (BV == 1u) { col[j] = (wid.x * WG * (TN / 4u) + lid + (j / 4u) * WG) * 4u + j % 4u; }
    else { col[j] = wid.x * WG * TN + lid + j * WG; }
  }
  // operand offsets; edge rows/columns are clamped (computed, never stored)
  var ra: array<u32, 8>;
  var cb: array<u32, 8>;
  for (var i = 0u; i < TM; i++) {
    let m = min(m0 + i, p.M - 1u);
    if (AV == 1u) { ra[i] = (m - p.wm0) * p.ldu; } else { ra[i] = z * p.sab + m * p.sam; }
  }
  for (var j = 0u; j < TN; j++) { cb[j] = z * p.sbb + min(col[j], p.N - 1u) * p.sbn; }
  var acc: array<array<f32, 8>, 8>;
  let kend = p.k0 + p.kc;
  let k4 = p.k0 + (p.kc & ~3u);
  var k = p.k0;
  for (; k < k4; k += 4u) {
    var bk: array<vec4<f32>, 8>;   // op(B)(k…k+3, my column j)
    if (BV == 1u) {
      for (var g = 0u; g < TN / 4u; g++) {
        let o = (cb[g * 4u] + k * p.sbk) >> 2u;
        let s4 = p.sbk >> 2u;
        let q0 = bvec[o]; let q1 = bvec[o + s4]; let q2 = bvec[o + 2u * s4]; let q3 = bvec[o + 3u * s4];
        for (var e = 0u; e < 4u; e++) { bk[g * 4u + e] = vec4<f32>(q0[e], q1[e], q2[e], q3[e]); }
      }
    } else {
      for (var j = 0u; j < TN; j++) { bk[j] = load_b4(cb[j], k); }
    }
    for (var i = 0u; i < TM; i++) {
      let av = load_a4(ra[i], k);
      for (var j = 0u; j < TN; j++) {
        acc[i][j] = acc[i][j] + av.x * bk[j].x + av.y * bk[j].y + av.z * bk[j].z + av.w * bk[j].w;
      }
    }
  }
  for (; k < kend; k++) {
    var bs: array<f32, 8>;
    for (var j = 0u; j < TN; j++) { bs[j] = b[cb[j] + k * p.sbk]; }
    for (var i = 0u; i < TM; i++) {
      let ak = load_a1(ra[i], k);
      for (var j = 0u; j < TN; j++) { acc[i][j] = acc[i][j] + ak * bs[j]; }
    }
  }
  let zc = z * p.scb;
  for (var i = 0u; i < TM; i++) {
    let m = m0 + i;
    for (var j = 0u; j < TN; j++) {
      if (m < p.M && col[j] < p.N) { finish(m, col[j], zc, acc[i][j]); }
    }
  }
}

var<workgroup> tileA: array<f32, TS * BK>;   // [row][k]
var<workgroup> tileB: array<f32, BK * TS>;   // [k][col]

@compute @workgroup_size(WGX, WGY)
fn tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let z = wid.z + p.zb;
  let tm = p.wm0 + wid.y * TS;
  let tn = wid.x * TS;
  let RM = TS / WGY;
  let RN = TS / WGX;
  let za = z * p.sab;
  let zb = z * p.sbb;
  var acc: array<array<f32, 8>, 8>;
  for (var kt = 0u; kt < p.K; kt += BK) {
    // stage the tiles; out-of-range elements are zeros so the inner loop needs no guards
    for (var e = lid; e < TS * BK; e += WGX * WGY) {
      let r = e / BK; let kk = e % BK;
      let m = tm + r; let k = kt + kk;
      var v = 0.0;
      if (m < p.M && k < p.K) { v = a[za + m * p.sam + k * p.sak]; }
      tileA[e] = v;
      let kb = e / TS; let cn = e % TS;
      let n = tn + cn; let k2 = kt + kb;
      var w = 0.0;
      if (n < p.N && k2 < p.K) { w = b[zb + k2 * p.sbk + n * p.sbn]; }
      tileB[e] = w;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var av: array<f32, 8>;
      for (var i = 0u; i < RM; i++) { av[i] = tileA[(lid3.y + i * WGY) * BK + kk]; }
      for (var j = 0u; j < RN; j++) {
        let bv = tileB[kk * TS + lid3.x + j * WGX];
        for (var i = 0u; i < RM; i++) { acc[i][j] = acc[i][j] + av[i] * bv; }
      }
    }
    workgroupBarrier();
  }
  let zc = z * p.scb;
  for (var i = 0u; i < RM; i++) {
    let m = tm + lid3.y + i * WGY;
    for (var j = 0u; j < RN; j++) {
      let n = tn + lid3.x + j * WGX;
      if (m < p.M && n < p.N) { finish(m, n, zc, acc[i][j]); }
    }
  }
}

@compute @workgroup_size(WG)
fn pack(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  // x: position in the window row, y: row of op(A), z: k chunk — no divisions (they are
  // scalarised per lane on a CPU adapter)
  let cc = wid.x * WG + lid;
  if (cc >= pk.ldu) { return; }
  let m = pk.m0 + wid.y;
  let kb = wid.z;
  let k = kb * pk.ldu + cc;
  var v = 0.0;
  if (m < pk.M && k < pk.K) { v = a[pk.abase + m * pk.sam + k * pk.sak]; }
  let w = pk.wbase + (m >> pk.lgMB) * pk.nkb + kb;
  let r = m & ((1u << pk.lgMB) - 1u);
  packed[w * pk.WIN + select(r * pk.ldu + cc, (cc << pk.lgMB) + r, pk.kmaj == 1u)] = v;
}


@compute @workgroup_size(WG)
fn pack4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let kq = wid.x * WG + lid;                  // my k quad within the window row
  if (kq * 4u >= pk.ldu) { return; }
  let m = pk.m0 + wid.y * 4u;                 // my first row (MB ≡ 0 mod 4: the quad is in one window)
  let kb = wid.z;
  let k = kb * pk.ldu + kq * 4u;
  var rows: array<vec4<f32>, 4>;              // rows[i] = op(A)(m + i, k…k+3), zero outside
  for (var i = 0u; i < 4u; i++) {
    if (m + i < pk.M && k < pk.K) { rows[i] = a4[(pk.abase + (m + i) * pk.sam + k) >> 2u]; }
  }
  let w = pk.wbase + (m >> pk.lgMB) * pk.nkb + kb;
  let r = m & ((1u << pk.lgMB) - 1u);
  let o = (w * pk.WIN + ((kq * 4u) << pk.lgMB) + r) >> 2u;   // element (r, k) at k·MB + r
  let q = (1u << pk.lgMB) >> 2u;                            // one k further: MB floats
  for (var e = 0u; e < 4u; e++) { packed4[o + e * q] = vec4<f32>(rows[0][e], rows[1][e], rows[2][e], rows[3][e]); }
}
