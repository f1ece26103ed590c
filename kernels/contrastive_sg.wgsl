// The InfoNCE row pass of kernels/contrastive.wgsl (`rows`: l_pos = q·k, the masked logsumexp
// over [l_pos, l_neg]/τ, stats (lse, z_pos, lse − z_pos, 0)) with subgroup reductions, for
// devices with the `subgroups` feature: each subgroup combines its invocations' partial dot
// products and online (max, sum) pairs with subgroupAdd / subgroupMax, its first invocation
// stores one pair, and invocation 0 folds the WG / subgroup_size pairs in order — one barrier per
// stage instead of the log2(WG) rounds of the workgroup tree. Subgroup k is taken to hold the
// invocations k·size … (k+1)·size − 1 (as on the GPUs and Mesa drivers seen so far); `tune`
// compares this variant against `rows` before storing it, and `doctor` runs its test.
// Bindings as `rows`: 0 params, 1 q, 2 k, 4 logits, 5 mask or the placeholder, 6 stats.
// One workgroup of WG per row, 1-D grid folded into 2-D.
enable subgroups;
// #include "lib/contrastive_params.wgsl"

const WG: u32 = 256u;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read_write> logits: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;

// #include "lib/online_lse.wgsl"

var<workgroup> part_m: array<f32, WG>;     // one (max, sum) or dot per subgroup
var<workgroup> part_s: array<f32, WG>;

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) sid: u32,
        @builtin(subgroup_size) ssize: u32) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= p.n) { return; }  // uniform per workgroup
  let sg = lid / ssize;
  let nsg = (WG + ssize - 1u) / ssize;
  // positive logit q·k
  var dot = 0.0;
  for (var c = lid; c < p.d; c += WG) { dot += q[n * p.d + c] * k[n * p.d + c]; }
  let sdot = subgroupAdd(dot);
  if (sid == 0u) { part_s[sg] = sdot; }
  workgroupBarrier();
  var lpos = 0.0;
  for (var i = 0u; i < nsg; i++) { lpos += part_s[i]; }   // every invocation, the same order
  workgroupBarrier();  // everyone has read part_s before it is reused
  let z0 = lpos * p.inv_tau;
  let ms = online_lse(n, lid, z0);
  let mm = subgroupMax(ms.x);
  let ss = subgroupAdd(ms.y * exp(ms.x - mm));
  if (sid == 0u) { part_m[sg] = mm; part_s[sg] = ss; }
  workgroupBarrier();
  if (lid == 0u) {
    var M = part_m[0];
    var S = part_s[0];
    for (var i = 1u; i < nsg; i++) {
      let m2 = part_m[i];
      let top = max(M, m2);
      S = S * exp(M - top) + part_s[i] * exp(m2 - top);
      M = top;
    }
    let lse = M + log(S);
    if (p.off > 0u) { logits[n * p.ld] = lpos; }
    stats[n * 4u] = lse;
    stats[n * 4u + 1u] = z0;
    stats[n * 4u + 2u] = lse - z0;
    stats[n * 4u + 3u] = 0.0;
  }
}
