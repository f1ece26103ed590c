// Batch normalisation over x viewed as (outer, C, inner): statistics per channel c over the
// outer·inner = m elements x[(o·C + c)·inner + i] (outer = N, inner = the trailing dims).
// `stat` is the per-channel inverse std (train = 1) or the running variance (train = 0, eval:
// invstd = 1/√(var + eps) is formed here). affine = 0: weight 1, bias 0 (placeholders bound).
//
// stats     (one workgroup of WG per channel, 1-D grid folded into 2-D; the host picks WG = 8 on
//           software adapters, where every barrier costs each SIMD group a switch): two passes — the mean,
//           then Σ(x − mean)² — so no E[x²] − E[x]² cancellation. Writes mean, invstd (biased
//           variance) and updates the running statistics in place:
//           running = (1 − momentum)·running + momentum·batch, the variance unbiased (·m/(m − 1)).
//           Reads x; writes means, stat (the invstd), running_mean, running_var.
// norm      (one invocation per element): y = (x − mean)·invstd·w + b; with p.relu = 1, max(y, 0)
//           (the ReLU after the norm in ST-GCN's temporal block, one pass instead of two).
//           Reads x, means, stat, weight, bias; writes out (y).
// bwd_stats (one workgroup per channel): Σg·x̂ → dweight and Σg → dbias, x̂ = (x − mean)·invstd.
//           With p.relu = 1 the incoming gradient is first masked by the output (g where y > 0,
//           as the ReLU's own backward) and the masked g is written to `masked` for bwd_dx.
//           Reads x, grad, means, stat, out (y: relu) ; writes dweight, dbias, masked (relu).
// bwd_dx    (one invocation per element): train: dx = w·invstd·(g − Σg/m − x̂·Σgx̂/m);
//           eval: dx = w·invstd·g. Reads x, grad (the masked g after a ReLU), means, stat, weight,
//           dweight (Σgx̂), dbias (Σg); writes dx.
// Bindings: 0 params, 1 x, 2 grad, 3 means, 4 stat, 5 running_mean, 6 running_var, 7 weight,
// 8 bias, 9 out, 10 dweight, 11 dbias, 12 masked, 13 dx (the vec4 views x4, grad4, out4, masked4,
// dx4 share their bindings); affine = 0 and unused slots take placeholders.
// #include "lib/flat_id.wgsl"
// #include "lib/nan.wgsl"

struct Params { outer: u32, C: u32, inner: u32, train: u32, affine: u32, update: u32, eps: f32, momentum: f32, relu: u32 }
override WG: u32 = 256u;
override RV: u32 = 1u;     // norm_rows4, bwd_dx_rows4: vec4s per invocation
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read> grad4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> means: array<f32>;
@group(0) @binding(4) var<storage, read_write> stat: array<f32>;
@group(0) @binding(5) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(6) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(7) var<storage, read> weight: array<f32>;
@group(0) @binding(8) var<storage, read> bias: array<f32>;
@group(0) @binding(9) var<storage, read_write> out: array<f32>;
@group(0) @binding(9) var<storage, read_write> out4: array<vec4<f32>>;
@group(0) @binding(10) var<storage, read_write> dweight: array<f32>;
@group(0) @binding(11) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(12) var<storage, read_write> masked: array<f32>;
@group(0) @binding(12) var<storage, read_write> masked4: array<vec4<f32>>;
@group(0) @binding(13) var<storage, read_write> dx: array<f32>;
@group(0) @binding(13) var<storage, read_write> dx4: array<vec4<f32>>;

/** The incoming gradient at element a, masked by the output where the norm ends in a ReLU; stored for bwd_dx. */
fn masked_g(a: u32) -> f32 {
  let g = grad[a];
  if (p.relu == 0u) { return g; }
  let r = select(0.0, g, out[a] > 0.0);
  masked[a] = r;
  return r;
}

var<workgroup> red: array<f32, WG>;
var<workgroup> red2: array<f32, WG>;

fn addr(c: u32, e: u32) -> u32 {
  return ((e / p.inner) * p.C + c) * p.inner + e % p.inner;
}

fn channel_of(i: u32) -> u32 { return (i / p.inner) % p.C; }

// Σ over channel c of f(x) for this invocation's share of the m elements: rows of `inner` walked
// directly when they are at least a workgroup long (no division per element), else a flat loop.
fn partial_sum(c: u32, lid: u32, centre: f32, squares: bool) -> f32 {
  var s: f32 = 0.0;
  if (p.inner >= WG) {
    for (var o = 0u; o < p.outer; o++) {
      let row = (o * p.C + c) * p.inner;
      var r: f32 = 0.0;   // the row's share first: s then takes one term per row (precision at WG = 8)
      for (var i = lid; i < p.inner; i += WG) { let d = x[row + i] - centre; r += select(d, d * d, squares); }
      s += r;
    }
  } else {
    for (var e = lid; e < p.outer * p.inner; e += WG) { let d = x[addr(c, e)] - centre; s += select(d, d * d, squares); }
  }
  return s;
}

