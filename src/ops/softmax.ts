/**
 * The softmax family over the last axis — kernels/softmax.wgsl: softmax, logSoftmax, l2Normalize,
 * each one forward dispatch (max-subtracted, one pass for max and Σ exp) and one fused backward
 * dispatch. `rowOp` is also how ops/losses.ts reaches the fused loss kernels.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import type { Bindings } from '../gpu/device.js';
import { lseRef } from './reduce.js';

const WG = 256;
export const enum RowOp { Softmax, LogSoftmax, L2Normalize, CrossEntropy }

/**
 * Invocations per row: a power of two near width/4 (each lane strides over ≥ 4 entries), capped
 * at the workgroup. 1 means one row per invocation (tiny rows), WG one row per workgroup.
 */
export function lanesFor(width: number): number {
  let lanes = 1;
  while (lanes < WG && lanes * 4 < width) lanes *= 2;
  return lanes;
}

function dispatchRows(entry: 'forward' | 'backward', buffers: Bindings, rows: number, width: number, op: RowOp, eps = 0): void {
  const lanes = lanesFor(width);
  const g = G();
  if (rows === 0) return;
  g.dispatch(g.kernel('softmax', entry), buffers, { rows, width, lanes, op, eps }, Math.ceil(rows / (WG / lanes)));
}

/** Forward row op: returns the output (x's shape, or one value per row for the loss ops) and aux (per row, see the kernel). */
export function rowForward(x: Tensor, op: RowOp, labels?: Tensor, eps = 0): { out: Tensor; aux: Tensor } {
  const width = x.shape.at(-1) ?? 1;
  const rows = x.size / Math.max(1, width);
  const perRow = op >= RowOp.CrossEntropy;
  const out = Tensor.empty(perRow ? x.shape.slice(0, -1) : x.shape);
  // cross-entropy keeps (max, log Σ exp) per row for its backward; the others one value per row
  const aux = Tensor.empty(op === RowOp.CrossEntropy ? [...x.shape.slice(0, -1), 2] : x.shape.slice(0, -1));
  dispatchRows('forward', { x: x.buffer, out: out.buffer, aux: aux.buffer, labels: labels?.buffer ?? G().placeholder }, rows, width, op, eps);
  return { out, aux };
}

/** Backward row op (see the kernel header for what y, g and aux are per op). */
export function rowBackward(y: Tensor, g: Tensor, op: RowOp, aux?: Tensor, labels?: Tensor, eps = 0): Tensor {
  const width = y.shape.at(-1) ?? 1;
  const rows = y.size / Math.max(1, width);
  const out = Tensor.empty(y.shape);
  const ph = G().placeholder;
  dispatchRows('backward', { y: y.buffer, g: g.buffer, aux: aux?.buffer ?? ph, labels: labels?.buffer ?? ph, dx: out.buffer }, rows, width, op, eps);
  return out;
}

/** softmax over the last axis; gradient y·(g − Σ g·y). */
export function softmax(x: Tensor): Tensor {
  const { out, aux } = rowForward(x, RowOp.Softmax);
  aux.dispose();
  return record('softmax', out, [x], (g) => [rowBackward(out, g, RowOp.Softmax)]);
}

/** log-softmax over the last axis; gradient g − softmax·Σ g. */
export function logSoftmax(x: Tensor): Tensor {
  const { out, aux } = rowForward(x, RowOp.LogSoftmax);
  aux.dispose();
  return record('logSoftmax', out, [x], (g) => [rowBackward(out, g, RowOp.LogSoftmax)]);
}

/** x / max(‖x‖₂, eps) over the last axis (torch.nn.functional.normalize). */
export function l2Normalize(x: Tensor, eps = 1e-12): Tensor {
  const { out, aux: norms } = rowForward(x, RowOp.L2Normalize, undefined, eps);
  const y = record('l2Normalize', out, [x], (g) => [rowBackward(out, g, RowOp.L2Normalize, norms, undefined, eps)]);
  if (!y.requiresGrad) norms.dispose();   // only the backward needs the norms
  return y;
}

// ---- float64 reference

/** Applies f to every row of the last axis (float64). */
export function rowsRef(x: Float64Array, width: number, f: (row: Float64Array) => Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / width; r++) out.set(f(x.subarray(r * width, (r + 1) * width)), r * width);
  return out;
}
export const softmaxRowRef = (v: Float64Array) => { const l = lseRef(v); return v.map((a) => Math.exp(a - l)); };
export const logSoftmaxRowRef = (v: Float64Array) => { const l = lseRef(v); return v.map((a) => a - l); };
/** x / max(‖x‖₂, eps) of one row. */
export const l2NormalizeRowRef = (eps: number) => (v: Float64Array) => {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  const n = Math.max(Math.sqrt(s), eps);
  return v.map((a) => a / n);
};
