// Elementwise binary ops with NumPy broadcasting: out[i] = op(a[ia(i)], b[ib(i)]).
// Bindings: 0 params, 1 a, 2 b, 3 out (all f32, contiguous).
// op: 0 add, 1 sub, 2 mul, 3 div, 4 pow, 5 max, 6 min, 7 greater (1/0), 8 equal (1/0),
//     9 a where b > 0 else 0 (ReLU's backward, g masked by x, in one pass), 10 max(a + b, 0)
//     (a residual add and its ReLU in one pass). 5 and 10 keep a NaN (lib/nan.wgsl).
// Entries: main (one output element per invocation) and same4 (a, b and out of one shape,
// n ≡ 0 mod 4: RV vec4s per invocation at stride WG — fewer, wider accesses, which is what an
// elementwise op costs on a CPU adapter; bindings 1 a4, 2 b4, 3 out4).
// Workgroup: WG invocations (override, default 256), 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"
// #include "lib/nan.wgsl"
// #include "lib/broadcast.wgsl"

struct Params {
  n: u32, rank: u32, op: u32, same: u32,   // same = 1: all three share the shape, skip index maths
  shape: array<vec4<u32>, 2>,
  sa: array<vec4<u32>, 2>,
  sb: array<vec4<u32>, 2>,
}
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> b4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out4: array<vec4<f32>>;
override RV: u32 = 4u;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n) { return; }
  // one element through the vec4 op (the compiler drops the three unused lanes)
  var ia = i;
  var ib = i;
  if (p.same != 1u) { ia = offset_of(i, p.rank, p.shape, p.sa); ib = offset_of(i, p.rank, p.shape, p.sb); }
  out[i] = apply4(p.op, vec4<f32>(a[ia]), vec4<f32>(b[ib])).x;
}

fn apply4(op: u32, x: vec4<f32>, y: vec4<f32>) -> vec4<f32> {
  switch op {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return pow(x, y); }
    case 5u: { return max_nan4(x, y); }
    case 6u: { return min(x, y); }
    case 7u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), x > y); }
    case 8u: { return select(vec4<f32>(0.0), vec4<f32>(1.0), x == y); }
    case 9u: { return select(vec4<f32>(0.0), x, y > vec4<f32>(0.0)); }
    default: { return max_nan4(x + y, vec4<f32>(0.0)); }
  }
}

@compute @workgroup_size(WG)
fn same4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let base = flat_id(wid, nwg, lid, WG * RV);   // my first vec4; then every WG-th, RV of them
  let n4 = p.n >> 2u;
  for (var j = 0u; j < RV; j++) {
    let i = base + j * WG;
    if (i < n4) { out4[i] = apply4(p.op, a4[i], b4[i]); }
  }
}