fn invstd_of(s: f32) -> f32 { return select(inverseSqrt(s + p.eps), s, p.train == 1u); }

// Tree sum of red (and red2) over the workgroup; the totals end in slot 0.
fn reduce2(lid: u32) {
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; red2[lid] += red2[lid + s]; }
    workgroupBarrier();
  }
}

/** Writes channel c's mean and invstd (biased variance v) and moves the running statistics. */
fn store_stats(c: u32, m: u32, mean: f32, v: f32) {
  means[c] = mean;
  stat[c] = inverseSqrt(v + p.eps);
  if (p.update == 1u) {
    let unbiased = select(v, v * f32(m) / f32(m - 1u), m > 1u);
    running_mean[c] = (1.0 - p.momentum) * running_mean[c] + p.momentum * mean;
    running_var[c] = (1.0 - p.momentum) * running_var[c] + p.momentum * unbiased;
  }
}

@compute @workgroup_size(WG)
fn stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * nwg.x;
  if (c >= p.C) { return; }  // uniform per workgroup
  let m = p.outer * p.inner;
  red[lid] = partial_sum(c, lid, 0.0, false); red2[lid] = 0.0;
  reduce2(lid);
  let mean = red[0] / f32(m);
  workgroupBarrier();
  red[lid] = partial_sum(c, lid, mean, true);
  reduce2(lid);
  if (lid == 0u) { store_stats(c, m, mean, red[0] / f32(m)); }
}

@compute @workgroup_size(WG)
fn norm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.outer * p.C * p.inner) { return; }
  let c = channel_of(i);
  var w: f32 = 1.0; var b: f32 = 0.0;
  if (p.affine == 1u) { w = weight[c]; b = bias[c]; }
  let y = (x[i] - means[c]) * invstd_of(stat[c]) * w + b;
  out[i] = select(y, max_nan(y, 0.0), p.relu == 1u);
}

@compute @workgroup_size(WG)
fn bwd_stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * nwg.x;
  if (c >= p.C) { return; }
  let m = p.outer * p.inner;
  let mean = means[c];
  let inv = invstd_of(stat[c]);
  var sg: f32 = 0.0; var sgx: f32 = 0.0;
  if (p.inner >= WG) {
    for (var o = 0u; o < p.outer; o++) {
      let row = (o * p.C + c) * p.inner;
      var rg: f32 = 0.0; var rgx: f32 = 0.0;
      for (var i = lid; i < p.inner; i += WG) { let g = masked_g(row + i); rg += g; rgx += g * (x[row + i] - mean); }
      sg += rg; sgx += rgx;
    }
  } else {
    for (var e = lid; e < m; e += WG) { let a = addr(c, e); let g = masked_g(a); sg += g; sgx += g * (x[a] - mean); }
  }
  red[lid] = sgx * inv; red2[lid] = sg;
  reduce2(lid);
  if (lid == 0u) { dweight[c] = red[0]; dbias[c] = red2[0]; }
}

@compute @workgroup_size(WG)
fn bwd_dx(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.outer * p.C * p.inner) { return; }
  let c = channel_of(i);
  let inv = invstd_of(stat[c]);
  var w: f32 = 1.0;
  if (p.affine == 1u) { w = weight[c]; }
  var g = grad[i];
  if (p.train == 1u) {
    let m = f32(p.outer * p.inner);
    let xhat = (x[i] - means[c]) * inv;
    g = g - dbias[c] / m - xhat * dweight[c] / m;
  }
  dx[i] = w * inv * g;
}

// norm_rows, bwd_dx_rows (and their vec4 forms …4, for inner ≡ 0 mod 4): the per-element passes
// for inner ≥ 64, on a grid (ceil(inner / (WG·E)), C, outer) with E = 1 or 4 elements per
// invocation. The channel is the workgroup's, so its constants are read once per invocation and
// no element pays for the (i / inner) % C division — both are per-lane loops on a CPU adapter,
// where they cost more than the arithmetic.

/** y = (x − mean)·scale + bias: [mean, scale, bias] of channel c. */
fn norm_consts(c: u32) -> vec3<f32> {
  var w: f32 = 1.0; var b: f32 = 0.0;
  if (p.affine == 1u) { w = weight[c]; b = bias[c]; }
  return vec3<f32>(means[c], invstd_of(stat[c]) * w, b);
}

@compute @workgroup_size(WG)
fn norm_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = wid.x * WG + lid;
  if (e >= p.inner) { return; }
  let k = norm_consts(wid.y);
  let i = (wid.z * p.C + wid.y) * p.inner + e;
  let y = (x[i] - k.x) * k.y + k.z;
  out[i] = select(y, max_nan(y, 0.0), p.relu == 1u);
}

