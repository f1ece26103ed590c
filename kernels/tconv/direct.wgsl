// Register-blocked temporal convolution for CPU-like adapters (llvmpipe): no workgroup memory in
// the inner loops, no division there, big per-invocation tiles (the layout rules of
// kernels/matmul/matmul.wgsl's `reg`). Same maths as kernels/tconv/gemm.wgsl; the weight gradients
// are in kernels/tconv/wgrad.wgsl.
// Bindings: 0 params, 1 src, 2 packed (packed4 as vec4s), 3 bias, 4 out, 5 weight.
//   entry `direct`  y[n,r,t,v] = Σ_{c,k} w(r,c,k) · src[n,c,t·s+k−pad,v] (+ bias)
//     p.mode 0 forward:     r = output channel o, c = input channel i, w = W[o,i,k]
//     p.mode 1 input grad:  stride 1, as a forward conv of dy with the flipped, transposed
//                           weight w(r=i, c=o, k) = W[o,i,KT−1−k] and pad' = KT−1−pad
//     p.mode 2 input grad:  any stride s, by phases: grid z = ph, an invocation owns the times
//                           t0 + s·r (t0 ≡ ph mod s); only the taps k ≡ ph + pad (mod s) reach
//                           them, at dy frames (t0 + pad − k)/s + r, which slide by one per tap
//     An invocation owns TO (≤ 16) rows × TT (≤ 16) consecutive output times of one (n, v); lanes
//     run along the flattened (n, time block, v) columns, decoded once. With stride 1 the
//     TT+KT−1 input frames slide through registers (one new load per tap). The weights w(r, c, k)
//     (source at w[r·rs + c·cs + k]) come packed by `wpack` in reading order, so the TO rows of one
//     (c, tap) are TO/4 vec4 loads: a tap costs TO/4 + 1 loads for TO·TT multiply-adds (packed
//     storage beats a 64 KiB uniform window here, as matmul's AV = 1 reads: docs/encoder.md#performance).
//     Only rows [row_begin = 0, row_end) and reduction channels [c_begin, c_end) of this dispatch.
//     Reads src (x or dy), packed4 (the packed weights as vec4s), bias; writes out.
//     Grid: (column groups of WG from p.col0, row blocks of TO, 1 or the s phases of mode 2).
//   entry `wpack`   the weights of a `direct` call in its reading order (described at the entry).
struct Params {
  mode: u32, rows: u32, cred: u32, cols: u32,
  tin: u32, tout: u32, v: u32, kt: u32,
  stride: u32, pad: u32, ntb: u32, flags: u32,      // flags: bias mode (1 per row, 2 per (row, v))
  rs: u32, cs: u32, _pad0: u32, col0: u32,
  row_begin: u32, row_end: u32, c_begin: u32, c_end: u32,
}
override TO: u32 = 8u;   // direct, wpack: rows per invocation (4, 8, 16)
override TT: u32 = 8u;   // direct: output times per invocation (≤ 16; TO·TT ≤ 128, more spills)
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> packed: array<f32>;
@group(0) @binding(2) var<storage, read_write> packed4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read> weight: array<f32>;

/** src at frame f of the channel row starting at xc (zero outside [0, tin)). */
fn frame(xc: u32, f: i32) -> f32 {
  let ok = f >= 0 && f < i32(p.tin);
  let val = src[xc + u32(clamp(f, 0, i32(p.tin) - 1)) * p.v];
  return select(0.0, val, ok);
}

/** The TO weights of packed entry e (a row block's rows at one (c, tap)): TO/4 vec4 loads. */
fn weights(e: u32) -> array<f32, 16> {
  var wv: array<f32, 16>;
  for (var h = 0u; h < TO / 4u; h++) {
    let q = packed4[e * (TO / 4u) + h];
    wv[4u * h] = q.x; wv[4u * h + 1u] = q.y; wv[4u * h + 2u] = q.z; wv[4u * h + 3u] = q.w;
  }
  return wv;
}

