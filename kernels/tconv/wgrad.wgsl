// Weight gradients of the register-blocked temporal convolution (kernels/tconv/direct.wgsl) for
// CPU-like adapters: per-lane register sums, one fixed-order workgroup sum, batch slices summed by
// the host — deterministic, no atomics. Same maths as kernels/tconv/gemm.wgsl's weight-gradient mode.
// Bindings: 0 params, 1 dy (dy4: its channels-last copy as vec4s), 2 x (x4: likewise), 3 partial,
// 4 bpart, 5 src (the source of cl_pack; src4 as vec4s), 6 packed (cl_pack's channels-last output).
//   entry `wgrad`   partial[z,o,i,k] = Σ_{n in slice z} Σ_{t',v} dy[n,o,t',v] · x[n,i,t'·s+k−pad,v]
//     A workgroup owns TO output × TI input channels at one tap k; each lane accumulates its own
//     positions (t',v) = lid, lid + WG, … of every n of the slice in registers; one final
//     workgroup-memory pass sums the WG lanes in a fixed order (deterministic, no atomics), lane l
//     summing outputs l, l + WG, … (WG may be fewer than TO·TI: 8 lanes, one llvmpipe SIMD group,
//     make the sum's barrier free there: docs/bench.md#software-adapters).
//     With q.want_bias, the workgroups of input block 0 (and tap 0) also sum dy itself: the bias
//     gradient's partials bpart[z,o] (the reduce kernel's one-workgroup-per-row path is slow here).
//     Reads dy, x; writes partial (slices, Cout, Cin, KT) and bpart (slices, Cout; a placeholder without bias).
//     Grid: (slices, ceil(Cin / TI), ceil(Cout / TO) · KT).
//   entry `wgrad_t` the same partial sums for KT > 1: a lane owns TO (4, 8 or 16) output channels
//     × TK taps (k0 …) of one input channel and walks whole time lines of its positions (n, v) =
//     lid + WG·(slice + slices·m): the TK input frames slide along t' (one or two new loads per
//     step at stride 1 or 2), and dy comes channels-last from `cl_pack`, so the TO channels of a
//     step are TO/4 vec4 loads: a step costs TO/4 + s loads for TO·TK multiply-adds (TO + s with
//     dy read in place). Lanes are summed as in `wgrad` (WG·TO·TK ≤ 4608: 18 KiB of workgroup
//     memory, more than compatibility mode promises; the host checks the limit).
//     Reads dy channels-last as vec4s (dy4), x; writes partial, bpart.
//     Grid: (slices, Cin, ceil(Cout/TO)·ceil(KT/TK)).
//   entry `wgrad_c`: `wgrad` (any KT, used for 1×1) on channels-last copies of dy and x, TO × TI
//     (4, 8, 16; ≤ 128) channels per lane read as vec4s — described at the entry.
//   entry `cl_pack` (`cl_pack4` for T·V ≡ 0 mod 4): (N, C, T·V) → channel-blocked channels-last
//     (N, ⌈C/16⌉, T·V, 16) for `wgrad_t`, `wgrad_c` (`cl_index`): a lane's channels at one position
//     are one 64-byte line, and neighbouring lanes read neighbouring lines.
struct WParams {
  cout: u32, cin: u32, kt: u32, n: u32,
  tin: u32, tout: u32, v: u32, stride: u32,
  pad: u32, n_per_slice: u32, inv_v: f32, slices: u32,
  want_bias: u32,
}

override TO: u32 = 8u;   // wgrad: output channels per workgroup; wgrad_t, wgrad_c: per lane (4, 8, 16)
override TI: u32 = 8u;   // wgrad: input channels per workgroup; wgrad_c: per lane
override TK: u32 = 9u;   // wgrad_t: taps per lane (≤ 9)
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> q: WParams;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> dy4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> partial: array<f32>;
@group(0) @binding(4) var<storage, read_write> bpart: array<f32>;
@group(0) @binding(5) var<storage, read> src: array<f32>;
@group(0) @binding(5) var<storage, read> src4: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> packed: array<vec4<f32>>;

