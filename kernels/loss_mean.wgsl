// Batch mean of per-row losses kept in a stats matrix: out[0] = scale · Σ_n stats[n·stride + slot].
// Shared by the fused loss kernels (contrastive.wgsl `rows`, distill.wgsl `rows`), whose per-row
// stats hold the row's loss at a fixed slot, so the mean costs one dispatch and no CPU round trip.
// Bindings: 0 params, 1 stats, 2 out (one f32). One workgroup of WG: strided sums, then a tree.

struct Params { n: u32, stride: u32, slot: u32, _pad: u32, scale: f32 }
const WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> stats: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var n = lid; n < p.n; n += WG) { acc += stats[n * p.stride + p.slot]; }
  red[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[0] = red[0] * p.scale; }
}
