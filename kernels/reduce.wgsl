// Reduction of the middle axis of x viewed as (outer, R, inner) → out (outer, inner).
// op: 0 sum, 1 mean, 2 max (and argmax into idx), 3 logsumexp.
// Bindings: 0 params, 1 x, 2 out (f32), 3 idx (i32; argmax only, a placeholder otherwise).
// Entry `rows` (inner = 1, R large): one workgroup of WG per output, strided partial results then a
//   tree in workgroup memory; ties in argmax go to the lowest index.
// Entry `cols` (any inner): one invocation per output, a sequential loop over R whose loads are
//   contiguous across neighbouring invocations.
// #include "lib/flat_id.wgsl"

struct Params { outer: u32, r: u32, inner: u32, op: u32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> idx: array<i32>;

var<workgroup> vals: array<f32, WG>;
var<workgroup> args: array<i32, WG>;

const NEG_INF: f32 = -3.4028234e38;

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.outer) { return; }  // uniform per workgroup, so barriers stay uniform
  let base = row * p.r;
  // pass 1: max (for max/argmax/logsumexp) or sum
  var acc: f32 = select(0.0, NEG_INF, p.op >= 2u);
  var arg: i32 = -1;
  for (var j = lid; j < p.r; j += WG) {
    let v = x[base + j];
    if (p.op >= 2u) { if (v > acc || arg < 0) { acc = v; arg = i32(j); } } else { acc += v; }
  }
  vals[lid] = acc; args[lid] = arg;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      if (p.op >= 2u) {
        let o = vals[lid + s]; let oa = args[lid + s];
        if (oa >= 0 && (o > vals[lid] || (o == vals[lid] && oa < args[lid]) || args[lid] < 0)) { vals[lid] = o; args[lid] = oa; }
      } else { vals[lid] += vals[lid + s]; }
    }
    workgroupBarrier();
  }
  let m = vals[0];
  if (p.op != 3u) {
    if (lid == 0u) {
      out[row] = select(m, m / f32(p.r), p.op == 1u);
      if (p.op == 2u) { idx[row] = args[0]; }
    }
    return;
  }
  workgroupBarrier();
  // pass 2 (logsumexp): Σ exp(x − max)
  var s2: f32 = 0.0;
  for (var j = lid; j < p.r; j += WG) { s2 += exp(x[base + j] - m); }
  vals[lid] = s2;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { vals[lid] += vals[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[row] = m + log(vals[0]); }
}

@compute @workgroup_size(WG)
fn cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = flat_id(wid, nwg, lid, WG);
  if (o >= p.outer * p.inner) { return; }
  let a = o / p.inner;
  let i = o % p.inner;
  let base = a * p.r * p.inner + i;
  if (p.op < 2u) {
    var acc: f32 = 0.0;
    for (var j = 0u; j < p.r; j++) { acc += x[base + j * p.inner]; }
    out[o] = select(acc, acc / f32(p.r), p.op == 1u);
    return;
  }
  var m: f32 = x[base];
  var arg: i32 = 0;
  var s: f32 = 1.0;  // running Σ exp(x − m) for logsumexp
  for (var j = 1u; j < p.r; j++) {
    let v = x[base + j * p.inner];
    if (v > m) { s = s * exp(m - v) + 1.0; m = v; arg = i32(j); } else { s += exp(v - m); }
  }
  if (p.op == 2u) { out[o] = m; idx[o] = arg; } else { out[o] = m + log(s); }
}
