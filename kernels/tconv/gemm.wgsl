// Temporal convolution (kernel KT×1 over time, stride s, zero padding `pad`) of x (N, Cin, T, V)
// with W (Cout, Cin, KT) as a tiled implicit GEMM (no im2col buffer), in three modes:
//   0 forward     y[n,o,t',v] = Σ_{k,i} W[o,i,k] · x[n,i,t'·s+k−pad,v] (+ bias)
//                 rows o < Cout, cols (n,t',v) < N·T'·V, reduction (k, i): KT × Cin
//   1 input grad  dx[n,i,t,v] = Σ_{k,o} W[o,i,k] · dy[n,o,(t+pad−k)/s,v]  (terms where s divides)
//                 rows i < Cin,  cols (n,t,v) < N·T·V,   reduction (k, o): KT × Cout
//   2 weight grad dW[z,o,i,k] = Σ_{(n,t',v) in slice z} dy[n,o,t',v] · x[n,i,t'·s+k−pad,v]
//                 rows o < Cout, cols (i,k) < Cin·KT,    reduction (n,t',v) < N·T'·V, split into
//                 slices of p.chunk along grid z (the host sums the partial results)
// The 1×1 convolutions of the encoder (graph conv's channel mixing, the strided residual, the
// linear layers' fallback) are the case KT = 1, pad = 0.
// Entry `conv` runs modes 0 and 1: its reduction is two loops, k outer and channels inner in steps
// of BK, so the time offset (padding test, stride divisibility) is decided once per step and the
// inner loads need no division. Entry `wgrad` runs mode 2: each invocation's 4 columns (i, k) are
// fixed, and the reduction position (n, t', v) advances incrementally.
// Bindings: 0 params, 1 a (mode 0/1: W, mode 2: dy), 2 b (mode 0/2: x, mode 1: dy), 3 bias
//   (mode 0: has_bias 1 → bias[o]; 2 → a per-joint bias[o, v] (Cout, V), which the graph
//   convolution needs; a placeholder when 0), 4 out.
// Workgroup: 8×8 invocations computing a (8·TM) × 64 tile of the output, BK = 8 reduction steps
//   staged in workgroup memory at a time; invocation (tx, ty) owns rows ty + 8·i (i < TM) and
//   cols tx + 8·j (j < 8), so workgroup-memory reads are broadcasts and output writes are
//   contiguous across tx. Accumulators: a function-local array of vec4 indexed only by loop
//   counters over constants, so compilers keep it in registers (module-scope accumulators live in
//   memory, several times slower on a software adapter). Grid: x over column tiles (from p.col0: the host
//   dispatches very wide outputs in chunks), y over row tiles, z over reduction slices (wgrad).

struct Params {
  mode: u32, rows: u32, cols: u32, red: u32,
  cin: u32, cout: u32, t: u32, tout: u32,
  v: u32, kt: u32, stride: u32, pad: u32,
  has_bias: u32, chunk: u32, col0: u32, s_out: u32,  // s_out: spatial size per (n, row) of out (modes 0/1)
}
override TM: u32 = 8u;   // rows per invocation (2, 4 or 8): tiles of 16, 32 or 64 rows
const BK: u32 = 8u;
const TILE: u32 = 64u;   // row stride of the workgroup tiles (room for the tallest variant)

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> As: array<f32, 512>;  // [BK][TILE]: reduction step kk, tile row m
var<workgroup> Bs: array<f32, 512>;  // [BK][TILE]: reduction step kk, tile col c

// acc[2·i + h] holds row i's columns 4h … 4h+3 (of the invocation's 8)
alias Acc = array<vec4<f32>, 16>;

