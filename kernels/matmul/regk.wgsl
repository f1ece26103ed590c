// The k-major uniform-window product (entry regk) of src/ops/matmul/windows.ts:
// C[z] = op(A)[z] · op(B)[z] (+ C[z] when accumulating), with op(A) packed by
// kernels/matmul/matmul.wgsl's pack4 / pack (kmaj = 1) into 64 KiB windows of MB rows × ldu k,
// stored k-major in 4-row quads (element (r, k) at k·MB + r).
// Strides and Params as in kernels/matmul/matmul.wgsl (here ldu = MB, the rows per window).
// One uniform vec4 load brings op(A)(m…m+3, k) and one storage vec4 load op(B)(k, n…n+3); an
// invocation owns TM rows (a workgroup-shared block, multiple of 4) × TN columns (TN/4 groups of 4
// neighbours at lid + g·WG), so a k step costs TM/4 + TN/4 loads for TM·TN multiply-adds — loads,
// not arithmetic, bound a matmul on llvmpipe (docs/bench.md#what-bounds-a-matmul-on-llvmpipe).
// 16 × 16 is the largest tile whose 64 vec4 accumulators still compile well there.
// A dispatch covers NW windows of consecutive row blocks in one k chunk (rows from wm0; k from k0,
// kc steps): on llvmpipe a dispatch costs as much as a small product, and 1024³ takes 64 windows.
// Needs sbn = 1 and sbk, sbb, N ≡ 0 mod 4 (the host checks); C is written as vec4s where scn = 1
// (scm, scb ≡ 0 mod 4, checked by the host) and per component otherwise; flag 1 adds
// bias[m·sxm + n·sxn] (the host sets it on the first k chunk only).
// Needs the WGSL language feature unrestricted_pointer_parameters (the host checks it too).
// Bindings: 0 params, 1 b (op(B) as vec4s), 2 c (C as vec4s), 3 … 10 windows u0 … u7 (the host
//   binds NW windows and a dummy one in the other slots), 11 bias.
// Workgroups: (ceil(N / (WG·TN)), rows of the NW windows / TM, batches).
requires unrestricted_pointer_parameters;

// #include "lib/matmul_params.wgsl"

override TM: u32 = 16u;    // rows per invocation: 4, 8 or 16, so a workgroup's rows never straddle
                           // two windows (MB, the rows per window, is a power of two ≥ TM)
override TN: u32 = 16u;    // columns per invocation (multiple of 4, ≤ 16; TM·TN ≤ 256)
override WG: u32 = 8u;     // invocations per workgroup
override NW: u32 = 1u;     // windows per dispatch (1 to 8)

@group(0) @binding(0) var<uniform> p: Params;
alias Window = array<vec4<f32>, 4096>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(3) var<uniform> u0: Window;
@group(0) @binding(4) var<uniform> u1: Window;
@group(0) @binding(5) var<uniform> u2: Window;
@group(0) @binding(6) var<uniform> u3: Window;
@group(0) @binding(7) var<uniform> u4: Window;
@group(0) @binding(8) var<uniform> u5: Window;
@group(0) @binding(9) var<uniform> u6: Window;
@group(0) @binding(10) var<uniform> u7: Window;
@group(0) @binding(11) var<storage, read> bias: array<f32>;

// One dispatch covers NW windows of consecutive row blocks (same k chunk); a workgroup's rows lie
// in one of them. Each branch is uniform per workgroup (llvmpipe jumps over the others) and the
// ones NW rules out fold away, so NW = 1 compiles as one copy of `tile`; every further window is
// another copy, to compile (JIT time on llvmpipe: docs/bench.md#what-bounds-a-matmul-on-llvmpipe).
@compute @workgroup_size(WG)
fn regk(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wid.y * TM;                         // my first row, from wm0
  let w = r / p.ldu;                          // my window (ldu = rows per window here)
  let q0 = (r - w * p.ldu) / 4u;              // my first row quad in it
  if (NW == 1u || w == 0u) { tile(&u0, wid, lid, r, q0); }
  else if (NW == 2u || w == 1u) { tile(&u1, wid, lid, r, q0); }
  else if (NW <= 4u) {
    if (NW == 3u || w == 2u) { tile(&u2, wid, lid, r, q0); } else { tile(&u3, wid, lid, r, q0); }
  } else {
    switch (w) {
      case 2u: { tile(&u2, wid, lid, r, q0); }
      case 3u: { tile(&u3, wid, lid, r, q0); }
      case 4u: { tile(&u4, wid, lid, r, q0); }
      case 5u: { tile(&u5, wid, lid, r, q0); }
      case 6u: { tile(&u6, wid, lid, r, q0); }
      default: { tile(&u7, wid, lid, r, q0); }
    }
  }
}

fn tile(ku: ptr<uniform, Window>, wid: vec3<u32>, lid: u32, r: u32, q0: u32) {
  let z = wid.z + p.zb;
  let NG = TN / 4u;
  let n4 = p.N >> 2u;                         // column groups (N ≡ 0 mod 4)
  let g0 = wid.x * WG * NG + lid;             // my first column group; then every WG-th
  let mb4 = p.ldu >> 2u;                      // row quads per window k row
  var gq: array<u32, 4>;                      // my groups' offsets into B (clamped at the edge)
  for (var g = 0u; g < NG; g++) { gq[g] = ((z * p.sbb) >> 2u) + min(g0 + g * WG, n4 - 1u); }
  let sk4 = p.sbk >> 2u;
  var acc: array<vec4<f32>, 64>;              // [row · NG + group]: TM·TN/4 ≤ 64
  for (var k = 0u; k < p.kc; k++) {
    let bo = (p.k0 + k) * sk4;
    var q: array<vec4<f32>, 4>;
    for (var g = 0u; g < NG; g++) { q[g] = b[bo + gq[g]]; }
    for (var h = 0u; h < TM / 4u; h++) {
      let a = (*ku)[k * mb4 + q0 + h];
      for (var g = 0u; g < NG; g++) {
        acc[(4u * h) * NG + g] += a.x * q[g];
        acc[(4u * h + 1u) * NG + g] += a.y * q[g];
        acc[(4u * h + 2u) * NG + g] += a.z * q[g];
        acc[(4u * h + 3u) * NG + g] += a.w * q[g];
      }
    }
  }
  let zc = z * p.scb;
  let add = (p.flags & 2u) != 0u;             // accumulate: the later k windows
  for (var i = 0u; i < TM; i++) {
    let m = p.wm0 + r + i;
    if (m >= p.M) { break; }
    for (var g = 0u; g < NG; g++) {
      let cg = g0 + g * WG;
      if (cg >= n4) { break; }
      var v = acc[i * NG + g];
      if ((p.flags & 1u) != 0u) {
        for (var e = 0u; e < 4u; e++) { v[e] += bias[m * p.sxm + (cg * 4u + e) * p.sxn]; }
      }
      let o = zc + m * p.scm + cg * 4u * p.scn;
      if (p.scn == 1u) {                      // 4 neighbouring C elements: one vec4 (the host checks alignment)
        if (add) { v += c[o >> 2u]; }
        c[o >> 2u] = v;
      } else {
        for (var e = 0u; e < 4u; e++) {
          let oe = o + e * p.scn;
          var x = v[e];
          if (add) { x += c[oe >> 2u][oe & 3u]; }
          c[oe >> 2u][oe & 3u] = x;
        }
      }
    }
  }
}
