// Graph aggregation over a known support: the passes of ./aggregate.wgsl when the adjacency's
// nonzero entries S (its support) are known before the pipeline is made. ST-GCN's partition A is
// a constant, so adj = A ∘ M is zero off A's support: 73 of 1,875 entries at NTU's 25 joints.
// This file is a template: src/ops/graphconv/support.ts declares the support's constants (V, K,
// NNZ, CMAX, SLOT) above it and writes each entry's straight-line body at its `// {{…}}` line,
// one pipeline set per support. The adjacency is read at constant offsets (one scalar and a
// broadcast on llvmpipe: docs/bench.md#what-bounds-a-matmul-on-llvmpipe), only the products of
// S are computed, and each sum adds its terms in the dense kernels' order (so the forward and the
// input gradient equal `agg_reg`'s bit for bit). Rows r = (n, c, t); x (N, C, T, V),
// xa (N, K, C, T, V) with channel k·C + c.
//   entry `sp_fwd`: xa[n,k,c,t,w] = Σ_{v: (k,v,w) ∈ S} x[n,c,t,v] · adj[k,v,w], v ascending.
//   entry `sp_dx`:  dx[n,c,t,v] = Σ_k Σ_{w: (k,v,w) ∈ S} dxa[n,k,c,t,w] · adj[k,v,w], (k, w) ascending.
//     One row per invocation, WG lanes, 1-D grid folded into 2-D.
//     Bindings: 0 params, 1 in0 (x or dxa), 2 in1 (adj, K·V·V), 3 out.
//   entry `sp_adj`: partial[s, e] = Σ_{rows of slice s} x[n,c,t,v_e] · dxa[n,k_e,c,t,w_e] for the
//     entries e of k = wid.y (S in (k, v, w) order): RWG lanes, lane l summing the rows
//     (n, ct = l, l + RWG, …) of the slice's samples, then a fixed-order sum over the lanes.
//     Bindings: 0 params, 1 in0 (x), 2 in1 (dxa), 3 out (slices, NNZ). Grid (slices, K, 1).
//     With p.expand = 1 (one slice) out is dadj (K, V, V) itself, 0 off the support.
//   entry `sp_expand`: dadj[f] = Σ_s partial[s, SLOT[f]] for the K·V·V dense entries f (0 off
//     the support, where SLOT[f] = NNZ), s ascending. One entry per invocation, WG lanes.
//     Bindings: 0 params, 1 in0 (partial), 3 out (K·V·V).
// #include "lib/flat_id.wgsl"

// rows: N·C·T; ct: C·T; n: N (sp_expand: slices); n_per_slice: sp_adj's samples per slice;
// expand: 1 where sp_adj writes the dense gradient itself
struct Params { rows: u32, ct: u32, n: u32, n_per_slice: u32, expand: u32 }
override WG: u32 = 64u;
override RWG: u32 = 8u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> in0: array<f32>;
@group(0) @binding(2) var<storage, read> in1: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn sp_fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let r = flat_id(wid, nwg, lid, WG);
  if (r >= p.rows) { return; }
  let n = r / p.ct;
  let xb = r * V;                              // x's row (n, c, t)
  let ob = (r + n * (K - 1u) * p.ct) * V;      // xa's row (n, k = 0, c, t)
  let ks = p.ct * V;                           // xa's stride from one k to the next
  var a: f32;
  // {{sp_fwd}}
}

@compute @workgroup_size(WG)
fn sp_dx(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let r = flat_id(wid, nwg, lid, WG);
  if (r >= p.rows) { return; }
  let n = r / p.ct;
  let gb = (r + n * (K - 1u) * p.ct) * V;      // dxa's row (n, k = 0, c, t)
  let ks = p.ct * V;
  let ob = r * V;                              // dx's row
  var a: f32;
  // {{sp_dx}}
}

// [lane][entry of this k]: RWG · CMAX floats must fit (checked on the host)
var<workgroup> red: array<f32, 4096>;

@compute @workgroup_size(RWG)
fn sp_adj(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let slice = wid.x;
  let k = wid.y;                               // workgroup-uniform
  let n_begin = slice * p.n_per_slice;
  let n_end = min(p.n, n_begin + p.n_per_slice);
  let ks = p.ct * V;
  var cnt = 0u;                                // this k's entries
  var off = 0u;                                // and the first one's index in S
  // {{sp_adj}}
  workgroupBarrier();
  if (p.expand == 1u) {
    // one slice: this k's V·V block of dadj itself, 0 off the support (no sp_expand to dispatch)
    for (var f = lid; f < V * V; f += RWG) {
      let e = SLOT[k * V * V + f];
      var s = 0.0;
      if (e < NNZ) {
        for (var l = 0u; l < RWG; l++) { s += red[l * CMAX + e - off]; }
      }
      out[k * V * V + f] = s;
    }
  } else {
    for (var e = lid; e < cnt; e += RWG) {
      var s = 0.0;
      for (var l = 0u; l < RWG; l++) { s += red[l * CMAX + e]; }
      out[slice * NNZ + off + e] = s;
    }
  }
}

@compute @workgroup_size(WG)
fn sp_expand(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let f = flat_id(wid, nwg, lid, WG);
  if (f >= K * V * V) { return; }
  let e = SLOT[f];
  var s = 0.0;
  if (e < NNZ) {
    for (var i = 0u; i < p.n; i++) { s += in0[i * NNZ + e]; }
  }
  out[f] = s;
}
