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
//           Bindings: 1 x, 2 mean, 3 invstd, 4 runningMean, 5 runningVar.
// norm      (one invocation per element): y = (x − mean)·invstd·w + b; with p.relu = 1, max(y, 0)
//           (the ReLU after the norm in ST-GCN's temporal block, one pass instead of two).
//           Bindings: 1 x, 2 mean, 3 stat, 4 weight, 5 bias, 6 y.
// bwd_stats (one workgroup per channel): Σg·x̂ → dweight and Σg → dbias, x̂ = (x − mean)·invstd.
//           With p.relu = 1 the incoming gradient is first masked by the output (g where y > 0,
//           as the ReLU's own backward) and the masked g is written out for bwd_dx.
//           Bindings: 1 x, 2 g, 3 mean, 4 stat, 5 dweight, 6 dbias, 7 y (relu) or any buffer,
//           8 masked g (relu) or a placeholder.
// bwd_dx    (one invocation per element): train: dx = w·invstd·(g − Σg/m − x̂·Σgx̂/m);
//           eval: dx = w·invstd·g. Bindings: 1 x, 2 g, 3 mean, 4 stat, 5 weight, 6 Σgx̂, 7 Σg, 8 dx.
// #include "lib/flat_id.wgsl"

struct Params { outer: u32, C: u32, inner: u32, train: u32, affine: u32, update: u32, eps: f32, momentum: f32, relu: u32 }
override WG: u32 = 256u;
override RV: u32 = 1u;     // norm_rows4, bwd_dx_rows4: vec4s per invocation
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
// stats
@group(0) @binding(2) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(3) var<storage, read_write> invstd_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> run_mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> run_var: array<f32>;
// norm
@group(0) @binding(2) var<storage, read> n_mean: array<f32>;
@group(0) @binding(3) var<storage, read> n_stat: array<f32>;
@group(0) @binding(4) var<storage, read> n_weight: array<f32>;
@group(0) @binding(5) var<storage, read> n_bias: array<f32>;
@group(0) @binding(6) var<storage, read_write> y_out: array<f32>;
// bwd_stats, bwd_dx
@group(0) @binding(2) var<storage, read> g_in: array<f32>;
@group(0) @binding(3) var<storage, read> b_mean: array<f32>;
@group(0) @binding(4) var<storage, read> b_stat: array<f32>;
@group(0) @binding(5) var<storage, read_write> sgx_out: array<f32>;
@group(0) @binding(6) var<storage, read_write> sg_out: array<f32>;
@group(0) @binding(5) var<storage, read> b_weight: array<f32>;
@group(0) @binding(6) var<storage, read> sgx_in: array<f32>;
@group(0) @binding(7) var<storage, read> sg_in: array<f32>;
@group(0) @binding(8) var<storage, read_write> dx_out: array<f32>;
// bwd_stats with relu: the output it masks by, and the masked gradient (binding 8: dx_out's slot)
@group(0) @binding(7) var<storage, read> relu_y: array<f32>;

/** The incoming gradient at element a, masked by the output where the norm ends in a ReLU; stored for bwd_dx. */
fn masked_g(a: u32) -> f32 {
  let g = g_in[a];
  if (p.relu == 0u) { return g; }
  let r = select(0.0, g, relu_y[a] > 0.0);
  dx_out[a] = r;
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
  mean_out[c] = mean;
  invstd_out[c] = inverseSqrt(v + p.eps);
  if (p.update == 1u) {
    let unbiased = select(v, v * f32(m) / f32(m - 1u), m > 1u);
    run_mean[c] = (1.0 - p.momentum) * run_mean[c] + p.momentum * mean;
    run_var[c] = (1.0 - p.momentum) * run_var[c] + p.momentum * unbiased;
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
  if (p.affine == 1u) { w = n_weight[c]; b = n_bias[c]; }
  let y = (x[i] - n_mean[c]) * invstd_of(n_stat[c]) * w + b;
  y_out[i] = select(y, max(y, 0.0), p.relu == 1u);
}

@compute @workgroup_size(WG)
fn bwd_stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let c = wid.x + wid.y * nwg.x;
  if (c >= p.C) { return; }
  let m = p.outer * p.inner;
  let mean = b_mean[c];
  let inv = invstd_of(b_stat[c]);
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
  if (lid == 0u) { sgx_out[c] = red[0]; sg_out[c] = red2[0]; }
}

