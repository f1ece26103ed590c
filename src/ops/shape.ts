/**
 * Shape ops — reshape (a view), permute/transpose, slice, pad, concat, expand, and small helpers
 * built on them. Everything that moves data is one strided-copy kernel (kernels/shape.wgsl)
 * described by per-dim (size, src stride, dst stride, copied range); before dispatch, adjacent
 * dims that stay contiguous on both sides are merged, so most copies run at rank 1–3 whatever the
 * tensor's rank. f32 and i32 tensors both work (words are copied bit-exactly); gradients flow for f32.
 */
import { Tensor, G, sameShape, stridesOf } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { sumTo, broadcastShape } from './elementwise.js';

const WG = 256;
const MAX_RANK = 8;

/** One dim of a strided copy: iteration size, strides, and the coordinate range [lo, hi) that copies (else fill). */
interface Dim { n: number; ss: number; ds: number; lo: number; hi: number }

const f32Bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];

/** Drops size-1 dims and merges neighbours that are contiguous in both src and dst. */
function coalesce(dims: Dim[]): Dim[] {
  const out: Dim[] = [];
  for (const d of dims) {
    if (d.n === 1 && d.lo <= 0 && d.hi >= 1) continue;   // coordinate always 0 and always inside
    const prev = out.at(-1);
    // prev is the outer dim: mergeable when d is fully copied and prev steps over exactly one d
    if (prev && d.lo === 0 && d.hi === d.n && prev.ss === d.ss * d.n && prev.ds === d.ds * d.n) {
      out[out.length - 1] = { n: prev.n * d.n, ss: d.ss, ds: d.ds, lo: prev.lo * d.n, hi: prev.hi * d.n };
    } else out.push({ ...d });
  }
  return out;
}

function pack(v: number[]): number[] { const r = new Array(8).fill(0); v.forEach((x, i) => (r[i] = x)); return r; }

/** Records one strided-copy dispatch from src into dst (dst must already exist). */
function stridedCopy(src: Tensor, dst: Tensor, dims: Dim[], sbase: number, dbase: number, fill = 0): void {
  const ds = coalesce(dims);
  if (ds.length > MAX_RANK) throw new Error(`shape ops: copy of rank ${ds.length} > ${MAX_RANK} after merging contiguous dims`);
  const n = ds.reduce((a, d) => a * d.n, 1);
  if (n === 0) return;
  const check = ds.some((d) => d.lo > 0 || d.hi < d.n) ? 1 : 0;
  const fillBits = src.dtype === 'i32' ? fill | 0 : f32Bits(fill);
  // pads read src at (c − lo): fold −Σ lo·ss into the base (u32 wrap-around in the kernel)
  const base = sbase - ds.reduce((a, d) => a + d.lo * d.ss, 0);
  const g = G();
  g.dispatch(g.kernel('shape'), { src: src.buffer, dst: dst.buffer }, {
    n, rank: ds.length, sbase: base >>> 0, dbase, fill: fillBits >>> 0, check,
    shape: pack(ds.map((d) => d.n)), ss: pack(ds.map((d) => d.ss)), ds: pack(ds.map((d) => d.ds)),
    lo: pack(ds.map((d) => d.lo)), hi: pack(ds.map((d) => d.hi)),
  }, Math.ceil(n / WG));
}

/**
 * Copies src, `rows` × `cols` contiguous, into dst at element off + r·stride + c (a block of a wider
 * matrix). No gradient: for ops that assemble their own outputs.
 */
export function copyRowsInto(src: Tensor, dst: Tensor, rows: number, cols: number, stride: number, off: number): void {
  if (src.size !== rows * cols || off + (rows - 1) * stride + cols > dst.size) {
    throw new Error(`copyRowsInto: [${src.shape}] as ${rows} × ${cols} does not fit [${dst.shape}] at stride ${stride}, offset ${off}`);
  }
  stridedCopy(src, dst, [{ n: rows, ss: cols, ds: stride, lo: 0, hi: rows }, { n: cols, ss: 1, ds: 1, lo: 0, hi: cols }], 0, off);
}

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** The same data under another shape (one dim may be −1); no copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const s = shape.map((d) => (d === -1 ? x.size / known : d));
  if (sameShape(s, x.shape)) return x;
  return record('reshape', x.view(s), [x], (g) => [g.view(x.shape)]);
}

