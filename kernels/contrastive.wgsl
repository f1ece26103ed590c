// Similarities against a memory queue and the fused InfoNCE (MoCo) loss — docs/method.md#moco, #imd.
// The queue Q is (d, K) row-major (feature × slot), x/q/k are (N, d) row-major.
//
// Bindings: 0 params, 1 q (N, d), 2 k (N, d), 3 queue Q (d, K), 4 logits (N, ld), 5 mask (N, K) or
// the placeholder, 6 stats (N, 4), 7 src, 8 partial, 9 g, 10 dq, 11 dk, 12 dx; each entry binds
// the ones it names.
// Entries (one pipeline each):
//   sim     logits[n, off + j] = q[n]·Q[:, j] (raw dot products; q may be any (N, d) rows) into a
//           matrix of row stride ld. 64×64 output tile per workgroup of 256 (4×4 outputs per invocation),
//           depth 16 staged in workgroup memory; grid (⌈K/64⌉, ⌈N/64⌉).
//   rows    InfoNCE forward per row: l_pos = q·k (written to logits[n, 0]), the masked
//           logsumexp over [l_pos, l_neg]/τ with an online max/sum per invocation, and
//           stats[n] = (lse, z_pos, lse − z_pos, 0) in units of logits/τ.
//           Reads q, k, mask; writes logits (N, K+1), stats.
//           One workgroup of 256 per row, 1-D grid folded into 2-D.
//   gradq   Split-K product partial[z, n, c] = Σ_{j ∈ chunk z} G[n, j]·Q[c, j], where G is
//           either softmax(logits/τ)[n, 1 + j] recomputed from the saved lse (0 where masked)
//           or, with flags bit 1, an explicit gradient matrix: src, the logits or that matrix;
//           partial (nchunks, N, d). 64(n)×64(c) tile per workgroup; grid (⌈d/64⌉, ⌈N/64⌉, nchunks).
//   finish  InfoNCE input gradients, one invocation per (n, c):
//           dq = g·scale·(Σ_z partial + (p_pos − 1)·k),  dk = g·scale·(p_pos − 1)·q, scale = 1/(Nτ).
//           g is the scalar upstream gradient.
//   simfin  Gradient of `sim`: dx = Σ_z partial.
//   probs   G itself, dense (N, K) into partial (the software adapters' backward, then a gemm).
// #include "lib/flat_id.wgsl"

// #include "lib/contrastive_params.wgsl"

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;
const WG: u32 = 256u;

var<workgroup> ta: array<f32, 1024>;  // DEPTH × TILE, row index fastest
var<workgroup> tb: array<f32, 1024>;  // DEPTH × TILE, column index fastest

// ---------------------------------------------------------------- sim
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> queue: array<f32>;
@group(0) @binding(4) var<storage, read_write> logits: array<f32>;
@group(0) @binding(5) var<storage, read> mask: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;
@group(0) @binding(7) var<storage, read> src: array<f32>;
@group(0) @binding(8) var<storage, read_write> partial: array<f32>;
@group(0) @binding(9) var<storage, read> g: array<f32>;
@group(0) @binding(10) var<storage, read_write> dq: array<f32>;
@group(0) @binding(11) var<storage, read_write> dk: array<f32>;
@group(0) @binding(12) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn sim(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j0 = wid.x * TILE;
  let n0 = wid.y * TILE;
  let tx = lid % 16u;
  let ty = lid / 16u;
  var acc: array<f32, 16>;
  for (var c0 = 0u; c0 < p.d; c0 += DEPTH) {
    for (var r = 0u; r < 4u; r++) {
      let e = lid + r * WG;
      // x tile (64 rows × 16 features): 16 consecutive features of one row per 16 invocations
      let xr = e / DEPTH;
      let xc = e % DEPTH;
      var v = 0.0;
      if (n0 + xr < p.n && c0 + xc < p.d) { v = q[(n0 + xr) * p.d + c0 + xc]; }
      ta[xc * TILE + xr] = v;
      // Q tile (16 features × 64 slots): consecutive slots, coalesced
      let qc = e / TILE;
      let qj = e % TILE;
      var w = 0.0;
      if (c0 + qc < p.d && j0 + qj < p.k) { w = queue[(c0 + qc) * p.k + j0 + qj]; }
      tb[qc * TILE + qj] = w;
    }
    workgroupBarrier();
    for (var c = 0u; c < DEPTH; c++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = ta[c * TILE + ty + 16u * i]; b[i] = tb[c * TILE + tx + 16u * i]; }
      for (var i = 0u; i < 4u; i++) {
        for (var jj = 0u; jj < 4u; jj++) { acc[i * 4u + jj] += a[i] * b[jj]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = n0 + ty + 16u * i;
    for (var jj = 0u; jj < 4u; jj++) {
      let col = j0 + tx + 16u * jj;
      if (row < p.n && col < p.k) { logits[row * p.ld + p.off + col] = acc[i * 4u + jj]; }
    }
  }
}

// ---------------------------------------------------------------- rows

var<workgroup> red_m: array<f32, WG>;
var<workgroup> red_s: array<f32, WG>;
// #include "lib/online_lse.wgsl"

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * nwg.x;
  if (n >= p.n) { return; }  // uniform per workgroup
  // positive logit q·k
  var dot = 0.0;
  for (var c = lid; c < p.d; c += WG) { dot += q[n * p.d + c] * k[n * p.d + c]; }
  red_s[lid] = dot;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red_s[lid] += red_s[lid + s]; }
    workgroupBarrier();
  }
  let lpos = red_s[0];
  workgroupBarrier();  // everyone has read red_s[0] before it is reused
  let z0 = lpos * p.inv_tau;
  let ms = online_lse(n, lid, z0);
  red_m[lid] = ms.x;
  red_s[lid] = ms.y;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let m1 = red_m[lid];
      let m2 = red_m[lid + s];
      let mm = max(m1, m2);
      red_s[lid] = red_s[lid] * exp(m1 - mm) + red_s[lid + s] * exp(m2 - mm);
      red_m[lid] = mm;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let lse = red_m[0] + log(red_s[0]);
    if (p.off > 0u) { logits[n * p.ld] = lpos; }
    stats[n * 4u] = lse;
    stats[n * 4u + 1u] = z0;
    stats[n * 4u + 2u] = lse - z0;
    stats[n * 4u + 3u] = 0.0;
  }
}