var<workgroup> red: array<f32, 4608>;   // [lane][TO·TI or TO·TK]

@compute @workgroup_size(WG)
fn wgrad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let slice = wid.x;
  let i0 = wid.y * TI;
  let ob = wid.z / q.kt;                      // workgroup-uniform: scalar
  let k = wid.z - ob * q.kt;
  let o0 = ob * TO;
  let tvo = q.tout * q.v;
  let tvi = q.tin * q.v;
  let n_begin = slice * q.n_per_slice;
  let n_end = min(q.n, n_begin + q.n_per_slice);
  let shift = i32(k) - i32(q.pad);
  var orow: array<u32, 8>;
  var irow: array<u32, 8>;
  for (var o = 0u; o < TO; o++) { orow[o] = min(o0 + o, q.cout - 1u) * tvo; }
  for (var i = 0u; i < TI; i++) { irow[i] = min(i0 + i, q.cin - 1u) * tvi; }
  var acc: array<array<f32, 8>, 8>;
  var bacc: array<f32, 16>;
  let wb = q.want_bias == 1u && wid.y == 0u && k == 0u;   // only the workgroups that write the bias gradient add up dy
  for (var n = n_begin; n < n_end; n++) {
    let dyn = n * q.cout * tvo;
    let xn = n * q.cin * tvi;
    for (var base = 0u; base < tvo; base += WG) {
      let tv0 = base + lid;
      let ok = tv0 < tvo;
      let tv = min(tv0, tvo - 1u);
      // t' = tv / V without an integer division (scalarised per lane on a CPU): float estimate, corrected
      var tp = u32(f32(tv) * q.inv_v);
      if (tp * q.v > tv) { tp -= 1u; }
      if ((tp + 1u) * q.v <= tv) { tp += 1u; }
      let f = i32(tp * q.stride) + shift;
      let xok = ok && f >= 0 && f < i32(q.tin);
      let xo = xn + u32(clamp(f, 0, i32(q.tin) - 1)) * q.v + (tv - tp * q.v);
      var xs: array<f32, 8>;
      for (var i = 0u; i < TI; i++) { xs[i] = select(0.0, x[xo + irow[i]], xok); }
      for (var o = 0u; o < TO; o++) {
        let g = select(0.0, dy[dyn + orow[o] + tv], ok);
        for (var i = 0u; i < TI; i++) { acc[o][i] = fma(g, xs[i], acc[o][i]); }
        if (wb) { bacc[o] += g; }
      }
    }
  }
  if (wb) { bias_sums(&bacc, lid, slice, o0); }
  let tile = TO * TI;
  for (var o = 0u; o < TO; o++) {
    for (var i = 0u; i < TI; i++) { red[lid * tile + o * TI + i] = acc[o][i]; }
  }
  workgroupBarrier();
  for (var e = lid; e < tile; e += WG) {
    let o = o0 + e / TI;
    let i = i0 + e % TI;
    if (o < q.cout && i < q.cin) { partial[((slice * q.cout + o) * q.cin + i) * q.kt + k] = lane_sum(e, tile); }
  }
}

/** The lanes' dy sums → bpart[slice, o0 …] in a fixed order (called in workgroup-uniform control flow). */
fn bias_sums(bacc: ptr<function, array<f32, 16>>, lid: u32, slice: u32, o0: u32) {
  for (var o = 0u; o < TO; o++) { red[lid * TO + o] = (*bacc)[o]; }
  workgroupBarrier();
  if (lid < TO) {
    if (o0 + lid < q.cout) { bpart[slice * q.cout + o0 + lid] = lane_sum(lid, TO); }
  }
  workgroupBarrier();
}

