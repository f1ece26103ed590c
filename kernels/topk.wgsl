// Top-k per row of x (rows, cols), by radix select — no sort. Floats map to u32 keys whose unsigned
// order is the float order (−0 counts as +0, so the two tie). Four passes over the row, 8 bits
// each from the top, histogram the keys that share the prefix found so far (workgroup atomics)
// and pick the digit where the count from above reaches k. That yields T, the key of the k-th
// largest value, and `need`, how many of the elements equal to T are selected; ties at T go to
// the lowest indices (a per-invocation range count and a workgroup scan, only when needed).
//
// Bindings: 0 params, 1 x, 2 selection (f32 0/1), 3 threshold, 4 values (rows, k), 5 indices (i32,
// rows × k), 6 g, 7 dx.
// mask    (one workgroup of WG = 256 per row, 1-D grid folded into 2-D): selection = 1 for the k
//         selected elements of x, 0 elsewhere; threshold[row] = the k-th largest value.
// topk    (same layout, k ≤ 64): the selected values of x sorted descending (ties: lower index
//         first) into values, and their column indices into indices.
// scatter (one invocation per (row, j) of a (rows, k) gradient g, 1-D grid): dx[row, indices[row, j]]
//         = g[row, j] into a zeroed dx.
// #include "lib/flat_id.wgsl"

struct Params { rows: u32, cols: u32, k: u32 }
override WG: u32 = 256u;
const MAXK: u32 = 64u;
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> selection: array<f32>;
@group(0) @binding(3) var<storage, read_write> threshold: array<f32>;
@group(0) @binding(4) var<storage, read_write> values: array<f32>;
@group(0) @binding(5) var<storage, read_write> indices: array<i32>;
@group(0) @binding(6) var<storage, read> g: array<f32>;
@group(0) @binding(7) var<storage, read_write> dx: array<f32>;

var<workgroup> hist: array<atomic<u32>, 256>;
var<workgroup> scan_a: array<u32, WG>;
var<workgroup> scan_b: array<u32, WG>;
var<workgroup> sh_digit: u32;
var<workgroup> sh_rem: u32;
var<workgroup> sh_cnt: u32;
var<workgroup> sh_tie: u32;
var<workgroup> top_key: array<u32, MAXK>;
var<workgroup> top_val: array<f32, MAXK>;
var<workgroup> top_idx: array<u32, MAXK>;

