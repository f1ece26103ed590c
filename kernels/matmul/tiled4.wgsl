// The hardware-GPU matrix product (entry tiled4) of src/ops/matmul/gemm.ts: C[z] = op(A)[z] · op(B)[z]
// (+ bias) (+ C[z] when accumulating), strides and Params as in kernels/matmul/matmul.wgsl.
// A WGX×WGY workgroup computes a BM×BN tile (BM = WGY·TM, BN = WGX·TN), staging BK k of both
// operands per step in workgroup memory as vec4s along m and n (A k-major), so each k step of an
// invocation is TM/4 + TN/4 vec4 workgroup reads for TM·TN multiply-adds. The invocation at (x, y)
// owns TM/4 row quads at y + i·WGY and TN/4 column quads at x + j·WGX: neighbouring invocations read
// neighbouring vec4s, and a warp's reads are a few broadcasts. The next step's operands are loaded
// into registers while this step computes (one barrier pair per step hides the global latency).
// Load paths (overrides, chosen by the host from the strides; a vec4 never straddles an edge):
//   AV = 0 scalar, 1 vec4 along k (sak = 1; sam, sab, K ≡ 0 mod 4), 2 vec4 along m (sam = 1;
//   sak, sab, M ≡ 0 mod 4); BV = 0 scalar, 1 vec4 along n (sbn = 1; sbk, sbb, N ≡ 0 mod 4), 2 vec4
//   along k (sbk = 1; sbn, sbb, K ≡ 0 mod 4). CV = 1 writes C as vec4s (scn = 1; scm, scb, N ≡ 0
//   mod 4), else per element. Out-of-range operand elements are staged as zeros, so the inner
//   loop has no guards.
// Split k (KS > 1 slices, for products with too few tiles to fill a big GPU): workgroup z runs
//   slice z % KS of batch z / KS, k in [slice·kc, slice·kc + kc) (kc a multiple of BK, from the
//   host), and writes its partial product to C + slice·ldu, with neither bias nor accumulation;
//   kernels/matmul/ksum.wgsl then sums the slices into the real C. KS = 1: kc = K, ldu = 0.
// Bindings: 0 params, 1 a (scalars), 2 b (scalars), 3 bias, 4 c (vec4s, written per component where
//   CV = 0), 5 avec (A as vec4s), 6 bvec (B as vec4s) (a buffer is bound twice where both views are
//   read; the host binds the placeholder to the views a variant does not read).
// Workgroups: (ceil(N / BN), ceil(rows / BM), batches · KS), rows from wm0.

// #include "lib/matmul_params.wgsl"

override TM: u32 = 8u;     // rows per invocation (4 or 8)
override TN: u32 = 8u;     // columns per invocation (4 or 8)
override WGX: u32 = 16u;   // workgroup width (along n)
override WGY: u32 = 16u;   // workgroup height (along m)
override BK: u32 = 8u;     // k per step (multiple of 4)
override AV: u32 = 0u;
override BV: u32 = 0u;
override CV: u32 = 0u;
override KS: u32 = 1u;     // k slices (split k)

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> avec: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> bvec: array<vec4<f32>>;

const MAXV = 8u;            // vec4 loads per invocation and operand per step (BM·BK/4 ≤ 8·NT)
var<workgroup> sa: array<vec4<f32>, WGY * TM / 4u * BK>;   // [k][m quad]
var<workgroup> sb: array<vec4<f32>, WGX * TN / 4u * BK>;   // [k][n quad]

// The step's elements of one operand in vec4 units: `e` runs over (BM or BN)·BK/4 slots. Slot e of
// A is (m quad, k) for AV = 2 or the scalar path, (m, k quad) for AV = 1; of B likewise.
fn load_a(e: u32, m0: u32, k0: u32, za: u32) -> vec4<f32> {
  let BQ = WGY * TM / 4u;
  if (AV == 1u) {
    let m = m0 + e / (BK / 4u); let k = k0 + (e % (BK / 4u)) * 4u;
    if (m < p.M && k < p.K) { return avec[(za + m * p.sam + k) >> 2u]; }
    return vec4<f32>();
  }
  let m = m0 + (e % BQ) * 4u; let k = k0 + e / BQ;
  if (k >= p.K) { return vec4<f32>(); }
  if (AV == 2u) {
    if (m < p.M) { return avec[(za + m + k * p.sak) >> 2u]; }
    return vec4<f32>();
  }
  var v = vec4<f32>();
  for (var r = 0u; r < 4u; r++) { if (m + r < p.M) { v[r] = a[za + (m + r) * p.sam + k * p.sak]; } }
  return v;
}
fn store_a(e: u32, v: vec4<f32>) {
  let BQ = WGY * TM / 4u;
  if (AV == 1u) {             // 4 k of one row: scatter into 4 k rows of the k-major tile
    let m = e / (BK / 4u); let k = (e % (BK / 4u)) * 4u;
    for (var c = 0u; c < 4u; c++) { sa[(k + c) * BQ + m / 4u][m % 4u] = v[c]; }
  } else {
    sa[e] = v;                // slot e is (m quad e % BQ, k e / BQ): already the tile's order
  }
}
fn load_b(e: u32, n0: u32, k0: u32, zb: u32) -> vec4<f32> {
  let BQ = WGX * TN / 4u;
  if (BV == 2u) {
    let n = n0 + e / (BK / 4u); let k = k0 + (e % (BK / 4u)) * 4u;
    if (n < p.N && k < p.K) { return bvec[(zb + n * p.sbn + k) >> 2u]; }
    return vec4<f32>();
  }
  let n = n0 + (e % BQ) * 4u; let k = k0 + e / BQ;
  if (k >= p.K) { return vec4<f32>(); }
  if (BV == 1u) {
    if (n < p.N) { return bvec[(zb + k * p.sbk + n) >> 2u]; }
    return vec4<f32>();
  }
  var v = vec4<f32>();
  for (var s = 0u; s < 4u; s++) { if (n + s < p.N) { v[s] = b[zb + k * p.sbk + (n + s) * p.sbn]; } }
  return v;
}
fn store_b(e: u32, v: vec4<f32>) {
  let BQ = WGX * TN / 4u;
  if (BV == 2u) {
    let n = e / (BK / 4u); let k = (e % (BK / 4u)) * 4u;
    for (var c = 0u; c < 4u; c++) { sb[(k + c) * BQ + n / 4u][n % 4u] = v[c]; }
  } else {
    sb[e] = v;
  }
}

