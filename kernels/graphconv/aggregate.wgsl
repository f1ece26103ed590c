// Graph aggregation of ST-GCN's graph convolution. PyTorch computes conv1×1 then aggregates;
// because both are linear we aggregate first, then mix channels (the 1×1 case of
// src/ops/tconv): the intermediate is (N, K·Cin, T, V) instead of (N, K·Cout, T, V),
// and the aggregation costs K·Cin·V² instead of K·Cout·V² per (n, t).
// With x (N, C, T, V), xa (N, K, C, T, V) and the effective adjacency adj = A ∘ M (K, V, V):
//   entry `aggregate`, p.mode 0 (forward):  xa[n,k,c,t,w] = Σ_v x[n,c,t,v] · adj[k,v,w]
//                      p.mode 1 (x grad):   dx[n,c,t,v]   = Σ_k Σ_w dxa[n,k,c,t,w] · adj[k,v,w]
//     one invocation per output element; 1-D grid folded into 2-D.
//     Bindings: 0 params, 1 in0 (x or dxa), 2 in1 (adj), 3 out.
//   entry `adj_grad`: partial dadj[s,k,v,w] = Σ_{rows r=(n,c,t) in slice s} x[n,c,t,v] · dxa[n,k,c,t,w]
//     one workgroup of 256 per (k = wid.x, slice s = wid.y); rows are staged RB at a time in
//     workgroup memory, each invocation owns the (v, w) pairs lid + 256·j; V ≤ 64. The host sums
//     the slices. Bindings: 0 params, 1 in0 (x), 2 in1 (dxa), 3 out (S, K, V, V).
// #include "lib/flat_id.wgsl"

struct Params { mode: u32, n: u32, k: u32, c: u32, t: u32, v: u32, chunk: u32, total: u32 }
override WG: u32 = 256u;
const VMAX: u32 = 64u;
const RB: u32 = 32u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn aggregate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let o = flat_id(wid, nwg, lid, WG);
  if (o >= p.total) { return; }
  let V = p.v;
  let ct_size = p.c * p.t;
  var acc = 0.0;
  if (p.mode == 0u) {
    let w = o % V;
    let rest = o / V;                      // (n, k, c, t)
    let ct = rest % ct_size;
    let nk = rest / ct_size;
    let k = nk % p.k;
    let n = nk / p.k;
    let xrow = (n * ct_size + ct) * V;
    let acol = k * V * V + w;
    for (var v = 0u; v < V; v++) { acc = fma(in0[xrow + v], in1[acol + v * V], acc); }
  } else {
    let v = o % V;
    let row = o / V;                       // (n, c, t)
    let n = row / ct_size;
    let ct = row - n * ct_size;
    for (var k = 0u; k < p.k; k++) {
      let grow = ((n * p.k + k) * ct_size + ct) * V;
      let arow = (k * V + v) * V;
      for (var w = 0u; w < V; w++) { acc = fma(in0[grow + w], in1[arow + w], acc); }
    }
  }
  out[o] = acc;
}

var<workgroup> zs: array<f32, 2048>;  // [RB][VMAX] rows of x
var<workgroup> ds: array<f32, 2048>;  // [RB][VMAX] rows of dxa (this k)

@compute @workgroup_size(256)
fn adj_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let k = wid.x;
  let slice = wid.y;
  let V = p.v;
  let VV = V * V;
  let ct_size = p.c * p.t;
  let rows = p.n * ct_size;
  let r_begin = slice * p.chunk;
  let r_end = min(rows, r_begin + p.chunk);
  var acc: array<f32, 16>;
  for (var j = 0u; j < 16u; j++) { acc[j] = 0.0; }
  for (var r0 = r_begin; r0 < r_end; r0 += RB) {
    for (var s = 0u; s < RB * VMAX / 256u; s++) {
      let e = lid + 256u * s;              // RB·VMAX slots, 8 per invocation
      let rr = e / VMAX;
      let vv = e % VMAX;
      let r = r0 + rr;
      var zv = 0.0;
      var dv = 0.0;
      if (vv < V && r < r_end) {
        let n = r / ct_size;
        let ct = r - n * ct_size;
        zv = in0[r * V + vv];
        dv = in1[((n * p.k + k) * ct_size + ct) * V + vv];
      }
      zs[e] = zv;
      ds[e] = dv;
    }
    workgroupBarrier();
    for (var j = 0u; j < 16u; j++) {
      let e = lid + 256u * j;
      if (e < VV) {
        let v = e / V;
        let w = e - v * V;
        var a = acc[j];
        for (var rr = 0u; rr < RB; rr++) { a = fma(zs[rr * VMAX + v], ds[rr * VMAX + w], a); }
        acc[j] = a;
      }
    }
    workgroupBarrier();
  }
  for (var j = 0u; j < 16u; j++) {
    let e = lid + 256u * j;
    if (e < VV) { out[(slice * p.k + k) * VV + e] = acc[j]; }
  }
}

