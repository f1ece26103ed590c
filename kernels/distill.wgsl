// Masked KL distillation between similarity distributions (CMD, docs/method.md#cmd; IMD, #imd).
// Over the slots where mask[n, j] = 1 (the teacher's top-k): p_T = softmax(t/τ_T),
// log p_S = log_softmax(s/τ_S), row loss = Σ_j p_T (log p_T − log p_S).
//
// Bindings: 0 params, 1 t, 2 s, 3 mask, 4 stats, 5 g (the scalar upstream gradient), 6 ds.
// Entries:
//   rows  One workgroup of WG per row (1-D grid folded into 2-D): per-invocation online max/sum of
//         both distributions, a tree combine, then a second pass for the KL sum.
//         stats[n] = (lse_T, lse_S, row loss, 0).
//   grad  One invocation per element: ds = g·scale·(p_S − p_T) on the mask, 0 elsewhere,
//         scale = 1/(τ_S·N).
// #include "lib/flat_id.wgsl"

struct Params { n: u32, k: u32, inv_tau_t: f32, inv_tau_s: f32, scale: f32 }
const WG: u32 = 256u;
const NEG: f32 = -3.4028234e38;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> t: array<f32>;
@group(0) @binding(2) var<storage, read> s: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@group(0) @binding(5) var<storage, read> g: array<f32>;
@group(0) @binding(6) var<storage, read_write> ds: array<f32>;

// ---------------------------------------------------------------- rows

var<workgroup> rm_t: array<f32, WG>;
var<workgroup> rs_t: array<f32, WG>;
var<workgroup> rm_s: array<f32, WG>;
var<workgroup> rs_s: array<f32, WG>;

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= p.n) { return; }  // uniform per workgroup
  let base = n * p.k;
  var mt = NEG; var st = 0.0;
  var ms = NEG; var ss = 0.0;
  for (var j = lid; j < p.k; j += WG) {
    if (mask[base + j] <= 0.5) { continue; }
    let vt = t[base + j] * p.inv_tau_t;
    if (vt > mt) { st = st * exp(mt - vt) + 1.0; mt = vt; } else { st += exp(vt - mt); }
    let vs = s[base + j] * p.inv_tau_s;
    if (vs > ms) { ss = ss * exp(ms - vs) + 1.0; ms = vs; } else { ss += exp(vs - ms); }
  }
  rm_t[lid] = mt; rs_t[lid] = st; rm_s[lid] = ms; rs_s[lid] = ss;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (lid < h) {
      let a = rm_t[lid]; let b = rm_t[lid + h]; let m = max(a, b);
      rs_t[lid] = rs_t[lid] * exp(a - m) + rs_t[lid + h] * exp(b - m); rm_t[lid] = m;
      let c = rm_s[lid]; let d = rm_s[lid + h]; let m2 = max(c, d);
      rs_s[lid] = rs_s[lid] * exp(c - m2) + rs_s[lid + h] * exp(d - m2); rm_s[lid] = m2;
    }
    workgroupBarrier();
  }
  let lse_t = rm_t[0] + log(rs_t[0]);
  let lse_s = rm_s[0] + log(rs_s[0]);
  workgroupBarrier();  // all have read the results before rs_t is reused
  var kl = 0.0;
  for (var j = lid; j < p.k; j += WG) {
    if (mask[base + j] <= 0.5) { continue; }
    let lt = t[base + j] * p.inv_tau_t - lse_t;
    let ls = s[base + j] * p.inv_tau_s - lse_s;
    kl += exp(lt) * (lt - ls);
  }
  rs_t[lid] = kl;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (lid < h) { rs_t[lid] += rs_t[lid + h]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    stats[n * 4u] = lse_t;
    stats[n * 4u + 1u] = lse_s;
    stats[n * 4u + 2u] = rs_t[0];
    stats[n * 4u + 3u] = 0.0;
  }
}

// ---------------------------------------------------------------- grad

@compute @workgroup_size(WG)
fn grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n * p.k) { return; }
  let n = i / p.k;
  var v = 0.0;
  if (mask[i] > 0.5) {
    let pt = exp(t[i] * p.inv_tau_t - stats[n * 4u]);
    let ps = exp(s[i] * p.inv_tau_s - stats[n * 4u + 1u]);
    v = g[0] * p.scale * (ps - pt);
  }
  ds[i] = v;
}
