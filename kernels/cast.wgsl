// Conversions between int32 and float32 tensors (same element count).
// Bindings: 0 params {n}, 1 src, 2 dst. Entries: i2f (i32 → f32), f2i (f32 → i32, truncating).
// Workgroup: WG invocations, one element each, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params { n: u32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<i32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn i2f(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i < p.n) { dst[i] = f32(src[i]); }
}