/** The BK-deep product of the staged tiles into the accumulators. */
fn multiply_tiles(acc: ptr<function, Acc>, tx: u32, ty: u32) {
  for (var kk = 0u; kk < BK; kk++) {
    let bo = kk * TILE + tx;
    let b0 = vec4<f32>(Bs[bo], Bs[bo + 8u], Bs[bo + 16u], Bs[bo + 24u]);
    let b1 = vec4<f32>(Bs[bo + 32u], Bs[bo + 40u], Bs[bo + 48u], Bs[bo + 56u]);
    for (var i = 0u; i < TM; i++) {
      let r = vec4<f32>(As[kk * TILE + ty + 8u * i]);
      (*acc)[2u * i] = fma(r, b0, (*acc)[2u * i]);
      (*acc)[2u * i + 1u] = fma(r, b1, (*acc)[2u * i + 1u]);
    }
  }
}

fn write_tile(acc: ptr<function, Acc>, tx: u32, ty: u32, row0: u32, col0: u32, slice: u32) {
  for (var i = 0u; i < TM; i++) {
    let row = row0 + ty + 8u * i;
    if (row >= p.rows) { continue; }
    var bv = 0.0;
    if (p.has_bias == 1u) { bv = bias[row]; }
    for (var j = 0u; j < 8u; j++) {
      let col = col0 + tx + 8u * j;
      if (col >= p.cols) { continue; }
      let v = (*acc)[2u * i + j / 4u][j % 4u];
      if (p.mode == 2u) {
        out[(slice * p.rows + row) * p.cols + col] = v;
      } else {
        let n = col / p.s_out;
        let r = col - n * p.s_out;
        if (p.has_bias == 2u) { bv = bias[row * p.v + r % p.v]; }
        out[(n * p.rows + row) * p.s_out + r] = v + bv;
      }
    }
  }
}

@compute @workgroup_size(8, 8)
fn conv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * 8u * TM;
  let col0 = p.col0 + wid.x * TILE;
  let forward = p.mode == 0u;
  let cred = select(p.cout, p.cin, forward);     // channels of the reduction
  let tv_out = p.tout * p.v;
  // loader roles: A tile, channel lid%8 of the step and rows lid/8 + 8·s;
  //               B tile, column lid (fixed for the whole reduction), all BK channels
  let kk_a = lid % 8u;
  let ar0 = lid / 8u;
  let col = col0 + lid;
  let col_ok = col < p.cols;
  // column (n, time, v) → the base offset of its b row and its time index before the tap k
  var bbase = 0u;
  var tcol = 0;
  var chan_stride = 0u;       // offset between consecutive channels of b
  if (forward) {
    let n = col / tv_out; let r = col - n * tv_out;
    let tp = r / p.v;
    bbase = n * p.cin * p.t * p.v + (r - tp * p.v);
    tcol = i32(tp * p.stride) - i32(p.pad);       // x frame = tcol + k
    chan_stride = p.t * p.v;
  } else {
    let tvi = p.t * p.v;
    let n = col / tvi; let r = col - n * tvi;
    let tt = r / p.v;
    bbase = n * p.cout * tv_out + (r - tt * p.v);
    tcol = i32(tt + p.pad);                         // dy frame = (tcol − k) / s when it divides
    chan_stride = tv_out;
  }
  var acc: Acc;
  for (var i = 0u; i < 16u; i++) { acc[i] = vec4<f32>(0.0); }

  for (var k = 0u; k < p.kt; k++) {
    // this column's frame for tap k (−1: padding, or a stride that does not divide)
    var frame = -1;
    if (forward) {
      let f = tcol + i32(k);
      if (f >= 0 && f < i32(p.t)) { frame = f; }
    } else {
      let d = tcol - i32(k);
      if (d >= 0) {
        let f = u32(d) / p.stride;
        if (f * p.stride == u32(d) && f < p.tout) { frame = i32(f); }
      }
    }
    let b_ok = col_ok && frame >= 0;
    let boff = bbase + u32(max(frame, 0)) * p.v;
    for (var c0 = 0u; c0 < cred; c0 += BK) {
      // A tile: W[o, i, k] with (o, i) = (row, channel) forward, (channel, row) for the input grad
      let ca = c0 + kk_a;
      for (var s = 0u; s < TM; s++) {
        let m = ar0 + 8u * s;
        let row = row0 + m;
        var val = 0.0;
        if (ca < cred && row < p.rows) {
          if (forward) { val = a[(row * p.cin + ca) * p.kt + k]; } else { val = a[(ca * p.cin + row) * p.kt + k]; }
        }
        As[kk_a * TILE + m] = val;
      }
      // B tile: channel c of this column at the tap's frame
      for (var kk = 0u; kk < BK; kk++) {
        let c = c0 + kk;
        var val = 0.0;
        if (b_ok && c < cred) { val = b[boff + c * chan_stride]; }
        Bs[kk * TILE + lid] = val;
      }
      workgroupBarrier();
      multiply_tiles(&acc, lid3.x, lid3.y);
      workgroupBarrier();
    }
  }
  write_tile(&acc, lid3.x, lid3.y, row0, col0, 0u);
}

