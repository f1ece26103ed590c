// The motion and bone modalities (docs/method.md#modalities) of a batch x (N, C, T, V, M):
//   op 0 motion: out[.., t, v, m] = x[.., t+1, v, m] − x[.., t, v, m] for t < T−1, 0 at t = T−1;
//   op 1 bone:   out[.., t, v, m] = x[.., t, v, m] − x[.., t, parent[v], m], 0 where parent[v] is
//                v itself (the centre) or −1 (no bone).
// Bindings: 0 params, 1 x, 2 parent (i32, V entries; read by op 1 only), 3 out.
// Workgroup: WG invocations, one output element each, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params { total: u32, op: u32, t: u32, v: u32, m: u32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> parent: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.total) { return; }
  let vm = p.v * p.m;
  if (p.op == 0u) {
    let t = (i / vm) % p.t;
    var d = 0.0;
    if (t + 1u < p.t) { d = x[i + vm] - x[i]; }  // an `if`, not select: x[i + vm] may be past the end
    out[i] = d;
    return;
  }
  let v = (i / p.m) % p.v;
  let par = parent[v];
  if (par < 0 || u32(par) == v || u32(par) >= p.v) { out[i] = 0.0; return; }
  // same frame and person, joint par: i − v·M + par·M
  out[i] = x[i] - x[i - v * p.m + u32(par) * p.m];
}
