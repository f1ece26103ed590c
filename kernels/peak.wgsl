// Throughput probes of the adapter, the denominators of the benchmarks' fractionOfPeak.
// Entry `flops`: every invocation runs `iters` rounds (a multiple of 4) of one vec4 FMA on each
//   of 6 independent accumulators, 4 rounds per loop trip so loop bookkeeping is negligible; the
//   sum is written out so nothing is optimised away. flops = n · iters · 6 · 4 · 2.
// Entry `copy`: dst[i] = src[i] over n vec4 (bytes moved = 32 · n: one read, one write).
// Bindings: 0 params; flops: 1 out; copy: 1 src, 2 dst.
// Workgroup: WG invocations, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params { n: u32, iters: u32, pad0: u32, pad1: u32 }
override WG: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> sums: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(WG)
fn flops(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  let s = vec4<f32>(f32(i) * 1e-9, 1e-9, 2e-9, 3e-9);
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

@compute @workgroup_size(WG)
fn copy(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i < p.n) { dst[i] = src[i]; }
}
