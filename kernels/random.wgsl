// Counter-based random numbers (Philox-4x32-10, Salmon et al. 2011) and a bitonic sort of random
// keys for permutations. Element i of a stream depends only on (key = seed, counter = (i / 4,
// offset_lo, offset_hi, tag)) and takes word i % 4 of that Philox block, so results are
// reproducible and independent of the dispatch layout. src/ops/random.ts holds the same maths in
// TypeScript (the tests compare bits).
//
// Entry `main` (one invocation per block of 4 elements, 1-D grid folded into 2-D):
//   op 0 uniform: out[i] = a + (b − a)·u,     u = (w >> 8)·2⁻²⁴ ∈ [0, 1)
//   op 1 normal:  out[i] = a + b·z,           Box–Muller on the word pairs (w0, w1), (w2, w3)
//   op 2 dropout: out[i] = u ≥ a ? x[i]·b : 0 (a = p, b = 1/(1 − p)); x is a placeholder otherwise
//   Bindings: 0 params, 1 x (f32, read), 2 out (f32).
// Entries `sort_local` / `sort_global`: bitonic sort of (key, val) u32 pairs, ascending by key then
//   val, over a power-of-two length N ≥ 2·WG. Bindings: 0 params, 3 keys, 4 vals.
//   sort_local: one workgroup per block of 2·WG elements in workgroup memory. With init = 1 it first
//     writes the pairs (random key, index) — key 0xffffffff and val = index past n for padding —
//     and sorts each block completely (k = 2 … 2·WG); with init = 0 it finishes merge step k for
//     the strides j < 2·WG.
//   sort_global: one compare-exchange per invocation for one (k, j) with j ≥ 2·WG.
// #include "lib/flat_id.wgsl"

struct Params {
  n: u32, op: u32, key0: u32, key1: u32,
  ctr1: u32, ctr2: u32, tag: u32, npad: u32,   // counter words 1–3; padded length (sort)
  k: u32, j: u32, init: u32, _pad: u32,        // bitonic step (sort)
  a: f32, b: f32,
}
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> keys: array<u32>;
@group(0) @binding(4) var<storage, read_write> vals: array<u32>;

const M0: u32 = 0xD2511F53u;
const M1: u32 = 0xCD9E8D57u;
const W0: u32 = 0x9E3779B9u;
const W1: u32 = 0xBB67AE85u;

// (hi, lo) words of the 64-bit product a·b, from 16-bit halves (WGSL has no 64-bit integers).
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let al = a & 0xFFFFu; let ah = a >> 16u;
  let bl = b & 0xFFFFu; let bh = b >> 16u;
  let ll = al * bl; let lh = al * bh; let hl = ah * bl; let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
  return vec2<u32>(hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u), a * b);
}

fn philox(ctr_in: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
  var c = ctr_in;
  var k = key_in;
  for (var r = 0u; r < 10u; r++) {
    let p0 = mulhilo(M0, c.x);
    let p1 = mulhilo(M1, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
    k += vec2<u32>(W0, W1);
  }
  return c;
}

fn block(t: u32) -> vec4<u32> {
  return philox(vec4<u32>(t, p.ctr1, p.ctr2, p.tag), vec2<u32>(p.key0, p.key1));
}

fn unit(w: u32) -> f32 { return f32(w >> 8u) * (1.0 / 16777216.0); }

// Two standard normals from two words; the angle lies in [−π, π), where WGSL's cos/sin are accurate.
fn box_muller(w0: u32, w1: u32) -> vec2<f32> {
  let u1 = f32((w0 >> 8u) + 1u) * (1.0 / 16777216.0);  // (0, 1]: log never sees 0
  let r = sqrt(-2.0 * log(u1));
  let th = 3.14159265358979 * (2.0 * unit(w1) - 1.0);
  return vec2<f32>(r * cos(th), r * sin(th));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, WG);
  let i0 = t * 4u;
  if (i0 >= p.n) { return; }
  let w = block(t);
  var v: vec4<f32>;
  if (p.op == 1u) {
    v = vec4<f32>(box_muller(w.x, w.y), box_muller(w.z, w.w));
  } else {
    v = vec4<f32>(unit(w.x), unit(w.y), unit(w.z), unit(w.w));
  }
  for (var q = 0u; q < 4u; q++) {
    let i = i0 + q;
    if (i >= p.n) { break; }
    switch p.op {
      case 0u: { out[i] = p.a + (p.b - p.a) * v[q]; }
      case 1u: { out[i] = p.a + p.b * v[q]; }
      default: { out[i] = select(0.0, x[i] * p.b, v[q] >= p.a); }
    }
  }
}

// ---- bitonic sort of (key, val) pairs --------------------------------------------------------

var<workgroup> sk: array<u32, 2 * WG>;
var<workgroup> sv: array<u32, 2 * WG>;

fn before(ka: u32, va: u32, kb: u32, vb: u32) -> bool {
  return ka < kb || (ka == kb && va < vb);
}

@compute @workgroup_size(WG)
fn sort_local(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let B = 2u * WG;
  let base = (wid.x + wid.y * nwg.x) * B;
  if (base >= p.npad) { return; }  // uniform per workgroup
  for (var h = 0u; h < 2u; h++) {
    let l = lid + h * WG;
    let gi = base + l;
    if (p.init == 1u) {
      // each invocation draws its element's Philox word (4 per block; one is used)
      let w = block(gi / 4u);
      sk[l] = select(0xFFFFFFFFu, w[gi % 4u], gi < p.n);
      sv[l] = gi;
    } else {
      sk[l] = keys[gi];
      sv[l] = vals[gi];
    }
  }
  workgroupBarrier();
  var k = select(p.k, 2u, p.init == 1u);
  let kEnd = select(p.k, B, p.init == 1u);
  loop {
    if (k > kEnd) { break; }
    var j = min(k / 2u, WG);
    loop {
      if (j == 0u) { break; }
      let i = (lid / j) * 2u * j + (lid % j);
      let asc = ((base + i) & k) == 0u;
      let ka = sk[i]; let va = sv[i]; let kb = sk[i + j]; let vb = sv[i + j];
      if (before(kb, vb, ka, va) == asc) {
        sk[i] = kb; sv[i] = vb; sk[i + j] = ka; sv[i + j] = va;
      }
      workgroupBarrier();
      j /= 2u;
    }
    k *= 2u;
  }
  for (var h = 0u; h < 2u; h++) {
    let l = lid + h * WG;
    keys[base + l] = sk[l];
    vals[base + l] = sv[l];
  }
}

@compute @workgroup_size(WG)
fn sort_global(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, WG);
  if (t >= p.npad / 2u) { return; }
  let j = p.j;
  let i = (t / j) * 2u * j + (t % j);
  let asc = (i & p.k) == 0u;
  let ka = keys[i]; let va = vals[i]; let kb = keys[i + j]; let vb = vals[i + j];
  if (before(kb, vb, ka, va) == asc) {
    keys[i] = kb; vals[i] = vb; keys[i + j] = ka; vals[i + j] = va;
  }
}