/** Σ over the WG lanes of entry e of `red` (lane l's tile at l·tile), in lane order. */
fn lane_sum(e: u32, tile: u32) -> f32 {
  var s = 0.0;
  for (var l = 0u; l < WG; l++) { s += red[l * tile + e]; }
  return s;
}

/** x at frame f of the time line starting at xc (zero outside [0, tin) or for a dead lane). */
fn xframe(xc: u32, f: i32, ok: bool) -> f32 {
  let val = x[xc + u32(clamp(f, 0, i32(q.tin) - 1)) * q.v];
  return select(0.0, val, ok && f >= 0 && f < i32(q.tin));
}

/** vec4s per position in a block of a `cl_pack` copy of c channels (see `cl_index`). */
fn cl_block(c: u32) -> u32 { return min(4u, (c + 3u) / 4u); }

/**
 * Where vec4 j (channels 4j … 4j+3) of position pos of sample n sits in a `cl_pack` copy of c
 * channels over npos positions: blocks of bv = min(4, ⌈c/4⌉) vec4s, each block's positions
 * contiguous — (n, j / bv, pos, j % bv). Whole rows of ⌈c/4⌉ vec4s per position would put the 8
 * lanes of a SIMD group, which read neighbouring positions, a power-of-two number of cache lines
 * apart at 64 or 256 channels: measured 1.05–1.35× slower on llvmpipe
 * (docs/bench.md#temporal-convs-on-llvmpipe).
 */
fn cl_index(c: u32, n: u32, npos: u32, pos: u32, j: u32) -> u32 {
  let cq = (c + 3u) / 4u;
  let bv = cl_block(c);
  let nb = (cq + bv - 1u) / bv;
  return ((n * nb + j / bv) * npos + pos) * bv + j % bv;
}

// entry `cl_pack`: dy (N, C, P) to its channel-blocked channels-last copy dy4 (`cl_index`), so
// that `wgrad_t` reads the output channels of a position as vec4s: channels C … rounded up to 4
// are zeros; a last block's vec4s past ⌈C/4⌉ are left unwritten (only a partial channel block
// reads them, and its sums of them are discarded). An invocation gathers one channel quad at one
// position (4 scalar loads, one vec4 store). Params: WParams (cout = C, tout·v = P, n).
// Reads src; writes packed (vec4s). Grid: (ceil(P / WG), ⌈C/4⌉, N).

@compute @workgroup_size(WG)
fn cl_pack(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let P = q.tout * q.v;
  let pos = wid.x * WG + lid;
  if (pos >= P) { return; }
  let c0 = wid.y * 4u;
  let n = wid.z;
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) {
    if (c0 + e < q.cout) { v[e] = src[(n * q.cout + c0 + e) * P + pos]; }
  }
  packed[cl_index(q.cout, n, P, pos, wid.y)] = v;
}

// entry `cl_pack4`: `cl_pack` for P ≡ 0 mod 4: an invocation moves a 4 channels × 4 positions
// block as 4 vec4 loads and 4 vec4 stores (src read as vec4s).
// Grid: (ceil(P / (4·WG)), ⌈C/4⌉, N).
@compute @workgroup_size(WG)
fn cl_pack4(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let P = q.tout * q.v;
  let pq = wid.x * WG + lid;                  // my position quad
  if (pq * 4u >= P) { return; }
  let cq = wid.y;
  let n = wid.z;
  var rows: array<vec4<f32>, 4>;              // rows[e] = channel 4·cq + e at positions 4·pq …
  for (var e = 0u; e < 4u; e++) {
    let c = cq * 4u + e;
    if (c < q.cout) { rows[e] = src4[(((n * q.cout + c) * P) >> 2u) + pq]; }
  }
  for (var j = 0u; j < 4u; j++) {
    packed[cl_index(q.cout, n, P, pq * 4u + j, cq)] = vec4<f32>(rows[0][j], rows[1][j], rows[2][j], rows[3][j]);
  }
}