/** Reorders axes: out.shape[i] = x.shape[axes[i]]. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.rank || new Set(axes.map((a) => normAxis(a, x.rank))).size !== x.rank) {
    throw new Error(`permute: [${axes}] is not a permutation of ${x.rank} axes`);
  }
  const ax = axes.map((a) => normAxis(a, x.rank));
  if (ax.every((a, i) => a === i)) return x;
  const shape = ax.map((a) => x.shape[a]);
  const out = Tensor.empty(shape, x.dtype);
  const xs = stridesOf(x.shape), os = stridesOf(shape);
  stridedCopy(x, out, shape.map((n, i) => ({ n, ss: xs[ax[i]], ds: os[i], lo: 0, hi: n })), 0, 0);
  const inverse = new Array<number>(ax.length);
  ax.forEach((a, i) => (inverse[a] = i));
  return record('permute', out, [x], (g) => [permute(g, inverse)]);
}

export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const axes = [...Array(x.rank).keys()];
  const i = normAxis(a, x.rank), j = normAxis(b, x.rank);
  [axes[i], axes[j]] = [axes[j], axes[i]];
  return permute(x, axes);
}

/** x[..., start:end, ...] along `axis` (negative start/end count from the end, as in Python). */
export function slice(x: Tensor, axis: number, start: number, end = x.shape[normAxis(axis, x.rank)]): Tensor {
  const a = normAxis(axis, x.rank);
  const len = x.shape[a];
  const s = Math.min(len, Math.max(0, start < 0 ? start + len : start));
  const e = Math.min(len, Math.max(s, end < 0 ? end + len : end));
  if (s === 0 && e === len) return x;
  const shape = x.shape.map((d, i) => (i === a ? e - s : d));
  const out = Tensor.empty(shape, x.dtype);
  const xs = stridesOf(x.shape), os = stridesOf(shape);
  stridedCopy(x, out, shape.map((n, i) => ({ n, ss: xs[i], ds: os[i], lo: 0, hi: n })), s * xs[a], 0);
  return record('slice', out, [x], (g) => [pad(g, a, s, len - e)]);
}

/** Pads `axis` with `before` and `after` entries of `value`. */
export function pad(x: Tensor, axis: number, before: number, after: number, value = 0): Tensor {
  const a = normAxis(axis, x.rank);
  if (before < 0 || after < 0) throw new Error('pad: negative padding (use slice)');
  if (before === 0 && after === 0) return x;
  const shape = x.shape.map((d, i) => (i === a ? d + before + after : d));
  const out = Tensor.empty(shape, x.dtype);
  const xs = stridesOf(x.shape), os = stridesOf(shape);
  stridedCopy(x, out, shape.map((n, i) => (i === a
    ? { n, ss: xs[i], ds: os[i], lo: before, hi: before + x.shape[a] }
    : { n, ss: xs[i], ds: os[i], lo: 0, hi: n })), 0, 0, value);
  return record('pad', out, [x], (g) => [slice(g, a, before, before + x.shape[a])]);
}

/** Joins tensors along `axis` (all other dims equal). */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error('concat of nothing');
  const a = normAxis(axis, xs[0].rank);
  for (const t of xs) {
    if (t.rank !== xs[0].rank || t.dtype !== xs[0].dtype || t.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new Error(`concat: [${t.shape}] does not match [${xs[0].shape}] along axis ${a}`);
    }
  }
  if (xs.length === 1) return xs[0];
  const shape = xs[0].shape.map((d, i) => (i === a ? xs.reduce((s, t) => s + t.shape[a], 0) : d));
  const out = Tensor.empty(shape, xs[0].dtype);
  const os = stridesOf(shape);
  const offsets: number[] = [];
  let off = 0;
  for (const t of xs) {
    offsets.push(off);
    const ts = stridesOf(t.shape);
    stridedCopy(t, out, t.shape.map((n, i) => ({ n, ss: ts[i], ds: os[i], lo: 0, hi: n })), 0, off * os[a]);
    off += t.shape[a];
  }
  return record('concat', out, [...xs], (g) => xs.map((t, i) => (t.requiresGrad ? slice(g, a, offsets[i], offsets[i] + t.shape[a]) : undefined)));
}

