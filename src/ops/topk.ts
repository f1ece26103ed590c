/**
 * Top-k per row — kernels/topk.wgsl: a radix select on the float bit pattern (four 8-bit passes
 * of a workgroup histogram), not a sort, so a row of 65536 costs five reads of the row. Ties are
 * broken towards the lower index, so the selection is deterministic and exactly k per row.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { zeros } from './elementwise.js';
import { sizeClass } from '../gpu/tuning.js';
import { kernelSetting, tunedConstant } from '../gpu/policy.js';

const WG = 256;
/** The largest k `topk` (sorted values and indices) supports; `topkMask` takes any k. */
export const TOPK_MAX_SORTED = 64;

function rowsCols(x: Tensor, k: number, maxK: number, what: string): [number, number] {
  if (x.rank < 1) throw new Error(`${what}: needs at least one axis`);
  const cols = x.shape[x.rank - 1];
  const rows = x.size / Math.max(cols, 1);
  if (!Number.isInteger(k) || k < 1 || k > Math.min(cols, maxK)) throw new Error(`${what}: k = ${k} must be in 1 … ${Math.min(cols, maxK)} for rows of ${cols}`);
  return [rows, cols];
}

/** The tuning cache's shape class of a top-k mask (docs/tuning.md): sizes rounded up to powers of two. */
export const topkShapeClass = (rows: number, cols: number, k: number): string => `${sizeClass(rows)}x${sizeClass(cols)}k${sizeClass(k)}`;

/**
 * The mask entry's workgroup size: a size forced through the kernel policy, else the tuned one
 * (`train.js tune --only topk`), else the policy's default (256 on GPUs, 32 on software adapters,
 * whose 8-lane SIMD groups each yield at every barrier of the histogram passes:
 * docs/bench.md#software-adapters). Any size selects
 * exactly the same elements (the histogram counts and the tie ranks do not depend on it).
 */
function maskOverrides(rows: number, cols: number, k: number): { WG?: number } {
  const g = G();
  const setting = kernelSetting('topk');
  const tuned = tunedConstant('topk', topkShapeClass(rows, cols, k), 'WG');
  const max = Math.min(g.limits.maxComputeInvocationsPerWorkgroup, g.limits.maxComputeWorkgroupSizeX, 1024);
  const usable = (w: number | undefined): w is number => w !== undefined && Number.isInteger(w) && w >= 32 && w <= max;
  const wg = setting.source === 'forced' ? Number(setting.value) : usable(tuned) ? tuned : Number(setting.value);
  return wg !== WG ? { WG: wg } : {};
}

/**
 * 1/0 mask (same shape as x) of the k largest values along the last axis, and the per-row
 * threshold (the k-th largest value; shape x.shape without the last axis). No gradient.
 */
export function topkMask(x: Tensor, k: number): { mask: Tensor; threshold: Tensor } {
  const [rows, cols] = rowsCols(x, k, Infinity, 'topkMask');
  const mask = Tensor.empty(x.shape), threshold = Tensor.empty(x.shape.slice(0, -1));
  const g = G();
  g.dispatch(g.kernel('topk', 'mask', maskOverrides(rows, cols, k)), { x: x.buffer, selection: mask.buffer, threshold: threshold.buffer }, { rows, cols, k }, rows);
  return { mask, threshold };
}

/**
 * The k (≤ 64) largest values along the last axis, sorted descending (equal values: lower index
 * first), and their int32 indices. The gradient of `values` scatters back to those positions.
 */
export function topk(x: Tensor, k: number): { values: Tensor; indices: Tensor } {
  const [rows, cols] = rowsCols(x, k, TOPK_MAX_SORTED, 'topk');
  const shape = [...x.shape.slice(0, -1), k];
  const values = Tensor.empty(shape), indices = Tensor.empty(shape, 'i32');
  const g = G();
  g.dispatch(g.kernel('topk', 'topk'), { x: x.buffer, values: values.buffer, indices: indices.buffer }, { rows, cols, k }, rows);
  record('topk', values, [x], (gv) => {
    const dx = zeros(x.shape);
    g.dispatch(g.kernel('topk', 'scatter'), { g: gv.buffer, indices: indices.buffer, dx: dx.buffer }, { rows, cols, k }, Math.ceil((rows * k) / WG));
    return [dx];
  });
  return { values, indices };
}

// ---- float64 reference

/** The reference selection: indices of the k largest per row by a stable sort (value desc, index asc). */
export function topkRef(x: ArrayLike<number>, cols: number, k: number): { mask: Float64Array; threshold: Float64Array; order: Int32Array } {
  const rows = x.length / cols;
  const mask = new Float64Array(x.length), threshold = new Float64Array(rows), order = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const idx = Array.from({ length: cols }, (_, j) => j);
    idx.sort((a, b) => (x[r * cols + b] - x[r * cols + a]) || (a - b));
    for (let q = 0; q < k; q++) { mask[r * cols + idx[q]] = 1; order[r * k + q] = idx[q]; }
    threshold[r] = x[r * cols + idx[k - 1]];
  }
  return { mask, threshold, order };
}
