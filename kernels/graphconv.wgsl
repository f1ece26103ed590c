// Graph aggregation of ST-GCN's graph convolution. PyTorch computes conv1×1 then aggregates;
// because both are linear we aggregate first, then mix channels (the 1×1 case of
// kernels/temporalconv.wgsl): the intermediate is (N, K·Cin, T, V) instead of (N, K·Cout, T, V),
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
