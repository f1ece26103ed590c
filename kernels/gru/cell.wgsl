// One time step of one GRU cell (PyTorch's nn.GRU: gates r, z, n in that order), for one
// direction of one layer (src/ops/gru/layer.ts). The products with the weights are matmuls done
// before (gi: all steps at once) and around (gh: this step) these kernels; what is left per step is
// elementwise, fused here so a step costs one dispatch each way:
//   r = σ(gi_r + gh_r),  z = σ(gi_z + gh_z),  n = tanh(gi_n + r ⊙ gh_n),  h = (1 − z) ⊙ n + z ⊙ h_prev
// where gi = W_ih·x_t + b_ih and gh = W_hh·h_prev + b_hh (both biases already added).
//
// entry `forward` (one invocation per (b, j) of the B × H state):
//   reads gi[t] (T·B rows of 3H) and gh (B rows of 3H), updates hcur (B × H) in place (the state the
//   next step's matmul reads), writes h to seq[t, b, col + j] (rows of `width`: the layer output
//   holding both directions side by side) and, when p.flags & SAVE, r, z, n and gh_n to
//   saved[t] (rows of 4H): exactly what the backward needs besides the outputs.
// entry `backward` (one invocation per (b, j)), for step t processed in reverse order:
//   dh = dseq[t, b, col + j] + (p.flags & CARRY ? drec + ddir : 0)
//   where drec = (the later step's dgh)·W_hh (a matmul between the dispatches) and ddir = z ⊙ dh of
//   the later step; h_prev is seq[tprev] (flags HAS_PREV), else h0 (HAS_H0), else 0. Writes
//     d(pre-activations) of the input side  dgi  = [dr, dz, dn]      as rows (T·B × 3H) and as
//                                                                       columns dgit (3H × T·B),
//     of the hidden side                    dght = [dr, dz, dn ⊙ r]  as columns (3H × T·B),
//     and this step's hidden side again     dgh  (B × 3H) for the next matmul, ddir ← z ⊙ dh.
//   The column layouts make the weight gradients (dgit·X, dght·H_prev) matmuls with a row-major
//   left operand, the fast path of the software-adapter matmul (docs/gru.md).
// entry `prev` (one invocation per (t, b, j)): out[t, b, j] = the state this direction read at
//   step t: seq[tprev(t)] (tprev = t − 1, or t + 1 when p.rev), h0 or 0 at its first step — the
//   right operand of the hidden weights' gradient.
// Bindings: 0 params; forward: 1 gi, 2 gh, 3 hcur, 4 seq, 5 saved; backward: 6 dseq, 5 saved,
//   4 seq, 7 h0, 8 drec, 9 ddir, 10 dgi, 11 dgit, 12 dght, 13 dgh; prev: 4 seq, 7 h0, 14 out.
// Workgroup: WG invocations, 1-D grid folded into 2-D.
// #include "lib/flat_id.wgsl"

struct Params {
  b: u32,       // batch rows B
  h: u32,       // hidden size H
  t: u32,       // this step's time index
  tprev: u32,   // backward: the time index of h_prev (when flags & HAS_PREV)
  tb: u32,      // T·B, the rows of the sequence buffers
  width: u32,   // row width of seq / dseq (D·H for D directions)
  col: u32,     // this direction's first column in seq (d·H)
  flags: u32,   // SAVE 1, CARRY 2, HAS_PREV 4, HAS_H0 8
  nt: u32,      // prev: T
  rev: u32,     // prev: 1 when this direction reads the sequence backwards
}
const SAVE = 1u;
const CARRY = 2u;
const HAS_PREV = 4u;
const HAS_H0 = 8u;