@compute @workgroup_size(WG)
fn direct(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j0 = p.col0 + wid.x * WG + lid;
  let live = j0 < p.cols;
  let j = min(j0, p.cols - 1u);
  // column (n, time block, v): decoded once per invocation
  let per_n = p.ntb * p.v;
  let n = j / per_n;
  let rem = j - n * per_n;
  let tb = rem / p.v;
  let v = rem - tb * p.v;
  let phased = p.mode == 2u;
  let ostep = select(1u, p.stride, phased);          // output times t0 + ostep·r
  let t0 = select(tb * TT, tb * p.stride * TT + wid.z, phased);
  let fb = i32(t0 * p.stride) - i32(p.pad);          // modes 0, 1: input frame of output t0, tap 0
  let k0 = (wid.z + p.pad) % p.stride;               // mode 2: first tap reaching my phase (uniform)
  let f0 = i32((t0 + p.pad - k0) / p.stride);        // mode 2: its dy frame for output t0 (divides exactly)
  let row0 = p.row_begin + wid.y * TO;
  let rb = wid.y;                                    // my row block in the packed weights
  let tinv = p.tin * p.v;
  let nbase = n * p.cred * tinv + v;
  var acc: array<array<f32, 16>, 16>;  // [row][time]: TO ≤ 16, TT ≤ 16
  for (var c = p.c_begin; c < p.c_end; c++) {
    let xc = nbase + c * tinv;
    let wc = (rb * p.cred + c) * p.kt;               // packed (row block, c, tap 0)
    var xs: array<f32, 16>;
    if (phased) {
      for (var r = 0u; r < TT; r++) { xs[r] = frame(xc, f0 + i32(r)); }
      var f = f0;
      for (var k = k0; k < p.kt; k += p.stride) {
        let wv = weights(wc + k);
        for (var o = 0u; o < TO; o++) {
          for (var r = 0u; r < TT; r++) { acc[o][r] = fma(wv[o], xs[r], acc[o][r]); }
        }
        for (var r = TT - 1u; r > 0u; r--) { xs[r] = xs[r - 1u]; }
        f -= 1;
        xs[0] = frame(xc, f);
      }
      continue;
    }
    if (p.stride == 1u) {
      for (var r = 0u; r + 1u < TT; r++) { xs[r] = frame(xc, fb + i32(r)); }
    }
    for (var k = 0u; k < p.kt; k++) {
      if (p.stride == 1u) {
        xs[TT - 1u] = frame(xc, fb + i32(k + TT - 1u));
      } else {
        for (var r = 0u; r < TT; r++) { xs[r] = frame(xc, fb + i32(r * p.stride + k)); }
      }
      let wv = weights(wc + k);
      for (var o = 0u; o < TO; o++) {
        for (var r = 0u; r < TT; r++) { acc[o][r] = fma(wv[o], xs[r], acc[o][r]); }
      }
      if (p.stride == 1u) {
        for (var r = 0u; r + 1u < TT; r++) { xs[r] = xs[r + 1u]; }
      }
    }
  }
  if (!live) { return; }
  let bmode = p.flags;
  for (var o = 0u; o < TO; o++) {
    let row = row0 + o;
    if (row >= p.row_end) { continue; }
    var bv = 0.0;
    if (bmode == 1u) { bv = bias[row]; }
    if (bmode == 2u) { bv = bias[row * p.v + v]; }
    let ob = (n * p.rows + row) * p.tout * p.v + v;
    for (var r = 0u; r < TT; r++) {
      let t = t0 + ostep * r;
      if (t >= p.tout) { continue; }
      let e = ob + t * p.v;
      out[e] = acc[o][r] + bv;
    }
  }
}

// entry `wpack`: the weights of one `direct` call in the order it reads them, so an invocation
// fetches the TO rows of a (channel, tap) as TO/4 vec4s instead of TO scalar loads (each a loop
// over the lanes on a CPU adapter): packed[((rb·cred + c)·kt + k)·TO + o] = w(rb·TO + o, c, k'),
// k' = kt − 1 − k in mode 1 (the flipped taps), rows past p.rows zero. Source weights (r, c, k)
// at weight[r·rs + c·cs + k]. Reads weight; writes packed.
// Grid: one invocation per packed element, 1-D folded into 2-D.
@compute @workgroup_size(WG)
fn wpack(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  let per_rb = p.cred * p.kt * TO;
  if (i >= ((p.rows + TO - 1u) / TO) * per_rb) { return; }
  let o = i % TO;
  let k = (i / TO) % p.kt;
  let c = (i / (TO * p.kt)) % p.cred;
  let row = (i / per_rb) * TO + o;
  let kk = select(k, p.kt - 1u - k, p.mode == 1u);
  var val = 0.0;
  if (row < p.rows) { val = weight[row * p.rs + c * p.cs + kk]; }
  packed[i] = val;
}