// entry `wgrad_t` (the code of the header's description).

@compute @workgroup_size(WG)
fn wgrad_t(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = wid.y;
  let nkb = (q.kt + TK - 1u) / TK;
  let ob = wid.z / nkb;                       // workgroup-uniform: scalar
  let k0 = (wid.z - ob * nkb) * TK;
  let o0 = ob * TO;
  let tvi = q.tin * q.v;
  let nv = q.n * q.v;
  let tvo = q.tout * q.v;
  let oq0 = o0 / 4u;
  // my channel block in dy4 (cl_index), hoisted: its divisions would run per lane
  let base0 = cl_index(q.cout, 0u, tvo, 0u, oq0);     // (n = 0, position 0)
  let nstride = cl_index(q.cout, 1u, tvo, 0u, 0u);    // vec4s per sample
  let bv = cl_block(q.cout);                          // vec4s per position in a block
  let fb = i32(k0) - i32(q.pad);
  var acc: array<array<f32, 9>, 16>;
  var bacc: array<f32, 16>;
  let wb = q.want_bias == 1u && i == 0u && k0 == 0u;   // only the workgroups that write the bias gradient add up dy
  for (var pb = wid.x * WG; pb < nv; pb += q.slices * WG) {
    let p0 = pb + lid;
    let ok = p0 < nv;
    let pp = min(p0, nv - 1u);
    var n = u32(f32(pp) * q.inv_v);            // pp / V without an integer division
    if (n * q.v > pp) { n -= 1u; }
    if ((n + 1u) * q.v <= pp) { n += 1u; }
    let v = pp - n * q.v;
    let xc = (n * q.cin + i) * tvi + v;
    var xs: array<f32, 9>;
    for (var r = 0u; r < TK; r++) { xs[r] = xframe(xc, fb + i32(r), ok); }
    for (var tp = 0u; tp < q.tout; tp++) {
      if (tp > 0u) {
        let f = i32(tp * q.stride) + fb;
        if (q.stride == 1u) {
          for (var r = 0u; r + 1u < TK; r++) { xs[r] = xs[r + 1u]; }
          xs[TK - 1u] = xframe(xc, f + i32(TK) - 1, ok);
        } else if (q.stride == 2u && TK >= 2u) {
          for (var r = 0u; r + 2u < TK; r++) { xs[r] = xs[r + 2u]; }
          xs[TK - 2u] = xframe(xc, f + i32(TK) - 2, ok);
          xs[TK - 1u] = xframe(xc, f + i32(TK) - 1, ok);
        } else {
          for (var r = 0u; r < TK; r++) { xs[r] = xframe(xc, f + i32(r), ok); }
        }
      }
      let row = base0 + n * nstride + (tp * q.v + v) * bv;   // my channels at (n, t', v)
      for (var h = 0u; h < TO / 4u; h++) {
        let g4 = select(vec4<f32>(0.0), dy4[row + h], ok);
        for (var e = 0u; e < 4u; e++) {
          let o = 4u * h + e;
          for (var r = 0u; r < TK; r++) { acc[o][r] = fma(g4[e], xs[r], acc[o][r]); }
          if (wb) { bacc[o] += g4[e]; }
        }
      }
    }
  }
  if (wb) { bias_sums(&bacc, lid, wid.x, o0); }
  let tile = TO * TK;
  for (var o = 0u; o < TO; o++) {
    for (var r = 0u; r < TK; r++) { red[lid * tile + o * TK + r] = acc[o][r]; }
  }
  workgroupBarrier();
  for (var e = lid; e < tile; e += WG) {
    let o = o0 + e / TK;
    let k = k0 + e % TK;
    if (o < q.cout && k < q.kt) { partial[((wid.x * q.cout + o) * q.cin + i) * q.kt + k] = lane_sum(e, tile); }
  }
}

