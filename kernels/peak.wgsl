// Throughput probes of the adapter, the denominators of the benchmarks' fractionOfPeak.
// Entry `flops`: every invocation runs `iters` rounds (a multiple of 4) of one vec4 FMA on each
//   of 6 independent accumulators, 4 rounds per loop trip so loop bookkeeping is negligible; the
//   sum is written out so nothing is optimised away. flops = n · iters · 6 · 4 · 2.
// Entry `copy`: dst[i] = src[i] over n vec4 (bytes moved = 32 · n: one read, one write).
// (Entry `flops_wide` below: the same chains, 32 or 64 per invocation.)
// Bindings: 0 params, 1 sums (written by flops, flops_wide), 2 src, 3 dst (copy).
// Workgroup: WG invocations, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params { n: u32, iters: u32 }
override WG: u32 = 64u;
override CH: u32 = 64u;   // flops_wide: independent vec4 chains per invocation, 32 or 64
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> sums: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn flops(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  // every component differs per lane: a compiler that spots values all lanes share (Mesa 26's
  // llvmpipe) would otherwise compute those chains once, as scalars, and the probe would measure that
  let s = (f32(lid) + vec4<f32>(0.0, 0.25, 0.5, 0.75)) * 1e-3;
  let m = vec4<f32>(0.9999);
  var a0 = s + 1.0; var a1 = s + 2.0; var a2 = s + 3.0;
  var a3 = s + 4.0; var a4 = s + 5.0; var a5 = s + 6.0;
  for (var t = 0u; t < p.iters; t += 4u) {
    a0 = fma(a0, m, s); a1 = fma(a1, m, s); a2 = fma(a2, m, s); a3 = fma(a3, m, s); a4 = fma(a4, m, s); a5 = fma(a5, m, s);
    a0 = fma(a0, m, s); a1 = fma(a1, m, s); a2 = fma(a2, m, s); a3 = fma(a3, m, s); a4 = fma(a4, m, s); a5 = fma(a5, m, s);
    a0 = fma(a0, m, s); a1 = fma(a1, m, s); a2 = fma(a2, m, s); a3 = fma(a3, m, s); a4 = fma(a4, m, s); a5 = fma(a5, m, s);
    a0 = fma(a0, m, s); a1 = fma(a1, m, s); a2 = fma(a2, m, s); a3 = fma(a3, m, s); a4 = fma(a4, m, s); a5 = fma(a5, m, s);
  }
  if (i < p.n) { sums[i] = a0 + a1 + a2 + a3 + a4 + a5; }
}

