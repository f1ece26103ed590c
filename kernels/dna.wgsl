// Dynamic neighbour aggregation (DNA, docs/method.md#dna): the cluster-level positive of each key.
// For row n with similarities w = k'·Q' (N, K) and top = the 0/1 mask of its top-k_dna slots:
//   neighbours = { j : top[n, j] = 1 and w[n, j] ≥ δ }   (possibly none)
//   α = softmax(w_nbrs / τ_agg) · mean(w_nbrs)
//   c[n] = normalize(k'[n] + Σ_j α_j Q'[:, j]);   nbr[n, j] = 1 on the neighbours, else 0.
// Bindings: 0 params, 1 w, 2 top, 3 kc (N, d), 4 Q' (d, K), 5 c (N, d), 6 nbr (N, K).
// One workgroup of WG per row (1-D grid folded into 2-D). Neighbours are gathered into workgroup
// memory with an atomic counter, then put in slot order (rank = number of smaller slot indices)
// so the sum Σ α_j Q'_j runs in a fixed order and the result is deterministic. At most MAXN
// neighbours (the host checks k_dna ≤ MAXN).

struct Params { n: u32, d: u32, k: u32, inv_tau: f32, delta: f32 }
const WG: u32 = 256u;
const MAXN: u32 = 256u;
const NEG: f32 = -3.4028234e38;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> top: array<f32>;
@group(0) @binding(3) var<storage, read> kc: array<f32>;
@group(0) @binding(4) var<storage, read> queue: array<f32>;
@group(0) @binding(5) var<storage, read_write> c: array<f32>;
@group(0) @binding(6) var<storage, read_write> nbr: array<f32>;

var<workgroup> counter: atomic<u32>;
var<workgroup> count_plain: u32;
var<workgroup> found: array<u32, MAXN>;
var<workgroup> slots: array<u32, MAXN>;
var<workgroup> alpha: array<f32, MAXN>;
var<workgroup> red: array<f32, WG>;

fn tree_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (lid < h) { red[lid] += red[lid + h]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn tree_max(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (lid < h) { red[lid] = max(red[lid], red[lid + h]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= p.n) { return; }  // uniform per workgroup
  if (lid == 0u) { atomicStore(&counter, 0u); }
  workgroupBarrier();
  let base = n * p.k;
  for (var j = lid; j < p.k; j += WG) {
    let sel = top[base + j] > 0.5 && w[base + j] >= p.delta;
    nbr[base + j] = select(0.0, 1.0, sel);
    if (sel) {
      let at = atomicAdd(&counter, 1u);
      if (at < MAXN) { found[at] = j; }
    }
  }
  workgroupBarrier();
  if (lid == 0u) { count_plain = min(atomicLoad(&counter), MAXN); }
  let count = workgroupUniformLoad(&count_plain);
  // slot order: rank of each found slot among the found ones
  if (lid < count) {
    let j = found[lid];
    var rank = 0u;
    for (var i = 0u; i < count; i++) { if (found[i] < j) { rank++; } }
    slots[rank] = j;
  }
  workgroupBarrier();
  var wv = NEG;
  if (lid < count) { wv = w[base + slots[lid]]; }
  let wmax = tree_max(lid, wv);
  var e = 0.0;
  if (lid < count) { e = exp((wv - wmax) * p.inv_tau); }
  let esum = tree_sum(lid, e);
  let wsum = tree_sum(lid, select(0.0, wv, lid < count));
  if (lid < count) { alpha[lid] = e / esum * (wsum / f32(count)); }
  workgroupBarrier();
  var sq = 0.0;
  for (var ch = lid; ch < p.d; ch += WG) {
    var acc = kc[n * p.d + ch];
    for (var i = 0u; i < count; i++) { acc += alpha[i] * queue[ch * p.k + slots[i]]; }
    c[n * p.d + ch] = acc;
    sq += acc * acc;
  }
  let norm = sqrt(tree_sum(lid, sq));
  let inv = 1.0 / max(norm, 1e-12);
  for (var ch = lid; ch < p.d; ch += WG) { c[n * p.d + ch] = c[n * p.d + ch] * inv; }
}