override WG: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gi: array<f32>;
@group(0) @binding(2) var<storage, read> gh: array<f32>;
@group(0) @binding(3) var<storage, read_write> hcur: array<f32>;
@group(0) @binding(4) var<storage, read_write> seq: array<f32>;
@group(0) @binding(5) var<storage, read_write> saved: array<f32>;
@group(0) @binding(6) var<storage, read> dseq: array<f32>;
@group(0) @binding(7) var<storage, read> h0: array<f32>;
@group(0) @binding(8) var<storage, read> drec: array<f32>;
@group(0) @binding(9) var<storage, read_write> ddir: array<f32>;
@group(0) @binding(10) var<storage, read_write> dgi: array<f32>;
@group(0) @binding(11) var<storage, read_write> dgit: array<f32>;
@group(0) @binding(12) var<storage, read_write> dght: array<f32>;
@group(0) @binding(13) var<storage, read_write> dgh: array<f32>;
@group(0) @binding(14) var<storage, read_write> out: array<f32>;

fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
// tanh saturates to ±1 in f32 long before ±15; the clamp keeps an exp-based implementation of
// the builtin away from inf / inf
fn tanh_c(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.b * p.h) { return; }
  let b = i / p.h;
  let j = i - b * p.h;
  let H = p.h;
  let row = p.t * p.b + b;
  let gx = row * 3u * H + j;
  let gy = b * 3u * H + j;
  let hn = gh[gy + 2u * H];
  let r = sigmoid(gi[gx] + gh[gy]);
  let z = sigmoid(gi[gx + H] + gh[gy + H]);
  let n = tanh_c(gi[gx + 2u * H] + r * hn);
  let h = n + z * (hcur[i] - n);
  hcur[i] = h;
  seq[row * p.width + p.col + j] = h;
  if ((p.flags & SAVE) != 0u) {
    let s = row * 4u * H + j;
    saved[s] = r;
    saved[s + H] = z;
    saved[s + 2u * H] = n;
    saved[s + 3u * H] = hn;
  }
}

/** The state the cell read at step t: the neighbouring step's output, else h0, else 0. */
fn state_before(has_prev: bool, tprev: u32, b: u32, j: u32, i: u32) -> f32 {
  if (has_prev) { return seq[(tprev * p.b + b) * p.width + p.col + j]; }
  if ((p.flags & HAS_H0) != 0u) { return h0[i]; }
  return 0.0;
}

@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let i = flat_id(wid, nwg, lid, WG);
  if (i >= p.b * p.h) { return; }
  let b = i / p.h;
  let j = i - b * p.h;
  let H = p.h;
  let row = p.t * p.b + b;
  var dh = dseq[row * p.width + p.col + j];
  if ((p.flags & CARRY) != 0u) { dh += drec[i] + ddir[i]; }
  let s = row * 4u * H + j;
  let r = saved[s];
  let z = saved[s + H];
  let n = saved[s + 2u * H];
  let hn = saved[s + 3u * H];
  let hp = state_before((p.flags & HAS_PREV) != 0u, p.tprev, b, j, i);
  ddir[i] = z * dh;
  let dn = dh * (1.0 - z) * (1.0 - n * n);
  let dz = dh * (hp - n) * z * (1.0 - z);
  let dr = dn * hn * r * (1.0 - r);
  let dnh = dn * r;
  let gx = row * 3u * H + j;
  dgi[gx] = dr;
  dgi[gx + H] = dz;
  dgi[gx + 2u * H] = dn;
  let c = j * p.tb + row;           // column layouts: gate row g·H + j, column t·B + b
  let hb = H * p.tb;
  dgit[c] = dr;
  dgit[c + hb] = dz;
  dgit[c + 2u * hb] = dn;
  dght[c] = dr;
  dght[c + hb] = dz;
  dght[c + 2u * hb] = dnh;
  let gy = b * 3u * H + j;
  dgh[gy] = dr;
  dgh[gy + H] = dz;
  dgh[gy + 2u * H] = dnh;
}

@compute @workgroup_size(WG)
fn prev(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let k = flat_id(wid, nwg, lid, WG);
  let bh = p.b * p.h;
  if (k >= p.nt * bh) { return; }
  let t = k / bh;
  let i = k - t * bh;
  let b = i / p.h;
  let j = i - b * p.h;
  var first = t == 0u;
  var tprev = t - 1u;
  if (p.rev != 0u) { first = t + 1u == p.nt; tprev = t + 1u; }
  out[k] = state_before(!first, tprev, b, j, i);
}
