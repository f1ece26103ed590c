// The split-k epilogue of kernels/matmul/tiled4.wgsl (entry ksum of src/ops/matmul/gemm.ts):
// C[z](m, n) = Σ_s P(s, z, m, n) (+ bias(m, n)) over the slices s.
// P holds the slices' partial products row-major, rows padded to N4 = 4·ceil(N / 4) floats so that
// every row starts on a vec4: P(s, z, m, n) at s·ss + (z·M + m)·N4 + n (ss ≡ 0 mod 4). Strides of
// C and of the bias and flag 1 (add the bias) as in kernels/matmul/matmul.wgsl.
// CV = 1 writes C as vec4s (scn = 1; scm, scb, N ≡ 0 mod 4), else per element.
// Bindings: 0 params, 1 part (the slices' partial products P, vec4s), 2 bias, 3 c (vec4s).
// Workgroups: WG invocations, one group of 4 neighbouring outputs each over batches · M · N4 / 4,
//   folded into 2-D past the per-dimension limit (lib/flat_id.wgsl).

// #include "lib/flat_id.wgsl"

struct Params {
  M: u32, N: u32, batches: u32, flags: u32,
  scm: u32, scn: u32, scb: u32, slices: u32,
  sxm: u32, sxn: u32, ss: u32,                // bias strides; slice stride of P (floats)
}

override WG: u32 = 64u;
override CV: u32 = 0u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> part: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn ksum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  let q4 = (p.N + 3u) / 4u;                   // vec4s per padded row
  let row = i / q4;                           // z · M + m
  if (row >= p.batches * p.M) { return; }
  let n = (i - row * q4) * 4u;
  let z = row / p.M;
  let m = row - z * p.M;
  let s4 = p.ss / 4u;
  var v = part[i];
  for (var s = 1u; s < p.slices; s++) { v += part[s * s4 + i]; }
  let o = z * p.scb + m * p.scm + n * p.scn;
  if (CV == 1u) {
    if ((p.flags & 1u) != 0u) {
      for (var e = 0u; e < 4u; e++) { v[e] += bias[m * p.sxm + (n + e) * p.sxn]; }
    }
    c[o >> 2u] = v;
    return;
  }
  for (var e = 0u; e < 4u; e++) {
    if (n + e >= p.N) { break; }
    let oe = o + e * p.scn;
    var x = v[e];
    if ((p.flags & 1u) != 0u) { x += bias[m * p.sxm + (n + e) * p.sxn]; }
    c[oe >> 2u][oe & 3u] = x;
  }
}