// ---------------------------------------------------------------- gradq

fn grad_of(n: u32, j: u32) -> f32 {
  let v = src[n * p.ld + p.off + j];
  if ((p.flags & 2u) != 0u) { return v; }
  if ((p.flags & 1u) != 0u && mask[n * p.k + j] > 0.5) { return 0.0; }
  return exp(v * p.inv_tau - stats[n * 4u]);
}

@compute @workgroup_size(WG)
fn gradq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let c0 = wid.x * TILE;
  let n0 = wid.y * TILE;
  let z = wid.z;
  let jbeg = z * p.chunk;
  let jend = min(jbeg + p.chunk, p.k);
  let tx = lid % 16u;
  let ty = lid / 16u;
  var acc: array<f32, 16>;
  for (var jt = jbeg; jt < jend; jt += DEPTH) {
    for (var r = 0u; r < 4u; r++) {
      let e = lid + r * WG;
      let rr = e / DEPTH;  // row (n) or feature (c) within the tile
      let jj = e % DEPTH;  // slot within the depth step
      var v = 0.0;
      if (n0 + rr < p.n && jt + jj < jend) { v = grad_of(n0 + rr, jt + jj); }
      ta[jj * TILE + rr] = v;
      var w = 0.0;
      if (c0 + rr < p.d && jt + jj < jend) { w = queue[(c0 + rr) * p.k + jt + jj]; }
      tb[jj * TILE + rr] = w;
    }
    workgroupBarrier();
    for (var j = 0u; j < DEPTH; j++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = ta[j * TILE + ty + 16u * i]; b[i] = tb[j * TILE + tx + 16u * i]; }
      for (var i = 0u; i < 4u; i++) {
        for (var cc = 0u; cc < 4u; cc++) { acc[i * 4u + cc] += a[i] * b[cc]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let row = n0 + ty + 16u * i;
    for (var cc = 0u; cc < 4u; cc++) {
      let col = c0 + tx + 16u * cc;
      if (row < p.n && col < p.d) { partial[(z * p.n + row) * p.d + col] = acc[i * 4u + cc]; }
    }
  }
}

// ---------------------------------------------------------------- probs
// G itself, dense (N, K) into partial, for a gemm to take G·Qᵀ (the software adapters' backward):
// one invocation per (n, j), 1-D grid folded into 2-D.
@compute @workgroup_size(WG)
fn probs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n * p.k) { return; }
  partial[i] = grad_of(i / p.k, i % p.k);
}

// ---------------------------------------------------------------- finish

@compute @workgroup_size(WG)
fn finish(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n * p.d) { return; }
  let n = i / p.d;
  var sum = 0.0;
  for (var z = 0u; z < p.nchunks; z++) { sum += partial[z * p.n * p.d + i]; }
  let coef = g[0] * p.scale;
  let ppos = exp(stats[n * 4u + 1u] - stats[n * 4u]) - 1.0;
  dq[i] = coef * (sum + ppos * k[i]);
  dk[i] = coef * ppos * q[i];
}

// ---------------------------------------------------------------- simfin

@compute @workgroup_size(WG)
fn simfin(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n * p.d) { return; }
  var sum = 0.0;
  for (var z = 0u; z < p.nchunks; z++) { sum += partial[z * p.n * p.d + i]; }
  dx[i] = sum;
}
