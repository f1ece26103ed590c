// Multi-tensor MoCo momentum update: θk ← m·θk + (1 − m)·θq for up to eight (θk, θq) pairs in one
// dispatch (the per-parameter form costs one dispatch per tensor, hundreds a step:
// docs/bench.md#dispatches-per-pre-training-step).
// Entry `main` takes four pairs (8 storage buffers: any WebGPU device), `main8` eight (16: the
// compatibility and core limits of every adapter we have met). Pairs past the last real one have
// n = 0 and are bound to small dummy buffers.
// Bindings: 0 params {n0 … n7, m}, then for j = 0..7: 2j+1 θk_j (read_write), 2j+2 θq_j (read).
// Workgroup: WG invocations; invocation i updates element i of every pair with n_j > i; the grid
// covers max(n_j), folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params { n0: u32, n1: u32, n2: u32, n3: u32, n4: u32, n5: u32, n6: u32, n7: u32, m: f32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> k0: array<f32>;
@group(0) @binding(2) var<storage, read> q0: array<f32>;
@group(0) @binding(3) var<storage, read_write> k1: array<f32>;
@group(0) @binding(4) var<storage, read> q1: array<f32>;
@group(0) @binding(5) var<storage, read_write> k2: array<f32>;
@group(0) @binding(6) var<storage, read> q2: array<f32>;
@group(0) @binding(7) var<storage, read_write> k3: array<f32>;
@group(0) @binding(8) var<storage, read> q3: array<f32>;
@group(0) @binding(9) var<storage, read_write> k4: array<f32>;
@group(0) @binding(10) var<storage, read> q4: array<f32>;
@group(0) @binding(11) var<storage, read_write> k5: array<f32>;
@group(0) @binding(12) var<storage, read> q5: array<f32>;
@group(0) @binding(13) var<storage, read_write> k6: array<f32>;
@group(0) @binding(14) var<storage, read> q6: array<f32>;
@group(0) @binding(15) var<storage, read_write> k7: array<f32>;
@group(0) @binding(16) var<storage, read> q7: array<f32>;

/** Pairs 0–3 at element i. */
fn first_four(i: u32) {
  let a = 1.0 - p.m;
  if (i < p.n0) { k0[i] = p.m * k0[i] + a * q0[i]; }
  if (i < p.n1) { k1[i] = p.m * k1[i] + a * q1[i]; }
  if (i < p.n2) { k2[i] = p.m * k2[i] + a * q2[i]; }
  if (i < p.n3) { k3[i] = p.m * k3[i] + a * q3[i]; }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  first_four(flat_id(wid, nwg, lid, WG));
}

@compute @workgroup_size(WG)
fn main8(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  first_four(i);
  let a = 1.0 - p.m;
  if (i < p.n4) { k4[i] = p.m * k4[i] + a * q4[i]; }
  if (i < p.n5) { k5[i] = p.m * k5[i] + a * q5[i]; }
  if (i < p.n6) { k6[i] = p.m * k6[i] + a * q6[i]; }
  if (i < p.n7) { k7[i] = p.m * k7[i] + a * q7[i]; }
}
