// The training step's finite guard (src/ops/finite.ts `finiteFlags`): for up to 7 tensors x0…x6
// (entry `main`) or 15 tensors x0…x14 (entry `main15`, where a stage may bind 16 storage buffers)
// of n0… elements, a sticky flag per tensor in `flags`, at that tensor's slot s0…:
//   flags[s_j] stays as it is when non-zero (the first report wins), else becomes
//   4·step + 1 if some x_j[i] is NaN, 4·step + 2 if +Inf, 4·step + 3 if −Inf, else stays 0.
// Non-finite values are found by their bits (a compiler may assume every float finite and fold
// x != x away). Several invocations may write one flag in a dispatch; each writes a valid code.
// Bindings: 0 params, 1…7 x0…x6, 8 flags, 9…16 x7…x14 (main15 only); unused slots: any buffer with n_j = 0.
// Workgroup: WG invocations, 1-D grid folded into 2-D over max(n_j); invocation i checks element
// i of every tensor that long, invocations past every n_j do nothing.
// #include "lib/flat_id.wgsl"

struct Params { n0: u32, n1: u32, n2: u32, n3: u32, n4: u32, n5: u32, n6: u32, n7: u32,
                n8: u32, n9: u32, n10: u32, n11: u32, n12: u32, n13: u32, n14: u32,
                s0: u32, s1: u32, s2: u32, s3: u32, s4: u32, s5: u32, s6: u32, s7: u32,
                s8: u32, s9: u32, s10: u32, s11: u32, s12: u32, s13: u32, s14: u32, step: u32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x0: array<f32>;
@group(0) @binding(2) var<storage, read> x1: array<f32>;
@group(0) @binding(3) var<storage, read> x2: array<f32>;
@group(0) @binding(4) var<storage, read> x3: array<f32>;
@group(0) @binding(5) var<storage, read> x4: array<f32>;
@group(0) @binding(6) var<storage, read> x5: array<f32>;
@group(0) @binding(7) var<storage, read> x6: array<f32>;
@group(0) @binding(8) var<storage, read_write> flags: array<f32>;
@group(0) @binding(9) var<storage, read> x7: array<f32>;
@group(0) @binding(10) var<storage, read> x8: array<f32>;
@group(0) @binding(11) var<storage, read> x9: array<f32>;
@group(0) @binding(12) var<storage, read> x10: array<f32>;
@group(0) @binding(13) var<storage, read> x11: array<f32>;
@group(0) @binding(14) var<storage, read> x12: array<f32>;
@group(0) @binding(15) var<storage, read> x13: array<f32>;
@group(0) @binding(16) var<storage, read> x14: array<f32>;

/** 0 for a finite value, 1 NaN, 2 +Inf, 3 −Inf. */
fn code(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  if ((b & 0x7f800000u) != 0x7f800000u) { return 0u; }
  if ((b & 0x007fffffu) != 0u) { return 1u; }
  return select(2u, 3u, (b >> 31u) == 1u);
}

fn report(slot: u32, c: u32) {
  if (c != 0u && flags[slot] == 0.0) { flags[slot] = f32(4u * p.step + c); }
}

/** Element i of x0…x6: the bindings both entries have. */
fn check_first7(i: u32) {
  if (i < p.n0) { report(p.s0, code(x0[i])); }
  if (i < p.n1) { report(p.s1, code(x1[i])); }
  if (i < p.n2) { report(p.s2, code(x2[i])); }
  if (i < p.n3) { report(p.s3, code(x3[i])); }
  if (i < p.n4) { report(p.s4, code(x4[i])); }
  if (i < p.n5) { report(p.s5, code(x5[i])); }
  if (i < p.n6) { report(p.s6, code(x6[i])); }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  check_first7(flat_id(wid, nwg, lid, WG));
}

@compute @workgroup_size(WG)
fn main15(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  check_first7(i);
  if (i < p.n7) { report(p.s7, code(x7[i])); }
  if (i < p.n8) { report(p.s8, code(x8[i])); }
  if (i < p.n9) { report(p.s9, code(x9[i])); }
  if (i < p.n10) { report(p.s10, code(x10[i])); }
  if (i < p.n11) { report(p.s11, code(x11[i])); }
  if (i < p.n12) { report(p.s12, code(x12[i])); }
  if (i < p.n13) { report(p.s13, code(x13[i])); }
  if (i < p.n14) { report(p.s14, code(x14[i])); }
}
