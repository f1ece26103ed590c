// Strided copy: the one kernel behind permute, slice, pad, concat and expand.
// For every flat index i of an iteration space of `rank` dims (p.shape, row-major), with
// coordinates c[k]:
//   dst[dbase + Σ c[k]·ds[k]] = src[sbase + Σ c[k]·ss[k]]   if lo[k] ≤ c[k] < hi[k] for every k
//                             = fill                         otherwise (padding)
// permute: ss = permuted source strides; slice: sbase = start·stride; pad: lo/hi mark the copied
// region and sbase = −Σ lo[k]·ss[k] (u32 arithmetic wraps, so the sum is right wherever it is
// used); concat: one dispatch per input with dst strides of the output; expand: ss = 0 along
// broadcast dims. Data move as raw 32-bit words, so f32 and i32 tensors copy bit-exactly
// (no float canonicalisation or denormal flushing of integer bit patterns).
// Bindings: 0 params, 1 src (u32 words), 2 dst (u32 words).
// Workgroup: WG invocations, one destination element each, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"
// #include "lib/broadcast.wgsl"

struct Params {
  n: u32, rank: u32, sbase: u32, dbase: u32,
  fill: u32, check: u32, _pad0: u32, _pad1: u32,   // fill = bit pattern; check = 1: test lo/hi
  shape: array<vec4<u32>, 2>,
  ss: array<vec4<u32>, 2>,
  ds: array<vec4<u32>, 2>,
  lo: array<vec4<u32>, 2>,
  hi: array<vec4<u32>, 2>,
}
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.n) { return; }
  var rest = i;
  var so = p.sbase;
  var dof = p.dbase;
  var inside = true;
  for (var k = i32(p.rank) - 1; k >= 0; k--) {
    let kk = u32(k);
    let d = dim_of(p.shape, kk);
    let c = rest % d;
    rest /= d;
    so += c * dim_of(p.ss, kk);
    dof += c * dim_of(p.ds, kk);
    if (p.check == 1u) { inside = inside && c >= dim_of(p.lo, kk) && c < dim_of(p.hi, kk); }
  }
  if (dof >= arrayLength(&dst)) { return; }
  var v = p.fill;
  if (inside && so < arrayLength(&src)) { v = src[so]; }
  dst[dof] = v;
}