fn key_of(v: f32) -> u32 {
  var b = bitcast<u32>(v);
  if (b == 0x80000000u) { b = 0u; }
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn value_of(key: u32) -> f32 {
  return bitcast<f32>(select(~key, key ^ 0x80000000u, (key & 0x80000000u) != 0u));
}

struct Selection { t: u32, need: u32 }

// Radix select of row `row`; every invocation returns the same (T, need). sh_tie = 1 when more
// elements equal T than are selected.
fn select_kth(base: u32, lid: u32) -> Selection {
  var prefix = 0u;
  var known = 0u;          // the key bits fixed so far
  var remaining = p.k;     // how many to take among keys matching the prefix
  for (var round = 0u; round < 4u; round++) {
    let shift = 24u - 8u * round;
    for (var b = lid; b < 256u; b += WG) { atomicStore(&hist[b], 0u); }
    workgroupBarrier();
    for (var j = lid; j < p.cols; j += WG) {
      let key = key_of(x[base + j]);
      if ((key & known) == prefix) { atomicAdd(&hist[(key >> shift) & 255u], 1u); }
    }
    workgroupBarrier();
    if (lid == 0u) {
      var acc = 0u;
      var d = 255u;
      loop {
        let c = atomicLoad(&hist[d]);
        if (acc + c >= remaining || d == 0u) { sh_digit = d; sh_rem = remaining - acc; sh_cnt = c; break; }
        acc += c;
        d -= 1u;
      }
    }
    workgroupBarrier();
    prefix |= sh_digit << shift;
    known |= 255u << shift;
    remaining = sh_rem;
  }
  if (lid == 0u) { sh_tie = select(0u, 1u, sh_cnt > remaining); }
  return Selection(prefix, remaining);
}

// The contiguous column range of invocation lid (used where index order matters).
fn range_of(lid: u32) -> vec2<u32> {
  let len = (p.cols + WG - 1u) / WG;
  let lo = min(p.cols, lid * len);
  return vec2<u32>(lo, min(p.cols, lo + len));
}

// Exclusive prefix sums of scan_a and scan_b over the invocations (Hillis–Steele), returned for lid.
fn scan2(lid: u32) -> vec2<u32> {
  let own = vec2<u32>(scan_a[lid], scan_b[lid]);
  workgroupBarrier();
  for (var off = 1u; off < WG; off <<= 1u) {
    var a = scan_a[lid]; var b = scan_b[lid];
    if (lid >= off) { a += scan_a[lid - off]; b += scan_b[lid - off]; }
    workgroupBarrier();
    scan_a[lid] = a; scan_b[lid] = b;
    workgroupBarrier();
  }
  return vec2<u32>(scan_a[lid], scan_b[lid]) - own;
}

@compute @workgroup_size(WG)
fn mask(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }  // uniform per workgroup
  let base = row * p.cols;
  let s = select_kth(base, lid);
  if (lid == 0u) { threshold[row] = value_of(s.t); }
  if (workgroupUniformLoad(&sh_tie) == 0u) {
    for (var j = lid; j < p.cols; j += WG) {
      selection[base + j] = select(0.0, 1.0, key_of(x[base + j]) >= s.t);
    }
    return;
  }
  // ties at T: rank the equal elements by index
  let r = range_of(lid);
  var eq = 0u;
  for (var j = r.x; j < r.y; j++) { if (key_of(x[base + j]) == s.t) { eq++; } }
  scan_a[lid] = eq; scan_b[lid] = 0u;
  var before = scan2(lid).x;
  for (var j = r.x; j < r.y; j++) {
    let key = key_of(x[base + j]);
    var on = key > s.t;
    if (key == s.t) { on = before < s.need; before++; }
    selection[base + j] = select(0.0, 1.0, on);
  }
}

@compute @workgroup_size(WG)
fn topk(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.rows) { return; }
  let base = row * p.cols;
  let s = select_kth(base, lid);
  // compact the selected elements in index order: slot = (# greater before) + min(# equal before, need)
  let r = range_of(lid);
  var gt = 0u; var eq = 0u;
  for (var j = r.x; j < r.y; j++) {
    let key = key_of(x[base + j]);
    if (key > s.t) { gt++; } else if (key == s.t) { eq++; }
  }
  scan_a[lid] = gt; scan_b[lid] = eq;
  let pre = scan2(lid);
  var gtRun = pre.x; var eqRun = pre.y;
  for (var j = r.x; j < r.y; j++) {
    let v = x[base + j];
    let key = key_of(v);
    var slot = MAXK;
    if (key > s.t) { slot = gtRun + min(eqRun, s.need); gtRun++; }
    else if (key == s.t) { if (eqRun < s.need) { slot = gtRun + eqRun; } eqRun++; }
    if (slot < MAXK) { top_key[slot] = key; top_val[slot] = v; top_idx[slot] = j; }
  }
  workgroupBarrier();
  // rank sort of the ≤ 64 winners: larger key first, then lower index
  if (lid < p.k && lid < MAXK) {
    let ka = top_key[lid]; let ia = top_idx[lid];
    var rank = 0u;
    for (var b = 0u; b < min(p.k, MAXK); b++) {
      let kb = top_key[b]; let ib = top_idx[b];
      if (kb > ka || (kb == ka && ib < ia)) { rank++; }
    }
    values[row * p.k + rank] = top_val[lid];
    indices[row * p.k + rank] = i32(ia);
  }
}

@compute @workgroup_size(WG)
fn scatter(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let t = flat_id(wid, nwg, lid, WG);
  if (t >= p.rows * p.k) { return; }
  let row = t / p.k;
  let col = u32(indices[t]);
  if (col < p.cols) { dx[row * p.cols + col] = g[t]; }
}