// ---- register-blocked variants for CPU-like adapters (llvmpipe): no workgroup memory in the
// loops, no division there, TR × TW outputs per invocation (see kernels/matmul/matmul.wgsl's `reg`).
//   entry `agg_reg`, q.mode 0: xa as above; rows r = (n,c,t) along lanes (lid + WG·j of the
//     workgroup's TR·WG rows), columns (k, w0 … w0+TW) from grid y = k·nwb + w-block: the
//     adjacency loads are the same for every lane. q.mode 1: dx as above; columns v0 … v0+TW
//     from grid y, reduction over (k, w). Edge rows/columns are clamped for loading.
//     Bindings: 0 params, 1 in0 (x or dxa), 2 in1 (adj), 3 out. Grid: (row groups from q.r0, cols, 1).
//   entry `adj_reg`: partial dadj as `adj_grad`, one workgroup per (slice, v-block, k·nwb + w-block);
//     each lane accumulates rows (n, ct = lid, lid + RWG, …) of the slice's samples in registers,
//     then one fixed-order workgroup sum (deterministic), lane l summing outputs l, l + RWG, …
//     (so RWG may be fewer than TR·TW: 8 lanes, one llvmpipe SIMD group, make the sum's barrier
//     free there: docs/bench.md#software-adapters). Bindings as `adj_grad`.
struct RegParams {
  mode: u32, n: u32, k: u32, ct: u32,
  v: u32, rows: u32, nwb: u32, r0: u32,
  n_per_slice: u32,
}
override TR: u32 = 8u;
override TW: u32 = 8u;
override RWG: u32 = 64u;
@group(0) @binding(0) var<uniform> q: RegParams;

@compute @workgroup_size(RWG)
fn agg_reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let V = q.v;
  let rbase = q.r0 + wid.x * RWG * TR + lid;
  let kk = wid.y / q.nwb;                      // workgroup-uniform
  let c0 = (wid.y - kk * q.nwb) * TW;
  var rn: array<u32, 8>;                       // my rows' n
  var rct: array<u32, 8>;                      // and (c, t)
  for (var j = 0u; j < TR; j++) {
    let r = min(rbase + RWG * j, q.rows - 1u);
    rn[j] = r / q.ct;
    rct[j] = r - rn[j] * q.ct;
  }
  var cc: array<u32, 8>;                       // my columns, clamped
  for (var i = 0u; i < TW; i++) { cc[i] = min(c0 + i, V - 1u); }
  var acc: array<array<f32, 8>, 8>;
  if (q.mode == 0u) {
    var xo: array<u32, 8>;
    for (var j = 0u; j < TR; j++) { xo[j] = (rn[j] * q.ct + rct[j]) * V; }
    let ak = kk * V * V;
    for (var v = 0u; v < V; v++) {
      var xs: array<f32, 8>;
      for (var j = 0u; j < TR; j++) { xs[j] = in0[xo[j] + v]; }
      for (var i = 0u; i < TW; i++) {
        let a = in1[ak + v * V + cc[i]];
        for (var j = 0u; j < TR; j++) { acc[j][i] = fma(xs[j], a, acc[j][i]); }
      }
    }
  } else {
    for (var k = 0u; k < q.k; k++) {
      var go: array<u32, 8>;
      for (var j = 0u; j < TR; j++) { go[j] = ((rn[j] * q.k + k) * q.ct + rct[j]) * V; }
      var ao: array<u32, 8>;
      for (var i = 0u; i < TW; i++) { ao[i] = (k * V + cc[i]) * V; }
      for (var w = 0u; w < V; w++) {
        var gs: array<f32, 8>;
        for (var j = 0u; j < TR; j++) { gs[j] = in0[go[j] + w]; }
        for (var i = 0u; i < TW; i++) {
          let a = in1[ao[i] + w];
          for (var j = 0u; j < TR; j++) { acc[j][i] = fma(gs[j], a, acc[j][i]); }
        }
      }
    }
  }
  for (var j = 0u; j < TR; j++) {
    if (rbase + RWG * j >= q.rows) { continue; }
    var ob: u32;
    if (q.mode == 0u) { ob = ((rn[j] * q.k + kk) * q.ct + rct[j]) * V; } else { ob = (rn[j] * q.ct + rct[j]) * V; }
    for (var i = 0u; i < TW; i++) {
      if (c0 + i < V) { out[ob + c0 + i] = acc[j][i]; }
    }
  }
}

var<workgroup> red: array<f32, 4096>;   // [lane][TR·TW]

@compute @workgroup_size(RWG)
fn adj_reg(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let V = q.v;
  let slice = wid.x;
  let v0 = wid.y * TR;
  let kk = wid.z / q.nwb;                      // workgroup-uniform
  let w0 = (wid.z - kk * q.nwb) * TW;
  let n_begin = slice * q.n_per_slice;
  let n_end = min(q.n, n_begin + q.n_per_slice);
  var vv: array<u32, 8>;
  var ww: array<u32, 8>;
  for (var i = 0u; i < TR; i++) { vv[i] = min(v0 + i, V - 1u); }
  for (var j = 0u; j < TW; j++) { ww[j] = min(w0 + j, V - 1u); }
  var acc: array<array<f32, 8>, 8>;
  for (var n = n_begin; n < n_end; n++) {
    let xn = n * q.ct * V;
    let gn = (n * q.k + kk) * q.ct * V;
    for (var base = 0u; base < q.ct; base += RWG) {
      let ct0 = base + lid;
      let ok = ct0 < q.ct;
      let ct = min(ct0, q.ct - 1u);
      var xs: array<f32, 8>;
      for (var i = 0u; i < TR; i++) { xs[i] = select(0.0, in0[xn + ct * V + vv[i]], ok); }
      for (var j = 0u; j < TW; j++) {
        let d = in1[gn + ct * V + ww[j]];
        for (var i = 0u; i < TR; i++) { acc[i][j] = fma(xs[i], d, acc[i][j]); }
      }
    }
  }
  let tile = TR * TW;
  for (var i = 0u; i < TR; i++) {
    for (var j = 0u; j < TW; j++) { red[lid * tile + i * TW + j] = acc[i][j]; }
  }
  workgroupBarrier();
  for (var e = lid; e < tile; e += RWG) {
    var s = 0.0;
    for (var l = 0u; l < RWG; l++) { s += red[l * tile + e]; }
    let v = v0 + e / TW;
    let w = w0 + e % TW;
    if (v < V && w < V) { out[((slice * q.k + kk) * V + v) * V + w] = s; }
  }
}
