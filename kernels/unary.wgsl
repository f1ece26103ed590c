// Elementwise unary ops: out[i] = f(x[i]) with two scalar parameters alpha, beta.
// Bindings: 0 params, 1 x, 2 out.
// op: 0 affine (alpha·x + beta; neg and scale are special cases), 1 relu, 2 exp, 3 log, 4 sqrt,
//     5 pow (x^alpha), 6 step (x > 0 → 1 else 0), 7 abs, 8 reciprocal, 9 fill (beta), 10 copy.
// Entries: main (one element per invocation) and main4 (n ≡ 0 mod 4: RV vec4s per invocation, at
// stride WG — on a CPU adapter every load and store is a loop over the lanes, so moving four
// elements per access is what makes an elementwise op cheap; bindings 1 x4, 2 out4).
// Workgroup: WG invocations, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"
// #include "lib/nan.wgsl"

struct Params { n: u32, op: u32, alpha: f32, beta: f32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out4: array<vec4<f32>>;
override RV: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n) { return; }
  if (p.op == 9u) { out[i] = p.beta; return; }  // fill: x is a placeholder binding
  // one element through the vec4 op (the compiler drops the three unused lanes)
  out[i] = apply4(vec4<f32>(x[i])).x;
}

fn apply4(v: vec4<f32>) -> vec4<f32> {
  let one = vec4<f32>(1.0);
  let zero = vec4<f32>(0.0);
  switch p.op {
    case 0u: { return p.alpha * v + p.beta; }
    case 1u: { return max_nan4(v, zero); }   // NaN stays NaN (lib/nan.wgsl)
    case 2u: { return exp(v); }
    case 3u: { return log(v); }
    case 4u: { return sqrt(v); }
    case 5u: {
      let m = pow(abs(v), vec4<f32>(p.alpha));
      let odd = p.alpha == floor(p.alpha) && (i32(p.alpha) % 2) != 0;
      return select(m, select(m, -m, odd), v < zero);
    }
    case 6u: { return select(zero, one, v > zero); }
    case 7u: { return abs(v); }
    case 8u: { return one / v; }
    default: { return v; }
  }
}

@compute @workgroup_size(WG)
fn main4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let base = flat_id(wid, nwg, lid, WG * RV);   // my first vec4; then every WG-th, RV of them
  let n4 = p.n >> 2u;
  for (var j = 0u; j < RV; j++) {
    let i = base + j * WG;
    if (i < n4) {
      if (p.op == 9u) { out4[i] = vec4<f32>(p.beta); } else { out4[i] = apply4(x4[i]); }
    }
  }
}
