// Row-wise ops over the last axis of x viewed as (rows, width): the softmax family and the
// losses built on it.
// Layout: each row is handled y `lanes` invocations (a power of two ≤ WG, chosen y the host
// from the width: 1 = one row per invocation for tiny rows, WG = one row per workgroup for wide
// ones), so a workgroup holds WG / lanes rows. Lanes stride over the row, then combine with a
// tree in workgroup memory restricted to their row's segment. Rows past the end still take part
// in every barrier (barriers stay in uniform control flow) but touch no memory.
//
// Bindings: 0 params, 1 x, 2 out, 3 aux (one f32 per row), 4 labels (i32 per row; op 3), 5 y,
// 6 g, 7 dx. Entry `forward` reads x, labels and writes out, aux:
//   op 0 softmax      out = exp(x − m) / s,  aux = logsumexp       (m, s: online max / Σ exp)
//   op 1 log-softmax  out = x − lse,         aux = lse
//   op 2 l2-normalise out = x / max(‖x‖, eps), aux = ‖x‖
//   op 3 cross-entropy out[row] = lse − x[label], aux = (m, log s) as two values per row (0 loss for
//                     a label outside [0, width)); the backward's exp((x − m) − log s) keeps the
//                     precision that exp(x − lse) would lose to rounding lse in f32
// Entry `backward` reads y (the forward output; the logits x for op 3), g, aux, labels and writes dx:
//   op 0  dx = y · (g − Σ g·y)
//   op 1  dx = g − exp(y) · Σ g
//   op 2  dx = (g − y · Σ g·y · [‖x‖ > eps]) / max(‖x‖, eps)
//   op 3  dx = (softmax(x) − onehot(label)) · g[row]        (g has one value per row; 0 for a bad label)
// Params: rows, width, lanes, op, eps (f32).

struct Params { rows: u32, width: u32, lanes: u32, op: u32, eps: f32 }
override WG: u32 = 256u;
@group(0) @binding(0) var<uniform> p: Params;

var<workgroup> red_m: array<f32, WG>;
var<workgroup> red_s: array<f32, WG>;

const NEG_INF: f32 = -3.4028234e38;

// Combines this lane's (m, s) with the other lanes of its row; returns the row's (m, s) to all of
// them. online = true: s is Σ exp(x − m) and pairs rescale to the larger max; else plain sums.
fn row_reduce(lid: u32, sub: u32, m: f32, s: f32, online: bool) -> vec2<f32> {
  red_m[lid] = m;
  red_s[lid] = s;
  workgroupBarrier();
  for (var st = p.lanes / 2u; st > 0u; st >>= 1u) {
    if (sub < st) {
      let m2 = red_m[lid + st];
      let s2 = red_s[lid + st];
      if (online) {
        let m1 = red_m[lid];
        let mm = max(m1, m2);
        red_s[lid] = red_s[lid] * exp(m1 - mm) + s2 * exp(m2 - mm);
        red_m[lid] = mm;
      } else {
        red_s[lid] += s2;
      }
    }
    workgroupBarrier();
  }
  let head = lid - sub;
  return vec2<f32>(red_m[head], red_s[head]);
}

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<storage, read_write> aux: array<f32>;
@group(0) @binding(4) var<storage, read> labels: array<i32>;
@group(0) @binding(5) var<storage, read> y: array<f32>;
@group(0) @binding(6) var<storage, read> g: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let sub = lid % p.lanes;
  let row = (wid.x + wid.y * nwg.x) * (WG / p.lanes) + lid / p.lanes;
  let valid = row < p.rows;
  let base = row * p.width;
  let op = p.op;
  var lab: i32 = -1;
  var picked: f32 = 0.0;
  if (valid && op >= 3u) {
    lab = labels[row];
    if (lab >= 0 && u32(lab) < p.width) { picked = x[base + u32(lab)]; } else { lab = -1; }
  }
  var m = NEG_INF;
  var s = 0.0;
  if (valid) {
    for (var j = sub; j < p.width; j += p.lanes) {
      let v = x[base + j];
      if (op == 2u) {
        s += v * v;
      } else if (v > m) {
        s = s * exp(m - v) + 1.0;
        m = v;
      } else {
        s += exp(v - m);
      }
    }
  }
  let r = row_reduce(lid, sub, m, s, op == 0u || op == 1u || op == 3u);
  if (!valid) { return; }
  // x − lse as (x − m) − log s: the first difference is exact for nearby values, so large logits
  // keep their precision
  let log_s = log(r.y);
  let lse = r.x + log_s;
  if (op >= 3u) {
    if (sub == 0u) {
      var v = 0.0;
      if (lab >= 0) { v = (r.x - picked) + log_s; }
      out[row] = v;
      aux[2u * row] = r.x;
      aux[2u * row + 1u] = log_s;
    }
    return;
  }
  let norm = sqrt(r.y);
  let inv_norm = 1.0 / max(norm, p.eps);
  let inv_s = 1.0 / r.y;
  for (var j = sub; j < p.width; j += p.lanes) {
    let v = x[base + j];
    var o: f32;
    if (op == 0u) { o = exp(v - r.x) * inv_s; } else if (op == 1u) { o = (v - r.x) - log_s; } else { o = v * inv_norm; }
    out[base + j] = o;
  }
  if (sub == 0u) { aux[row] = select(lse, norm, op == 2u); }
}


@compute @workgroup_size(WG)
fn backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let sub = lid % p.lanes;
  let row = (wid.x + wid.y * nwg.x) * (WG / p.lanes) + lid / p.lanes;
  let valid = row < p.rows;
  let base = row * p.width;
  let op = p.op;
  var dot = 0.0;
  if (valid && op <= 2u) {
    for (var j = sub; j < p.width; j += p.lanes) {
      let gv = g[base + j];
      dot += select(gv * y[base + j], gv, op == 1u);
    }
  }
  let r = row_reduce(lid, sub, 0.0, dot, false);
  if (!valid) { return; }
  let total = r.y;
  if (op >= 3u) {
    let lab = labels[row];
    // rows whose label is outside [0, width) had a zero loss: they pass no gradient
    let grow = select(0.0, g[row], lab >= 0 && u32(lab) < p.width);
    let m = aux[2u * row];
    let log_s = aux[2u * row + 1u];
    for (var j = sub; j < p.width; j += p.lanes) {
      let hot = select(0.0, 1.0, i32(j) == lab);
      var o = -hot;
      o += exp((y[base + j] - m) - log_s);
      dx[base + j] = o * grow;
    }
    return;
  }
  var n = 1.0;
  if (op == 2u) { n = aux[row]; }
  let keep = select(0.0, 1.0, n > p.eps);
  let inv = 1.0 / max(n, p.eps);
  for (var j = sub; j < p.width; j += p.lanes) {
    let gv = g[base + j];
    let yv = y[base + j];
    var o: f32;
    if (op == 0u) { o = yv * (gv - total); } else if (op == 1u) { o = gv - exp(yv) * total; } else { o = (gv - yv * total * keep) * inv; }
    dx[base + j] = o;
  }
}
