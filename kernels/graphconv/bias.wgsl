// The per-joint bias of ST-GCN's graph convolution (src/ops/graphconv/bias.ts `jointBias`). Mixing
// after the aggregation turns the 1×1 conv's bias b (K·Cout) into a bias per output channel and
// joint, through the column sums of the K adjacency matrices adj (K, V, V):
//   entry `forward`:  b2[c, w] = Σ_k b[k·Cout + c] · Σ_v adj[k, v, w]            (Cout × V)
//   entry `backward`: from g = ∂L/∂b2 (Cout × V), both gradients in one dispatch:
//     invocations [0, K·Cout):       db[k·Cout + c]  = Σ_w g[c, w] · Σ_v adj[k, v, w]
//     invocations [K·Cout, + K·V·V): dadj[k, v, w]   = Σ_c b[k·Cout + c] · g[c, w]   (the same for every v)
// One dispatch each instead of the 3 forward and ≈ 7 backward elementwise ops and reductions the
// formula costs as separate ops; the sizes are tiny (≤ 64 joints, a few hundred channels), so
// each invocation sums its terms alone, in a fixed order.
// Bindings: 0 params, 1 b, 2 adj, 3 b2, 4 g, 5 db, 6 dadj; forward writes b2 from b and adj,
// backward writes db and dadj from b, adj and g.
// Workgroup: WG invocations, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params { k: u32, cout: u32, v: u32 }
override WG: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> adj: array<f32>;
@group(0) @binding(3) var<storage, read_write> b2: array<f32>;
@group(0) @binding(4) var<storage, read> g: array<f32>;
@group(0) @binding(5) var<storage, read_write> db: array<f32>;
@group(0) @binding(6) var<storage, read_write> dadj: array<f32>;

fn colsum(k: u32, w: u32) -> f32 {
  var s = 0.0;
  for (var v = 0u; v < p.v; v++) { s += adj[(k * p.v + v) * p.v + w]; }
  return s;
}

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let o = flat_id(wid, nwg, lid, WG);
  if (o >= p.cout * p.v) { return; }
  let c = o / p.v;
  let w = o % p.v;
  var s = 0.0;
  for (var k = 0u; k < p.k; k++) { s += b[k * p.cout + c] * colsum(k, w); }
  b2[o] = s;
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let o = flat_id(wid, nwg, lid, WG);
  let nb = p.k * p.cout;
  if (o < nb) {
    let k = o / p.cout;
    let c = o % p.cout;
    var s = 0.0;
    for (var w = 0u; w < p.v; w++) { s += g[c * p.v + w] * colsum(k, w); }
    db[o] = s;
    return;
  }
  let e = o - nb;                               // (k, v, w)
  if (e >= p.k * p.v * p.v) { return; }
  let k = e / (p.v * p.v);
  let w = e % p.v;
  var s = 0.0;
  for (var c = 0u; c < p.cout; c++) { s += b[k * p.cout + c] * g[c * p.v + w]; }
  dadj[e] = s;
}