@compute @workgroup_size(8, 8)
fn wgrad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * 8u * TM;
  let col0 = p.col0 + wid.x * TILE;
  let q_begin = wid.z * p.chunk;
  let q_end = min(p.red, q_begin + p.chunk);
  let tv_out = p.tout * p.v;
  // loader roles: both tiles use reduction step kk = lid%8; A rows lid/8 + 8·s, B cols lid/8 + 8·s
  let kk = lid % 8u;
  let r0 = lid / 8u;
  // my 8 B columns (i, k): x channel offset and tap, fixed for the whole reduction
  var xoff: array<u32, 8>;
  var tap: array<i32, 8>;
  var cok: array<bool, 8>;
  for (var s = 0u; s < 8u; s++) {
    let c = col0 + r0 + 8u * s;
    let i = c / p.kt;
    xoff[s] = i * p.t * p.v;
    tap[s] = i32(c - i * p.kt) - i32(p.pad);
    cok[s] = c < p.cols;
  }
  // my reduction position q = (n, t', v), advanced by BK per step without dividing
  let q0 = q_begin + kk;
  var n = q0 / tv_out;
  var rem = q0 - n * tv_out;
  var tp = rem / p.v;
  var v = rem - tp * p.v;
  var acc: Acc;
  for (var i = 0u; i < 16u; i++) { acc[i] = vec4<f32>(0.0); }

  for (var k0 = q_begin; k0 < q_end; k0 += BK) {
    let q_ok = k0 + kk < q_end;
    // A tile: dy[n, o, t', v]
    let dyoff = n * p.cout * tv_out + tp * p.v + v;
    for (var s = 0u; s < TM; s++) {
      let m = r0 + 8u * s;
      let row = row0 + m;
      var val = 0.0;
      if (q_ok && row < p.rows) { val = a[dyoff + row * tv_out]; }
      As[kk * TILE + m] = val;
    }
    // B tile: x[n, i, t'·s + k − pad, v]
    let xrow = n * p.cin * p.t * p.v + v;
    let tbase = i32(tp * p.stride);
    for (var s = 0u; s < 8u; s++) {
      let f = tbase + tap[s];
      var val = 0.0;
      if (q_ok && cok[s] && f >= 0 && f < i32(p.t)) { val = b[xrow + xoff[s] + u32(f) * p.v]; }
      Bs[kk * TILE + r0 + 8u * s] = val;
    }
    workgroupBarrier();
    multiply_tiles(&acc, lid3.x, lid3.y);
    workgroupBarrier();
    // q += BK
    v += BK;
    loop {
      if (v < p.v) { break; }
      v -= p.v;
      tp += 1u;
      if (tp == p.tout) { tp = 0u; n += 1u; }
    }
  }
  write_tile(&acc, lid3.x, lid3.y, row0, col0, wid.z);
}
