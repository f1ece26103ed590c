/**
 * The classification loss. Cross-entropy is a fused row kernel (kernels/softmax.wgsl op 3): the
 * forward is logsumexp − picked logit per row and the backward builds (softmax − onehot)·g in one
 * pass, the labels staying an int32 tensor on the GPU.
 * Labels outside [0, C) give a zero loss and zero gradient for their row (the mean still divides by N).
 */
import { Tensor } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { sumAxes, mean, lseRef } from './reduce.js';
import { RowOp, rowForward, rowBackward } from './softmax.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(perRow: Tensor, reduction: Reduction): Tensor {
  return reduction === 'none' ? perRow : reduction === 'sum' ? sumAxes(perRow) : mean(perRow);
}

function checkLabels(x: Tensor, labels: Tensor, what: string): void {
  if (labels.dtype !== 'i32') throw new Error(`${what}: labels must be an i32 tensor`);
  const rows = x.size / (x.shape.at(-1) ?? 1);
  if (labels.size !== rows) throw new Error(`${what}: ${labels.size} labels for ${rows} rows of [${x.shape}]`);
}

/** Softmax cross-entropy of logits (…, C) against int32 class labels (…); mean over rows by default. */
export function crossEntropy(logits: Tensor, labels: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkLabels(logits, labels, 'crossEntropy');
  const { out, aux: lse } = rowForward(logits, RowOp.CrossEntropy, labels);
  const perRow = record('crossEntropy', out, [logits], (g) => [rowBackward(logits, g, RowOp.CrossEntropy, lse, labels)]);
  if (!perRow.requiresGrad) lse.dispose();   // only the backward needs the logsumexp
  return reduce(perRow, opts.reduction ?? 'mean');
}

// ---- float64 reference

/** Per-row −log softmax(x)[label] of logits (N, c), in float64 (0 for labels outside [0, c)). */
export function crossEntropyRowsRef(x: Float64Array, c: number, labels: readonly number[]): Float64Array {
  return Float64Array.from(labels, (lab, r) => {
    if (lab < 0 || lab >= c) return 0;
    return lseRef(x.subarray(r * c, r * c + c)) - x[r * c + lab];
  });
}
/** The per-row losses reduced as the op reduces them. */
export function lossReductionRef(rows: Float64Array, reduction: Reduction): Float64Array {
  const s = rows.reduce((a, b) => a + b, 0);
  return reduction === 'none' ? rows : Float64Array.of(reduction === 'sum' ? s : s / rows.length);
}
