// The im2col of the temporal convolution's `cols` path (src/ops/tconv/cols.ts): one row of
// J = C·KT reduction values per output position, so that a matrix product (kernels/matmul/tiled4.wgsl
// on hardware GPUs) does the convolution:
//   cols[(n·R + r)·J + c·KT + k] = src[n, c, f, v],   r = t·V + v < R = Tr·V,
//   mode 0 (forward and weight gradient, src = x (N, C, T, V), t an output time < Tr = T'):
//          f = t·stride + k − pad, zero where f is outside [0, T);
//   mode 1 (input gradient, src = dy (N, C, T, V) with C = Cout and T = T', t an input time < Tr):
//          f = (t + pad − k) / stride where the stride divides it and f < T, else zero.
// Bindings: 0 params, 1 src, 2 cols.
// Workgroups: WG invocations, one cols element each (consecutive invocations write consecutive
//   elements), over N·R·J, folded into 2-D past the per-dimension limit (lib/flat_id.wgsl).

// #include "lib/flat_id.wgsl"

struct Params {
  mode: u32, n: u32, c: u32, t: u32,         // batches, channels and times of src
  tr: u32, v: u32, kt: u32, stride: u32,     // times of the output positions, joints, taps, stride
  pad: u32,
}
override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(WG)
fn cols_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  let J = p.c * p.kt;
  let R = p.tr * p.v;
  if (i >= p.n * R * J) { return; }
  let row = i / J;
  let j = i - row * J;
  let n = row / R;
  let r = row - n * R;
  let t = r / p.v;
  let v = r - t * p.v;
  let ch = j / p.kt;
  let k = j - ch * p.kt;
  var f = -1;
  if (p.mode == 0u) {
    f = i32(t * p.stride + k) - i32(p.pad);
  } else {
    let d = i32(t + p.pad) - i32(k);
    if (d >= 0 && u32(d) % p.stride == 0u) { f = d / i32(p.stride); }
  }
  var x = 0.0;
  if (f >= 0 && u32(f) < p.t) { x = src[((n * p.c + ch) * p.t + u32(f)) * p.v + v]; }
  cols[i] = x;
}
