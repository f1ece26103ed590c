// Gather and scatter-add along one axis of a tensor viewed as (outer, A, inner), with an int32
// index list idx of K entries.
// Entry `gather`:  selected[o, k, j] = x[o, idx[k], j]   (0 where idx[k] is outside [0, A)).
//   Moves raw 32-bit words, so f32 and i32 tensors both work. One invocation per output element.
// Scatter-add, entries `csr` then `scatter`:
//   out[o, a, j] = base[o, a, j] + Σ_{k : idx[k] = a} src[o, k, j]      (base = 0 when has_base = 0)
//   Deterministic without float atomics (WGSL has none): `csr` inverts the index list, one
//   invocation per destination a, into ranges[2a .. 2a+1] = [#{k : 0 ≤ idx[k] < a}, + #{k : idx[k] = a})
//   and list[ranges[2a] + r] = the r-th k with idx[k] = a, in increasing k (a stable counting sort
//   without a scan: each a counts the smaller indices itself, O(A·K) comparisons once per call);
//   `scatter` then gives every destination element to one invocation, which adds its sources in
//   that order — so repeated indices produce the same bits on every run, and the adds cost
//   O(outer·(A + K)·inner) whatever the repeats.
// Bindings: 0 params, 1 x, 2 idx, 3 selected (gather's output), 4 ranges (u32, 2A), 5 list (u32, K),
//   6 base (placeholder if has_base = 0), 7 src, 8 out. gather reads x, idx and writes selected;
//   csr reads idx and writes ranges, list; scatter reads base, ranges, list, src and writes out.
// Workgroup: WG invocations, one output element (csr: one destination index) each, 1-D grids
//   folded into 2-D by the host.
// #include "lib/flat_id.wgsl"

struct Params { outer: u32, a: u32, inner: u32, k: u32, has_base: u32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;

@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> selected: array<u32>;
@group(0) @binding(4) var<storage, read_write> ranges: array<u32>;
@group(0) @binding(5) var<storage, read_write> list: array<u32>;
@group(0) @binding(6) var<storage, read> base: array<f32>;
@group(0) @binding(7) var<storage, read> src: array<f32>;
@group(0) @binding(8) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.outer * p.k * p.inner) { return; }
  let j = i % p.inner;
  let k = (i / p.inner) % p.k;
  let o = i / (p.inner * p.k);
  let a = idx[k];
  var v = 0u;
  if (a >= 0 && u32(a) < p.a) {
    let at = (o * p.a + u32(a)) * p.inner + j;
    if (at < arrayLength(&x)) { v = x[at]; }
  }
  selected[i] = v;
}


@compute @workgroup_size(WG)
fn csr(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let a = flat_id(wid, nwg, lid, WG);
  if (a >= p.a) { return; }
  let ai = i32(a);
  var start = 0u;
  var count = 0u;
  for (var k = 0u; k < p.k; k++) {
    let v = idx[k];
    if (v >= 0 && v < ai) { start++; }
    if (v == ai) { count++; }
  }
  ranges[2u * a] = start;
  ranges[2u * a + 1u] = start + count;
  var at = start;
  for (var k = 0u; k < p.k && at < start + count; k++) {
    if (idx[k] == ai) { list[at] = k; at++; }
  }
}


@compute @workgroup_size(WG)
fn scatter(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let e = flat_id(wid, nwg, lid, WG);
  if (e >= p.outer * p.a * p.inner) { return; }
  let j = e % p.inner;
  let a = (e / p.inner) % p.a;
  let o = e / (p.inner * p.a);
  var acc = 0.0;
  if (p.has_base == 1u) { acc = base[e]; }
  let hi = min(ranges[2u * a + 1u], p.k);
  for (var q = ranges[2u * a]; q < hi; q++) {
    acc += src[(o * p.k + list[q]) * p.inner + j];
  }
  out[e] = acc;
}
