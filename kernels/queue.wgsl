// MoCo queue update: queue (d, K) column slots ptr … ptr+N−1 ← keysᵀ, keys (N, d) row-major.
// Slots wrap modulo K (K is a multiple of the batch size in the recipe, but a wrap stays correct).
// Bindings: 0 params {n, d, k, ptr}, 1 keys (read), 2 queue (read_write).
// Workgroup: WG invocations, one queue element (c, j) each over the N·d updated elements.
// #include "lib/flat_id.wgsl"

struct Params { n: u32, d: u32, k: u32, ptr: u32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> keys: array<f32>;
@group(0) @binding(2) var<storage, read_write> queue: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n * p.d) { return; }
  let c = i / p.n;          // feature row of the queue
  let r = i % p.n;          // which key
  let slot = (p.ptr + r) % p.k;
  queue[c * p.k + slot] = keys[r * p.d + c];
}
