// Optimiser updates, fused: one invocation per parameter element, 1-D grid folded into 2-D.
//
// sgd: PyTorch's SGD (torch.optim.SGD, foreach = false semantics):
//        d = g + wd·p
//        with momentum (hasVel = 1): v = first ? d : μ·v + (1 − dampening)·d;
//                                    d = nesterov ? d + μ·v : v
//        p = p − lr·d
//      Bindings: 0 params, 1 p (read_write), 2 g, 3 v (read_write; a placeholder when hasVel = 0).
// ema: the MoCo momentum encoder update θk = m·θk + (1 − m)·θq.
//      Bindings: 0 ema params {n, m}, 4 key θk (read_write), 5 query θq.
// #include "lib/flat_id.wgsl"

struct Params {
  n: u32, first: u32, hasVel: u32, nesterov: u32,
  lr: f32, momentum: f32, dampening: f32, wd: f32,
}
struct EmaParams { n: u32, m: f32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> vel: array<f32>;
@group(0) @binding(0) var<uniform> pe: EmaParams;
@group(0) @binding(4) var<storage, read_write> key: array<f32>;
@group(0) @binding(5) var<storage, read> query: array<f32>;

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n) { return; }
  let w = param[i];
  var d = grad[i] + p.wd * w;
  if (p.hasVel == 1u) {
    var v = d;
    if (p.first == 0u) { v = p.momentum * vel[i] + (1.0 - p.dampening) * d; }
    vel[i] = v;
    d = select(v, d + p.momentum * v, p.nesterov == 1u);
  }
  param[i] = w - p.lr * d;
}

@compute @workgroup_size(WG)
fn ema(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= pe.n) { return; }
  key[i] = pe.m * key[i] + (1.0 - pe.m) * query[i];
}
