/**
 * Losses and evaluation counts. Cross-entropy, NLL and the top-k hit test are fused row kernels
 * (kernels/softmax.wgsl ops 3–5): the forward is logsumexp − picked logit per row and the backward
 * builds (softmax − onehot)·g in one pass, the labels staying an int32 tensor on the GPU.
 * Labels outside [0, C) give a zero loss and zero gradient for their row (the mean still divides by N).
 */
import { Tensor } from '../tensor/tensor.js';
import { record, noGrad } from '../tensor/autograd.js';
import { mul, log, maximum, fill, sub, scale } from './elementwise.js';
import { sumAxes, mean } from './reduce.js';
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

/** Negative log-likelihood of log-probabilities (…, C) at int32 labels (…). */
export function nllLoss(logProbs: Tensor, labels: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  checkLabels(logProbs, labels, 'nllLoss');
  const { out, aux } = rowForward(logProbs, RowOp.Nll, labels);
  aux.dispose();
  const perRow = record('nllLoss', out, [logProbs], (g) => [rowBackward(logProbs, g, RowOp.Nll, undefined, labels)]);
  return reduce(perRow, opts.reduction ?? 'mean');
}

/**
 * KL(p ‖ q) = Σ p·(log p − log q) from student log-probabilities logQ and target probabilities p
 * (same shape, rows over the last axis), 0·log 0 = 0; divided by the batch size (the first dim)
 * for 'batchmean' (torch's recommended reduction), or summed. The gradient goes only into logQ
 * (−p·g/N): p is a target, detached even if it requires a gradient elsewhere.
 */
export function klDiv(logQ: Tensor, p: Tensor, opts: { reduction?: 'batchmean' | 'sum' } = {}): Tensor {
  if (logQ.size !== p.size) throw new Error(`klDiv: [${logQ.shape}] vs [${p.shape}]`);
  const target = p.view(p.shape);                       // a fresh tensor with no tape: detached
  const cross = sumAxes(mul(target, logQ));             // Σ p·log q, the only part with a gradient
  // Σ p·log p: clamping p away from 0 makes 0·log 0 vanish (p·log 1e-30 ≈ 0 for any p < 1e-30)
  const negEntropy = noGrad(() => sumAxes(mul(target, log(maximum(target, fill([1], 1e-30))))));
  const total = sub(negEntropy, cross);
  return (opts.reduction ?? 'batchmean') === 'sum' ? total : scale(total, 1 / (logQ.shape[0] ?? 1));
}

/**
 * How many rows have their label among the k largest logits (ties go to the lower index, as in
 * argmax). No gradient; returns a scalar f32 tensor holding the count.
 */
export function accuracyTopK(logits: Tensor, labels: Tensor, k = 1): Tensor {
  checkLabels(logits, labels, 'accuracyTopK');
  return noGrad(() => {
    const { out: hits, aux } = rowForward(logits, RowOp.TopKHit, labels, 0, k);
    aux.dispose();
    const count = sumAxes(hits);
    if (count !== hits) hits.dispose();
    return count;
  });
}