// Entry `flops_wide`: the same FMA chains, CH (32 or 64) of them per invocation. Compilers need
//   different numbers of independent chains to reach their peak (Mesa 26's llvmpipe ≈ 64, Mesa
//   25's 32, GPUs the 6 of `flops`: docs/bench.md#mesa-26-on-the-same-machine), so the benchmarks
//   take the best of the three. flops = n · iters · CH · 4 · 2. The four rounds per loop trip are
//   written out, not looped: llvmpipe blends every variable a loop writes once per trip, and with
//   one round per trip the blends, not the FMAs, would be measured.
@compute @workgroup_size(WG)
fn flops_wide(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  let s = (f32(lid) + vec4<f32>(0.0, 0.25, 0.5, 0.75)) * 1e-3;
  let m = vec4<f32>(0.9999);
  var b00 = s + 1.0; var b01 = s + 2.0; var b02 = s + 3.0; var b03 = s + 4.0; var b04 = s + 5.0; var b05 = s + 6.0; var b06 = s + 7.0; var b07 = s + 8.0;
  var b08 = s + 9.0; var b09 = s + 10.0; var b10 = s + 11.0; var b11 = s + 12.0; var b12 = s + 13.0; var b13 = s + 14.0; var b14 = s + 15.0; var b15 = s + 16.0;
  var b16 = s + 17.0; var b17 = s + 18.0; var b18 = s + 19.0; var b19 = s + 20.0; var b20 = s + 21.0; var b21 = s + 22.0; var b22 = s + 23.0; var b23 = s + 24.0;
  var b24 = s + 25.0; var b25 = s + 26.0; var b26 = s + 27.0; var b27 = s + 28.0; var b28 = s + 29.0; var b29 = s + 30.0; var b30 = s + 31.0; var b31 = s + 32.0;
  var b32 = s + 33.0; var b33 = s + 34.0; var b34 = s + 35.0; var b35 = s + 36.0; var b36 = s + 37.0; var b37 = s + 38.0; var b38 = s + 39.0; var b39 = s + 40.0;
  var b40 = s + 41.0; var b41 = s + 42.0; var b42 = s + 43.0; var b43 = s + 44.0; var b44 = s + 45.0; var b45 = s + 46.0; var b46 = s + 47.0; var b47 = s + 48.0;
  var b48 = s + 49.0; var b49 = s + 50.0; var b50 = s + 51.0; var b51 = s + 52.0; var b52 = s + 53.0; var b53 = s + 54.0; var b54 = s + 55.0; var b55 = s + 56.0;
  var b56 = s + 57.0; var b57 = s + 58.0; var b58 = s + 59.0; var b59 = s + 60.0; var b60 = s + 61.0; var b61 = s + 62.0; var b62 = s + 63.0; var b63 = s + 64.0;
  for (var t = 0u; t < p.iters; t += 4u) {
    {
      b00 = fma(b00, m, s); b01 = fma(b01, m, s); b02 = fma(b02, m, s); b03 = fma(b03, m, s); b04 = fma(b04, m, s); b05 = fma(b05, m, s); b06 = fma(b06, m, s); b07 = fma(b07, m, s);
      b08 = fma(b08, m, s); b09 = fma(b09, m, s); b10 = fma(b10, m, s); b11 = fma(b11, m, s); b12 = fma(b12, m, s); b13 = fma(b13, m, s); b14 = fma(b14, m, s); b15 = fma(b15, m, s);
      b16 = fma(b16, m, s); b17 = fma(b17, m, s); b18 = fma(b18, m, s); b19 = fma(b19, m, s); b20 = fma(b20, m, s); b21 = fma(b21, m, s); b22 = fma(b22, m, s); b23 = fma(b23, m, s);
      b24 = fma(b24, m, s); b25 = fma(b25, m, s); b26 = fma(b26, m, s); b27 = fma(b27, m, s); b28 = fma(b28, m, s); b29 = fma(b29, m, s); b30 = fma(b30, m, s); b31 = fma(b31, m, s);
      if (CH > 32u) {
      b32 = fma(b32, m, s); b33 = fma(b33, m, s); b34 = fma(b34, m, s); b35 = fma(b35, m, s); b36 = fma(b36, m, s); b37 = fma(b37, m, s); b38 = fma(b38, m, s); b39 = fma(b39, m, s);
      b40 = fma(b40, m, s); b41 = fma(b41, m, s); b42 = fma(b42, m, s); b43 = fma(b43, m, s); b44 = fma(b44, m, s); b45 = fma(b45, m, s); b46 = fma(b46, m, s); b47 = fma(b47, m, s);
      b48 = fma(b48, m, s); b49 = fma(b49, m, s); b50 = fma(b50, m, s); b51 = fma(b51, m, s); b52 = fma(b52, m, s); b53 = fma(b53, m, s); b54 = fma(b54, m, s); b55 = fma(b55, m, s);
      b56 = fma(b56, m, s); b57 = fma(b57, m, s); b58 = fma(b58, m, s); b59 = fma(b59, m, s); b60 = fma(b60, m, s); b61 = fma(b61, m, s); b62 = fma(b62, m, s); b63 = fma(b63, m, s);
      }
    }
    {
      b00 = fma(b00, m, s); b01 = fma(b01, m, s); b02 = fma(b02, m, s); b03 = fma(b03, m, s); b04 = fma(b04, m, s); b05 = fma(b05, m, s); b06 = fma(b06, m, s); b07 = fma(b07, m, s);
      b08 = fma(b08, m, s); b09 = fma(b09, m, s); b10 = fma(b10, m, s); b11 = fma(b11, m, s); b12 = fma(b12, m, s); b13 = fma(b13, m, s); b14 = fma(b14, m, s); b15 = fma(b15, m, s);
      b16 = fma(b16, m, s); b17 = fma(b17, m, s); b18 = fma(b18, m, s); b19 = fma(b19, m, s); b20 = fma(b20, m, s); b21 = fma(b21, m, s); b22 = fma(b22, m, s); b23 = fma(b23, m, s);
      b24 = fma(b24, m, s); b25 = fma(b25, m, s); b26 = fma(b26, m, s); b27 = fma(b27, m, s); b28 = fma(b28, m, s); b29 = fma(b29, m, s); b30 = fma(b30, m, s); b31 = fma(b31, m, s);
      if (CH > 32u) {
      b32 = fma(b32, m, s); b33 = fma(b33, m, s); b34 = fma(b34, m, s); b35 = fma(b35, m, s); b36 = fma(b36, m, s); b37 = fma(b37, m, s); b38 = fma(b38, m, s); b39 = fma(b39, m, s);
      b40 = fma(b40, m, s); b41 = fma(b41, m, s); b42 = fma(b42, m, s); b43 = fma(b43, m, s); b44 = fma(b44, m, s); b45 = fma(b45, m, s); b46 = fma(b46, m, s); b47 = fma(b47, m, s);
      b48 = fma(b48, m, s); b49 = fma(b49, m, s); b50 = fma(b50, m, s); b51 = fma(b51, m, s); b52 = fma(b52, m, s); b53 = fma(b53, m, s); b54 = fma(b54, m, s); b55 = fma(b55, m, s);
      b56 = fma(b56, m, s); b57 = fma(b57, m, s); b58 = fma(b58, m, s); b59 = fma(b59, m, s); b60 = fma(b60, m, s); b61 = fma(b61, m, s); b62 = fma(b62, m, s); b63 = fma(b63, m, s);
      }
    }
    {
      b00 = fma(b00, m, s); b01 = fma(b01, m, s); b02 = fma(b02, m, s); b03 = fma(b03, m, s); b04 = fma(b04, m, s); b05 = fma(b05, m, s); b06 = fma(b06, m, s); b07 = fma(b07, m, s);
      b08 = fma(b08, m, s); b09 = fma(b09, m, s); b10 = fma(b10, m, s); b11 = fma(b11, m, s); b12 = fma(b12, m, s); b13 = fma(b13, m, s); b14 = fma(b14, m, s); b15 = fma(b15, m, s);
      b16 = fma(b16, m, s); b17 = fma(b17, m, s); b18 = fma(b18, m, s); b19 = fma(b19, m, s); b20 = fma(b20, m, s); b21 = fma(b21, m, s); b22 = fma(b22, m, s); b23 = fma(b23, m, s);
      b24 = fma(b24, m, s); b25 = fma(b25, m, s); b26 = fma(b26, m, s); b27 = fma(b27, m, s); b28 = fma(b28, m, s); b29 = fma(b29, m, s); b30 = fma(b30, m, s); b31 = fma(b31, m, s);
      if (CH > 32u) {
      b32 = fma(b32, m, s); b33 = fma(b33, m, s); b34 = fma(b34, m, s); b35 = fma(b35, m, s); b36 = fma(b36, m, s); b37 = fma(b37, m, s); b38 = fma(b38, m, s); b39 = fma(b39, m, s);
      b40 = fma(b40, m, s); b41 = fma(b41, m, s); b42 = fma(b42, m, s); b43 = fma(b43, m, s); b44 = fma(b44, m, s); b45 = fma(b45, m, s); b46 = fma(b46, m, s); b47 = fma(b47, m, s);
      b48 = fma(b48, m, s); b49 = fma(b49, m, s); b50 = fma(b50, m, s); b51 = fma(b51, m, s); b52 = fma(b52, m, s); b53 = fma(b53, m, s); b54 = fma(b54, m, s); b55 = fma(b55, m, s);
      b56 = fma(b56, m, s); b57 = fma(b57, m, s); b58 = fma(b58, m, s); b59 = fma(b59, m, s); b60 = fma(b60, m, s); b61 = fma(b61, m, s); b62 = fma(b62, m, s); b63 = fma(b63, m, s);
      }
    }
    {
      b00 = fma(b00, m, s); b01 = fma(b01, m, s); b02 = fma(b02, m, s); b03 = fma(b03, m, s); b04 = fma(b04, m, s); b05 = fma(b05, m, s); b06 = fma(b06, m, s); b07 = fma(b07, m, s);
      b08 = fma(b08, m, s); b09 = fma(b09, m, s); b10 = fma(b10, m, s); b11 = fma(b11, m, s); b12 = fma(b12, m, s); b13 = fma(b13, m, s); b14 = fma(b14, m, s); b15 = fma(b15, m, s);
      b16 = fma(b16, m, s); b17 = fma(b17, m, s); b18 = fma(b18, m, s); b19 = fma(b19, m, s); b20 = fma(b20, m, s); b21 = fma(b21, m, s); b22 = fma(b22, m, s); b23 = fma(b23, m, s);
      b24 = fma(b24, m, s); b25 = fma(b25, m, s); b26 = fma(b26, m, s); b27 = fma(b27, m, s); b28 = fma(b28, m, s); b29 = fma(b29, m, s); b30 = fma(b30, m, s); b31 = fma(b31, m, s);
      if (CH > 32u) {
      b32 = fma(b32, m, s); b33 = fma(b33, m, s); b34 = fma(b34, m, s); b35 = fma(b35, m, s); b36 = fma(b36, m, s); b37 = fma(b37, m, s); b38 = fma(b38, m, s); b39 = fma(b39, m, s);
      b40 = fma(b40, m, s); b41 = fma(b41, m, s); b42 = fma(b42, m, s); b43 = fma(b43, m, s); b44 = fma(b44, m, s); b45 = fma(b45, m, s); b46 = fma(b46, m, s); b47 = fma(b47, m, s);
      b48 = fma(b48, m, s); b49 = fma(b49, m, s); b50 = fma(b50, m, s); b51 = fma(b51, m, s); b52 = fma(b52, m, s); b53 = fma(b53, m, s); b54 = fma(b54, m, s); b55 = fma(b55, m, s);
      b56 = fma(b56, m, s); b57 = fma(b57, m, s); b58 = fma(b58, m, s); b59 = fma(b59, m, s); b60 = fma(b60, m, s); b61 = fma(b61, m, s); b62 = fma(b62, m, s); b63 = fma(b63, m, s);
      }
    }
  }
  var sum = b00 + b01 + b02 + b03 + b04 + b05 + b06 + b07 + b08 + b09 + b10 + b11 + b12 + b13 + b14 + b15 + b16 + b17 + b18 + b19 + b20 + b21 + b22 + b23 + b24 + b25 + b26 + b27 + b28 + b29 + b30 + b31;
  if (CH > 32u) { sum += b32 + b33 + b34 + b35 + b36 + b37 + b38 + b39 + b40 + b41 + b42 + b43 + b44 + b45 + b46 + b47 + b48 + b49 + b50 + b51 + b52 + b53 + b54 + b55 + b56 + b57 + b58 + b59 + b60 + b61 + b62 + b63; }
  if (i < p.n) { sums[i] = sum; }
}

@compute @workgroup_size(WG)
fn copy(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i < p.n) { dst[i] = src[i]; }
}