@compute @workgroup_size(WG)
fn bwd_dx(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.outer * p.C * p.inner) { return; }
  let c = channel_of(i);
  let inv = invstd_of(b_stat[c]);
  var w: f32 = 1.0;
  if (p.affine == 1u) { w = b_weight[c]; }
  var g = g_in[i];
  if (p.train == 1u) {
    let m = f32(p.outer * p.inner);
    let xhat = (x[i] - b_mean[c]) * inv;
    g = g - sg_in[c] / m - xhat * sgx_in[c] / m;
  }
  dx_out[i] = w * inv * g;
}

// norm_rows, bwd_dx_rows (and their vec4 forms …4, for inner ≡ 0 mod 4): the per-element passes
// for inner ≥ 64, on a grid (ceil(inner / (WG·E)), C, outer) with E = 1 or 4 elements per
// invocation. The channel is the workgroup's, so its constants are read once per invocation and
// no element pays for the (i / inner) % C division — both are per-lane loops on a CPU adapter,
// where they cost more than the arithmetic. Bindings as norm / bwd_dx (x, y, g, dx as vec4s in …4).
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> y4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> g4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> dx4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> relu_y4: array<vec4<f32>>;

/** y = (x − mean)·scale + bias: [mean, scale, bias] of channel c. */
fn norm_consts(c: u32) -> vec3<f32> {
  var w: f32 = 1.0; var b: f32 = 0.0;
  if (p.affine == 1u) { w = n_weight[c]; b = n_bias[c]; }
  return vec3<f32>(n_mean[c], invstd_of(n_stat[c]) * w, b);
}

@compute @workgroup_size(WG)
fn norm_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = wid.x * WG + lid;
  if (e >= p.inner) { return; }
  let k = norm_consts(wid.y);
  let i = (wid.z * p.C + wid.y) * p.inner + e;
  let y = (x[i] - k.x) * k.y + k.z;
  y_out[i] = select(y, max(y, 0.0), p.relu == 1u);
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
      y4[row + e] = select(y, max(y, vec4<f32>(0.0)), p.relu == 1u);
    }
  }
}

/** dx = k.x·g + k.y·(x − mean) + k.z, and mean in k.w: the train / eval formula of bwd_dx per channel. */
fn dx_consts(c: u32) -> vec4<f32> {
  let inv = invstd_of(b_stat[c]);
  var w: f32 = 1.0;
  if (p.affine == 1u) { w = b_weight[c]; }
  let a = w * inv;
  if (p.train == 0u) { return vec4<f32>(a, 0.0, 0.0, 0.0); }
  let m = f32(p.outer * p.inner);
  return vec4<f32>(a, -a * inv * sgx_in[c] / m, -a * sg_in[c] / m, b_mean[c]);
}

@compute @workgroup_size(WG)
fn bwd_dx_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let e = wid.x * WG + lid;
  if (e >= p.inner) { return; }
  let k = dx_consts(wid.y);
  let i = (wid.z * p.C + wid.y) * p.inner + e;
  var r = k.x * g_in[i];
  if (p.train == 1u) { r += k.y * (x[i] - k.w) + k.z; }
  dx_out[i] = r;
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
      var r = k.x * g4[row + e];
      if (p.train == 1u) { r += k.y * (x4[row + e] - k.w) + k.z; }
      dx4[row + e] = r;
    }
  }
}

// stats4, bwd_stats4: stats and bwd_stats for inner ≡ 0 mod 4 (the host takes them from 64 on), reading vec4s
// along the rows (bindings as stats / bwd_stats with x, g, y and the masked g as vec4s).
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
  let mean = b_mean[c];
  let inv = invstd_of(b_stat[c]);
  var sg = vec4<f32>(0.0); var sgx = vec4<f32>(0.0);
  let n4 = p.inner >> 2u;
  for (var o = 0u; o < p.outer; o++) {
    let row = ((o * p.C + c) * p.inner) >> 2u;
    var rg = vec4<f32>(0.0); var rgx = vec4<f32>(0.0);
    for (var i = lid; i < n4; i += WG) {
      var g = g4[row + i];
      if (p.relu == 1u) { g = select(vec4<f32>(0.0), g, relu_y4[row + i] > vec4<f32>(0.0)); dx4[row + i] = g; }
      rg += g; rgx += g * (x4[row + i] - mean);
    }
    sg += rg; sgx += rgx;
  }
  red[lid] = ((sgx.x + sgx.y) + (sgx.z + sgx.w)) * inv; red2[lid] = (sg.x + sg.y) + (sg.z + sg.w);
  reduce2(lid);
  if (lid == 0u) { sgx_out[c] = red[0]; sg_out[c] = red2[0]; }
}