// entry `wgrad_c`: `wgrad` with dy and x both channels-last (from `cl_pack`): a lane's TO output
// and TI input channels at a position are TO/4 + TI/4 vec4 loads for TO·TI multiply-adds (TO + TI
// scalar loads in `wgrad`). TO, TI ∈ {4, 8, 16}; WG·TO·TI ≤ 4608. Reads dy4 and x4 (both
// channels-last); writes partial, bpart. Grid as `wgrad`.

@compute @workgroup_size(WG)
fn wgrad_c(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let slice = wid.x;
  let iq0 = wid.y * (TI / 4u);
  let ob = wid.z / q.kt;                      // workgroup-uniform: scalar
  let k = wid.z - ob * q.kt;
  let oq0 = ob * (TO / 4u);
  let tvo = q.tout * q.v;
  let tvi = q.tin * q.v;
  // my channel blocks in the cl_pack copies (cl_index), hoisted: its divisions would run per lane
  let gbase = cl_index(q.cout, 0u, tvo, 0u, oq0);
  let gn = cl_index(q.cout, 1u, tvo, 0u, 0u);
  let gbv = cl_block(q.cout);
  let xbase = cl_index(q.cin, 0u, tvi, 0u, iq0);
  let xn = cl_index(q.cin, 1u, tvi, 0u, 0u);
  let xbv = cl_block(q.cin);
  let n_begin = slice * q.n_per_slice;
  let n_end = min(q.n, n_begin + q.n_per_slice);
  let shift = i32(k) - i32(q.pad);
  var acc: array<array<f32, 16>, 16>;         // [o][i]
  var bacc: array<f32, 16>;
  let wb = q.want_bias == 1u && wid.y == 0u && k == 0u;   // only the workgroups that write the bias gradient add up dy
  for (var n = n_begin; n < n_end; n++) {
    for (var base = 0u; base < tvo; base += WG) {
      let tv0 = base + lid;
      let ok = tv0 < tvo;
      let tv = min(tv0, tvo - 1u);
      var tp = u32(f32(tv) * q.inv_v);          // t' = tv / V without an integer division
      if (tp * q.v > tv) { tp -= 1u; }
      if ((tp + 1u) * q.v <= tv) { tp += 1u; }
      let f = i32(tp * q.stride) + shift;
      let xok = ok && f >= 0 && f < i32(q.tin);
      let xrow = xbase + n * xn + (u32(clamp(f, 0, i32(q.tin) - 1)) * q.v + (tv - tp * q.v)) * xbv;
      let grow = gbase + n * gn + tv * gbv;
      var xs: array<f32, 16>;
      for (var h = 0u; h < TI / 4u; h++) {
        let v = select(vec4<f32>(0.0), x4[xrow + h], xok);
        xs[4u * h] = v.x; xs[4u * h + 1u] = v.y; xs[4u * h + 2u] = v.z; xs[4u * h + 3u] = v.w;
      }
      for (var h = 0u; h < TO / 4u; h++) {
        let g4 = select(vec4<f32>(0.0), dy4[grow + h], ok);
        for (var e = 0u; e < 4u; e++) {
          let o = 4u * h + e;
          for (var i = 0u; i < TI; i++) { acc[o][i] = fma(g4[e], xs[i], acc[o][i]); }
          if (wb) { bacc[o] += g4[e]; }
        }
      }
    }
  }
  let o0 = ob * TO;
  if (wb) { bias_sums(&bacc, lid, slice, o0); }
  let tile = TO * TI;
  for (var o = 0u; o < TO; o++) {
    for (var i = 0u; i < TI; i++) { red[lid * tile + o * TI + i] = acc[o][i]; }
  }
  workgroupBarrier();
  for (var e = lid; e < tile; e += WG) {
    let o = o0 + e / TI;
    let i = iq0 * 4u + e % TI;
    if (o < q.cout && i < q.cin) { partial[((slice * q.cout + o) * q.cin + i) * q.kt + k] = lane_sum(e, tile); }
  }
}
