/**
 * Reductions over chosen axes — kernel kernels/reduce.wgsl. Axes that are adjacent reduce in one
 * dispatch over the (outer, R, inner) view; others reduce one run of axes at a time.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { mul, sub, exp, equal, scale } from './elementwise.js';
import { expand } from './shape.js';

const WG = 256;
const enum Red { Sum, Mean, Max, LogSumExp }

function normAxes(rank: number, axes?: number | number[]): number[] {
  const list = axes === undefined ? [...Array(rank).keys()] : Array.isArray(axes) ? axes : [axes];
  return [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

/** Reduces one contiguous run of axes [lo, hi] of x. Returns values (and argmax indices for Max). */
function reduceRun(x: Tensor, lo: number, hi: number, op: Red, wantIdx = false): { out: Tensor; idx?: Tensor } {
  const outer = x.shape.slice(0, lo).reduce((a, b) => a * b, 1);
  const r = x.shape.slice(lo, hi + 1).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(hi + 1).reduce((a, b) => a * b, 1);
  const shape = [...x.shape.slice(0, lo), ...x.shape.slice(hi + 1)];
  const out = Tensor.empty(shape);
  const idx = wantIdx ? Tensor.empty(shape, 'i32') : undefined;
  const g = G();
  // one workgroup per output pays off when each output reduces many values and is contiguous
  const rows = inner === 1 && r >= 64;
  const kernel = g.kernel('reduce', rows ? 'rows' : 'cols');
  g.dispatch(kernel, { x: x.buffer, out: out.buffer, idx: idx?.buffer ?? g.placeholder }, { outer, r, inner, op },
    rows ? outer : Math.ceil((outer * inner) / WG));
  return { out, idx };
}

function reduceRaw(x: Tensor, axes: number[], op: Red): Tensor {
  // group adjacent axes into runs; reduce from the last run so earlier axis numbers stay valid
  const runs: [number, number][] = [];
  for (const a of axes) {
    const last = runs.at(-1);
    if (last && last[1] === a - 1) last[1] = a; else runs.push([a, a]);
  }
  if (runs.length > 1 && op !== Red.Sum && op !== Red.Max) throw new Error('mean/logsumexp over non-adjacent axes: reduce in steps');
  let cur = x;
  for (let i = runs.length - 1; i >= 0; i--) {
    const next = reduceRun(cur, runs[i][0], runs[i][1], op).out;
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur;
}

function keepShape(x: Tensor, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Σ over `axes` (all by default); keepDims leaves them as size-1 axes. */
export function sumAxes(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  const ax = normAxes(x.rank, axes);
  if (ax.length === 0) return x;
  const raw = reduceRaw(x, ax, Red.Sum);
  const out = keepDims ? raw.view(keepShape(x, ax)) : raw;
  return record('sum', out, [x], (g) => [expand(g.view(keepShape(x, ax)), x.shape)]);
}

export function mean(x: Tensor, axes?: number | number[], keepDims = false): Tensor {
  const ax = normAxes(x.rank, axes);
  const n = ax.reduce((a, i) => a * x.shape[i], 1);
  return scale(sumAxes(x, ax, keepDims), 1 / n);
}

/** Max over one axis, with the argmax (int32, lowest index on ties). The gradient goes to the argmax. */
export function maxAxis(x: Tensor, axis: number, keepDims = false): { values: Tensor; indices: Tensor } {
  const a = axis < 0 ? axis + x.rank : axis;
  const { out, idx } = reduceRun(x, a, a, Red.Max, true);
  const ks = keepShape(x, [a]);
  const values = record('max', keepDims ? out.view(ks) : out, [x], (g) => {
    // route g to the first maximal element: one-hot of the argmax along the axis
    const hot = oneHotAlong(idx!, x.shape, a);
    return [mul(hot, g.view(ks))];
  });
  return { values, indices: keepDims ? idx!.view(ks) : idx! };
}

/** log Σ exp over one axis (stable); gradient softmax(x)·g. */
export function logsumexp(x: Tensor, axis = -1, keepDims = false): Tensor {
  const a = axis < 0 ? axis + x.rank : axis;
  const { out } = reduceRun(x, a, a, Red.LogSumExp);
  const ks = keepShape(x, [a]);
  return record('logsumexp', keepDims ? out.view(ks) : out, [x], (g) => [mul(exp(sub(x, out.view(ks))), g.view(ks))]);
}

/** int32 → float32 (no gradient). */
export function toFloat(x: Tensor): Tensor {
  const out = Tensor.empty(x.shape);
  G().dispatch(G().kernel('cast', 'i2f'), { src: x.buffer, dst: out.buffer }, { n: x.size }, Math.ceil(x.size / WG));
  return out;
}

function oneHotAlong(idx: Tensor, shape: readonly number[], axis: number): Tensor {
  // positions along `axis` as a float ramp, compared with the argmax broadcast along the axis
  const ramp = Tensor.from(Array.from({ length: shape[axis] }, (_, i) => i), shape.map((d, i) => (i === axis ? d : 1)));
  const idxF = toFloat(idx);
  return equal(ramp, idxF.view(shape.map((d, i) => (i === axis ? 1 : d))));
}

// ---- float64 reference

/** Reduces (outer, r, inner) over r with f (sum, max, logsumexp …), in float64. */
export function reduceRef(x: Float64Array, shape: number[], axis: number, f: (vals: number[]) => number): Float64Array {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const r = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const vals: number[] = [];
    for (let j = 0; j < r; j++) vals.push(x[(o * r + j) * inner + i]);
    out[o * inner + i] = f(vals);
  }
  return out;
}

/** Reduces several axes with a reference, last first (axis numbers below stay valid). */
export function reduceAxesRef(x: Float64Array, shape: number[], axes: number[], f: (v: number[]) => number): Float64Array {
  let cur = x, s = [...shape];
  for (const a of [...axes].sort((p, q) => q - p)) { cur = reduceRef(cur, s, a, f); s = s.filter((_, i) => i !== a); }
  return cur;
}

export const sumRef = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const maxRef = (v: number[]) => Math.max(...v);
/** The first index of the maximum (ties go to the lowest index). */
export const argmaxRef = (v: number[]) => v.indexOf(Math.max(...v));

/**
 * log Σ exp(v), max-subtracted: the one logsumexp of the references (reductions, softmax rows,
 * the losses). Plain loops: typed-array spread / reduce are slow in V8 and finite differences call
 * this a lot.
 */
export function lseRef(v: ArrayLike<number>): number {
  let m = -Infinity, s = 0;
  for (let j = 0; j < v.length; j++) m = Math.max(m, v[j]);
  for (let j = 0; j < v.length; j++) s += Math.exp(v[j] - m);
  return m + Math.log(s);
}