/** Joins tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  return concat(xs.map((t) => unsqueeze(t, axis)), axis < 0 ? axis + xs[0].rank + 1 : axis);
}

/** Splits `axis` into consecutive pieces of the given sizes. */
export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const a = normAxis(axis, x.rank);
  if (sizes.reduce((s, n) => s + n, 0) !== x.shape[a]) throw new Error(`split: sizes [${sizes}] do not add up to ${x.shape[a]}`);
  let off = 0;
  return sizes.map((n) => { const t = slice(x, a, off, off + n); off += n; return t; });
}

/** Materialises x broadcast to `shape` (NumPy rules); the gradient sums back. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = broadcastShape(x.shape, shape);
  if (!sameShape(target, shape)) throw new Error(`expand: [${x.shape}] does not broadcast to [${shape}]`);
  if (sameShape(x.shape, shape)) return x;
  const out = Tensor.empty(shape, x.dtype);
  const xs = stridesOf(x.shape), os = stridesOf(shape);
  const off = shape.length - x.rank;
  stridedCopy(x, out, shape.map((n, i) => ({ n, ss: i < off || x.shape[i - off] === 1 ? 0 : xs[i - off], ds: os[i], lo: 0, hi: n })), 0, 0);
  return record('expand', out, [x], (g) => [sumTo(g, x.shape)]);
}

/** Inserts a size-1 axis at `axis` (a view). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes size-1 axes (the given one, or all) (a view). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis(axis, x.rank);
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} has size ${x.shape[a]}`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

// ---- float64 reference

/** out[c] = f(c) over the coordinates c of `shape` (float64 oracle builder). */
export function buildRef(shape: number[], f: (c: number[]) => number): Float64Array {
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const c = new Array(shape.length).fill(0);
  for (let i = 0; i < out.length; i++) {
    let rest = i;
    for (let k = shape.length - 1; k >= 0; k--) { c[k] = rest % shape[k]; rest = Math.floor(rest / shape[k]); }
    out[i] = f(c);
  }
  return out;
}
/** x[c] of a row-major x of `shape`. */
export const atRef = (x: Float64Array, shape: number[], c: number[]) => { const s = stridesOf(shape); return x[c.reduce((a, v, k) => a + v * s[k], 0)]; };

export const permuteRef = (x: Float64Array, shape: number[], axes: number[]) =>
  buildRef(axes.map((a) => shape[a]), (c) => { const src = new Array(shape.length); axes.forEach((a, i) => (src[a] = c[i])); return atRef(x, shape, src); });
export const sliceRef = (x: Float64Array, shape: number[], axis: number, s: number, e: number) =>
  buildRef(shape.map((d, i) => (i === axis ? e - s : d)), (c) => atRef(x, shape, c.map((v, i) => (i === axis ? v + s : v))));
export const padRef = (x: Float64Array, shape: number[], axis: number, before: number, after: number, value: number) =>
  buildRef(shape.map((d, i) => (i === axis ? d + before + after : d)), (c) => {
    const j = c[axis] - before;
    return j < 0 || j >= shape[axis] ? value : atRef(x, shape, c.map((v, i) => (i === axis ? j : v)));
  });
export function concatRef(xs: Float64Array[], shapes: number[][], axis: number): Float64Array {
  const total = shapes.reduce((s, sh) => s + sh[axis], 0);
  return buildRef(shapes[0].map((d, i) => (i === axis ? total : d)), (c) => {
    let j = c[axis], k = 0;
    while (j >= shapes[k][axis]) { j -= shapes[k][axis]; k++; }
    return atRef(xs[k], shapes[k], c.map((v, i) => (i === axis ? j : v)));
  });
}
export const expandRef = (x: Float64Array, shape: number[], to: number[]) =>
  buildRef(to, (c) => atRef(x, shape, shape.map((d, i) => (d === 1 ? 0 : c[i + to.length - shape.length]))));
