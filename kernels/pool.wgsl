// Global average pooling of the encoder: x (N·M, C, S) with S = T·V, persons m of sample n at
// rows n·M + m, → out (N, C) = the mean over the M persons and S positions.
//   entry `forward`: one workgroup of WG per output (n, c): strided partial sums over (m, s), then
//     a tree in workgroup memory. Grid: one workgroup per output, 1-D folded into 2-D.
//   entry `backward`: dx[(n·M+m), c, s] = g[n, c] · scale, one invocation per element of dx.
// Bindings (both): 0 params, 1 src (x, or g backward), 2 out. scale = 1 / (M·S).
// #include "lib/flat_id.wgsl"

struct Params { n: u32, m: u32, c: u32, s: u32, scale: f32 }
override WG: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;        // (n, c); uniform per workgroup, so barriers stay uniform
  if (o >= p.n * p.c) { return; }
  let n = o / p.c;
  let c = o - n * p.c;
  let ms = p.m * p.s;
  var acc = 0.0;
  for (var e = lid; e < ms; e += WG) {
    let m = e / p.s;
    let s = e - m * p.s;
    acc += src[((n * p.m + m) * p.c + c) * p.s + s];
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (lid < h) { partial[lid] += partial[lid + h]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[o] = partial[0] * p.scale; }
}

@compute @workgroup_size(256)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, 256u);
  if (i >= p.n * p.m * p.c * p.s) { return; }
  let row = i / p.s;                     // (n·M + m, c)
  let c = row % p.c;
  let n = row / (p.c * p.m);
  out[i] = src[n * p.c + c] * p.scale;
}