@compute @workgroup_size(WG)
fn norm_rows4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e0 = wid.x * WG * RV + lid;          // my first vec4 of the row; then every WG-th, RV of them
  let n4 = p.inner >> 2u;
  if (e0 >= n4) { return; }
  let k = norm_consts(wid.y);
  let row = ((wid.z * p.C + wid.y) * p.inner) >> 2u;
  for (var j = 0u; j < RV; j++) {
    let e = e0 + j * WG;
    if (e < n4) {
      let y = (x4[row + e] - k.x) * k.y + k.z;
      out4[row + e] = select(y, max_nan4(y, vec4<f32>(0.0)), p.relu == 1u);
    }
  }
}

/** dx = k.x·g + k.y·(x − mean) + k.z, and mean in k.w: the train / eval formula of bwd_dx per channel. */
fn dx_consts(c: u32) -> vec4<f32> {
  let inv = invstd_of(stat[c]);
  var w: f32 = 1.0;
  if (p.affine == 1u) { w = weight[c]; }
  let a = w * inv;
  if (p.train == 0u) { return vec4<f32>(a, 0.0, 0.0, 0.0); }
  let m = f32(p.outer * p.inner);
  return vec4<f32>(a, -a * inv * dweight[c] / m, -a * dbias[c] / m, means[c]);
}

@compute @workgroup_size(WG)
fn bwd_dx_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = wid.x * WG + lid;
  if (e >= p.inner) { return; }
  let k = dx_consts(wid.y);
  let i = (wid.z * p.C + wid.y) * p.inner + e;
  var r = k.x * grad[i];
  if (p.train == 1u) { r += k.y * (x[i] - k.w) + k.z; }
  dx[i] = r;
}

@compute @workgroup_size(WG)
fn bwd_dx_rows4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e0 = wid.x * WG * RV + lid;
  let n4 = p.inner >> 2u;
  if (e0 >= n4) { return; }
  let k = dx_consts(wid.y);
  let row = ((wid.z * p.C + wid.y) * p.inner) >> 2u;
  for (var j = 0u; j < RV; j++) {
    let e = e0 + j * WG;
    if (e < n4) {
      var r = k.x * grad4[row + e];
      if (p.train == 1u) { r += k.y * (x4[row + e] - k.w) + k.z; }
      dx4[row + e] = r;
    }
  }
}

// stats4, bwd_stats4: stats and bwd_stats for inner ≡ 0 mod 4 (the host takes them from 64 on), reading vec4s
// along the rows.
fn partial_sum4(c: u32, lid: u32, centre: f32, squares: bool) -> f32 {
  var s = vec4<f32>(0.0);
  let n4 = p.inner >> 2u;
  for (var o = 0u; o < p.outer; o++) {
    let row = ((o * p.C + c) * p.inner) >> 2u;
    var r = vec4<f32>(0.0);
    for (var i = lid; i < n4; i += WG) { let d = x4[row + i] - centre; r += select(d, d * d, squares); }
    s += r;
  }
  return (s.x + s.y) + (s.z + s.w);
}

@compute @workgroup_size(WG)
fn stats4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * nwg.x;
  if (c >= p.C) { return; }  // uniform per workgroup
  let m = p.outer * p.inner;
  red[lid] = partial_sum4(c, lid, 0.0, false); red2[lid] = 0.0;
  reduce2(lid);
  let mean = red[0] / f32(m);
  workgroupBarrier();
  red[lid] = partial_sum4(c, lid, mean, true);
  reduce2(lid);
  if (lid == 0u) { store_stats(c, m, mean, red[0] / f32(m)); }
}

@compute @workgroup_size(WG)
fn bwd_stats4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * nwg.x;
  if (c >= p.C) { return; }
  let mean = means[c];
  let inv = invstd_of(stat[c]);
  var sg = vec4<f32>(0.0); var sgx = vec4<f32>(0.0);
  let n4 = p.inner >> 2u;
  for (var o = 0u; o < p.outer; o++) {
    let row = ((o * p.C + c) * p.inner) >> 2u;
    var rg = vec4<f32>(0.0); var rgx = vec4<f32>(0.0);
    for (var i = lid; i < n4; i += WG) {
      var g = grad4[row + i];
      if (p.relu == 1u) { g = select(vec4<f32>(0.0), g, out4[row + i] > vec4<f32>(0.0)); masked4[row + i] = g; }
      rg += g; rgx += g * (x4[row + i] - mean);
    }
    sg += rg; sgx += rgx;
  }
  red[lid] = ((sgx.x + sgx.y) + (sgx.z + sgx.w)) * inv; red2[lid] = (sg.x + sg.y) + (sg.z + sg.w);
  reduce2(lid);
  if (lid == 0u) { dweight[c] = red[0]; dbias[c] = red2[0]; }
}