@compute @workgroup_size(WGX, WGY)
fn tiled4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let NT = WGX * WGY;
  let AQ = WGY * TM / 4u;                     // row quads per tile
  let BQ = WGX * TN / 4u;                     // column quads per tile
  let LA = AQ * BK / NT;                      // vec4 slots per invocation per step (host: ≥ 1, exact)
  let LB = BQ * BK / NT;
  let slice = wid.z % KS;
  let z = wid.z / KS + p.zb;
  let kb = slice * p.kc;                      // my k range: [kb, ke)
  let ke = min(kb + p.kc, p.K);
  let m0 = p.wm0 + wid.y * AQ * 4u;
  let n0 = wid.x * BQ * 4u;
  let za = z * p.sab;
  let zb = z * p.sbb;
  var ra: array<vec4<f32>, MAXV>;
  var rb: array<vec4<f32>, MAXV>;
  for (var l = 0u; l < LA; l++) { ra[l] = load_a(lid + l * NT, m0, kb, za); }
  for (var l = 0u; l < LB; l++) { rb[l] = load_b(lid + l * NT, n0, kb, zb); }
  var acc: array<vec4<f32>, 16>;              // [row i][column quad j]: TM · TN / 4 ≤ 16
  for (var k0 = kb; k0 < ke; k0 += BK) {
    for (var l = 0u; l < LA; l++) { store_a(lid + l * NT, ra[l]); }
    for (var l = 0u; l < LB; l++) { store_b(lid + l * NT, rb[l]); }
    workgroupBarrier();
    if (k0 + BK < ke) {                       // the next step's loads fly while this one computes
      for (var l = 0u; l < LA; l++) { ra[l] = load_a(lid + l * NT, m0, k0 + BK, za); }
      for (var l = 0u; l < LB; l++) { rb[l] = load_b(lid + l * NT, n0, k0 + BK, zb); }
    }
    for (var kk = 0u; kk < BK; kk++) {
      var bq: array<vec4<f32>, 2>;
      for (var j = 0u; j < TN / 4u; j++) { bq[j] = sb[kk * BQ + lid3.x + j * WGX]; }
      for (var i = 0u; i < TM / 4u; i++) {
        let aq = sa[kk * AQ + lid3.y + i * WGY];
        for (var j = 0u; j < TN / 4u; j++) {
          let o = (i * 4u) * (TN / 4u) + j;
          acc[o] = fma(vec4<f32>(aq.x), bq[j], acc[o]);
          acc[o + TN / 4u] = fma(vec4<f32>(aq.y), bq[j], acc[o + TN / 4u]);
          acc[o + 2u * (TN / 4u)] = fma(vec4<f32>(aq.z), bq[j], acc[o + 2u * (TN / 4u)]);
          acc[o + 3u * (TN / 4u)] = fma(vec4<f32>(aq.w), bq[j], acc[o + 3u * (TN / 4u)]);
        }
      }
    }
    workgroupBarrier();
  }
  let zc = z * p.scb + slice * p.ldu;
  let add = (p.flags & 2u) != 0u;
  for (var i = 0u; i < TM; i++) {
    let m = m0 + (lid3.y + (i / 4u) * WGY) * 4u + i % 4u;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < TN / 4u; j++) {
      let n = n0 + (lid3.x + j * WGX) * 4u;
      if (n >= p.N) { continue; }
      var v = acc[i * (TN / 4u) + j];
      let o = zc + m * p.scm + n * p.scn;
      if (CV == 1u) {                         // 4 neighbouring C elements in one vec4 (N ≡ 0 mod 4)
        if ((p.flags & 1u) != 0u) {
          for (var s = 0u; s < 4u; s++) { v[s] += bias[m * p.sxm + (n + s) * p.sxn]; }
        }
        if (add) { v += c[o >> 2u]; }
        c[o >> 2u] = v;
      } else {
        for (var s = 0u; s < 4u; s++) {
          if (n + s >= p.N) { break; }
          let oe = o + s * p.scn;
          var x = v[s];
          if ((p.flags & 1u) != 0u) { x += bias[m * p.sxm + (n + s) * p.sxn]; }
          if (add) { x += c[oe >> 2u][oe & 3u]; }
          c[oe >> 2u][oe & 3u] = x;
        }
      }
    }
  }
}
