// Multi-tensor SGD: the update of kernels/optim.wgsl `sgd` (PyTorch's rule) for up to five
// parameters in one dispatch (one dispatch per tensor is hundreds a step:
// docs/bench.md#dispatches-per-pre-training-step). Entry `main` takes four (12 storage buffers),
// `main5` five (15: where the device allows 16).
//   d = g + wd·p;  with momentum: v = first ? d : μ·v + (1 − dampening)·d;  d = nesterov ? d + μ·v : v;
//   p = p − lr·d
// Slots past the last real parameter have n = 0 and are bound to small dummy buffers.
// Bindings: 0 params, then for j = 0..4: 3j+1 p_j (read_write), 3j+2 g_j (read), 3j+3 v_j (read_write).
// Workgroup: WG invocations; invocation i updates element i of every slot with n_j > i; the grid
// covers max(n_j), folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params {
  n0: u32, n1: u32, n2: u32, n3: u32,
  f0: u32, f1: u32, f2: u32, f3: u32,       // first step of that parameter: v = d
  hasVel: u32, nesterov: u32, n4: u32, f4: u32,
  lr: f32, momentum: f32, dampening: f32, wd: f32,
}
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> p0: array<f32>;
@group(0) @binding(2) var<storage, read> g0: array<f32>;
@group(0) @binding(3) var<storage, read_write> v0: array<f32>;
@group(0) @binding(4) var<storage, read_write> p1: array<f32>;
@group(0) @binding(5) var<storage, read> g1: array<f32>;
@group(0) @binding(6) var<storage, read_write> v1: array<f32>;
@group(0) @binding(7) var<storage, read_write> p2: array<f32>;
@group(0) @binding(8) var<storage, read> g2: array<f32>;
@group(0) @binding(9) var<storage, read_write> v2: array<f32>;
@group(0) @binding(10) var<storage, read_write> p3: array<f32>;
@group(0) @binding(11) var<storage, read> g3: array<f32>;
@group(0) @binding(12) var<storage, read_write> v3: array<f32>;
@group(0) @binding(13) var<storage, read_write> p4: array<f32>;
@group(0) @binding(14) var<storage, read> g4: array<f32>;
@group(0) @binding(15) var<storage, read_write> v4: array<f32>;

/** The step of one element: returns (new p, new v). */
fn update(w: f32, grad: f32, vel: f32, first: u32) -> vec2<f32> {
  var d = grad + p.wd * w;
  var v = vel;
  if (p.hasVel == 1u) {
    v = select(p.momentum * vel + (1.0 - p.dampening) * d, d, first == 1u);
    d = select(v, d + p.momentum * v, p.nesterov == 1u);
  }
  return vec2<f32>(w - p.lr * d, v);
}

/** Slots 0–3 at element i. */
fn first_four(i: u32) {
  if (i < p.n0) {
    var vel = 0.0;
    if (p.hasVel == 1u) { vel = v0[i]; }  // without momentum v_j is a 16-byte dummy
    let r = update(p0[i], g0[i], vel, p.f0);
    p0[i] = r.x;
    if (p.hasVel == 1u) { v0[i] = r.y; }
  }
  if (i < p.n1) {
    var vel = 0.0;
    if (p.hasVel == 1u) { vel = v1[i]; }  // without momentum v_j is a 16-byte dummy
    let r = update(p1[i], g1[i], vel, p.f1);
    p1[i] = r.x;
    if (p.hasVel == 1u) { v1[i] = r.y; }
  }
  if (i < p.n2) {
    var vel = 0.0;
    if (p.hasVel == 1u) { vel = v2[i]; }  // without momentum v_j is a 16-byte dummy
    let r = update(p2[i], g2[i], vel, p.f2);
    p2[i] = r.x;
    if (p.hasVel == 1u) { v2[i] = r.y; }
  }
  if (i < p.n3) {
    var vel = 0.0;
    if (p.hasVel == 1u) { vel = v3[i]; }  // without momentum v_j is a 16-byte dummy
    let r = update(p3[i], g3[i], vel, p.f3);
    p3[i] = r.x;
    if (p.hasVel == 1u) { v3[i] = r.y; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  first_four(flat_id(wid, nwg, lid, WG));
}

@compute @workgroup_size(WG)
fn main5(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  first_four(i);
  if (i < p.n4) {
    var vel = 0.0;
    if (p.hasVel == 1u) { vel = v4[i]; }
    let r = update(p4[i], g4[i], vel, p.f4);
    p4[i] = r.x;
    if (p.hasVel == 1u) { v4[i] = r.y; }
  }
}
