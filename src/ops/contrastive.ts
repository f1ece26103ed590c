/**
 * Similarities against a memory queue and the fused InfoNCE loss of MoCo v2 (docs/method.md#moco;
 * the cluster loss of docs/method.md#imd is the same loss with an aggregated positive and a
 * negative mask).
 * Kernels: kernels/contrastive.wgsl (sim, rows, gradq, finish, simfin) and kernels/loss_mean.wgsl.
 *
 * The queue is (d, K), feature × slot, as MoCo stores it; it never receives a gradient (it is a
 * buffer of past keys). Forward: one tiled pass writes the raw logits (N, K+1), one workgroup per
 * row takes l_pos and the masked logsumexp, one dispatch averages the rows. Backward: the softmax
 * is recomputed from the saved per-row logsumexp inside a split-K product with Qᵀ, so the
 * (N, K) gradient matrix is never written.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { kernelSetting, tunedConstant } from '../gpu/policy.js';
import { sizeClass } from '../gpu/tuning.js';
import { gemm, operand } from './matmul/gemm.js';
import { copyRowsInto } from './shape.js';
import { lseRef } from './reduce.js';

const TILE = 64;
const WG = 256;
/** Workgroups the split-K backward aims for (enough to fill a large GPU at N = 64, d = 128); `train.js tune` may pick another. */
export const TARGET_GROUPS = 512;
const MIN_CHUNK = 256;
const enum Flag { Mask = 1, Explicit = 2 }

interface Dims { n: number; d: number; k: number }

/** The uniform params of kernels/contrastive.wgsl (lib/contrastive_params.wgsl): the sizes, and what an entry reads besides them. */
interface RowParams { ld?: number; off?: number; flags?: number; chunk?: number; nchunks?: number; inv_tau?: number; scale?: number }
const params = ({ n, d, k }: Dims, p: RowParams = {}) => ({ n, d, k, ld: 0, off: 0, flags: 0, chunk: 0, nchunks: 0, inv_tau: 0, scale: 0, ...p });

function dimsOf(x: Tensor, queue: Tensor, what: string): Dims {
  if (x.rank !== 2 || queue.rank !== 2 || x.shape[1] !== queue.shape[0]) {
    throw new Error(`${what}: expected x (N, d) and queue (d, K), got [${x.shape}] and [${queue.shape}]`);
  }
  return { n: x.shape[0], d: x.shape[1], k: queue.shape[1] };
}

/**
 * Which products take the queue — the kernel policy's `contrastive` setting (src/gpu/policy.ts):
 * `tiles` (kernels/contrastive.wgsl: `sim`, and the split-K `gradq` that recomputes the softmax
 * inside) or `gemm` (./matmul: x·Q, then a copy into place when the rows are wider; backward, G
 * written dense by `probs`, then G·Qᵀ). By default gemm on software adapters, where every depth
 * step of the tiles costs a barrier (docs/bench.md), the tiles elsewhere.
 */
export const simPath = (): 'tiles' | 'gemm' => kernelSetting('contrastive').value as 'tiles' | 'gemm';

/** Writes x·Q into `out` (rows of stride ld, starting at column off). */
function simInto(x: Tensor, queue: Tensor, out: Tensor, { n, d, k }: Dims, ld: number, off: number): void {
  const g = G();
  if (simPath() === 'gemm') {
    const direct = ld === k && off === 0;
    const c = direct ? out : Tensor.empty([n, k]);
    gemm({ M: n, N: k, K: d, batch: 1, a: operand(x, false, false), b: operand(queue, false, false), c: operand(c, false, false) });
    if (!direct) { copyRowsInto(c, out, n, k, ld, off); c.dispose(); }
    return;
  }
  g.dispatch(g.kernel('contrastive', 'sim'), { q: x.buffer, queue: queue.buffer, logits: out.buffer },
    params({ n, d, k }, { ld, off }), [Math.ceil(k / TILE), Math.ceil(n / TILE)]);
}

/** The tuning cache's shape class of a queue product (docs/tuning.md): sizes rounded up to powers of two. */
export const contrastiveShapeClass = (n: number, d: number, k: number): string => `n${sizeClass(n)}d${sizeClass(d)}k${sizeClass(k)}`;

/**
 * Slots per split-K chunk: enough chunks to occupy the GPU (`groups` workgroups in all), not so
 * many that summing them dominates.
 */
export function chunking(n: number, d: number, k: number, groups = TARGET_GROUPS): { chunk: number; nchunks: number } {
  const tiles = Math.ceil(d / TILE) * Math.ceil(n / TILE);
  const want = Math.max(1, Math.floor(groups / tiles));
  const chunk = Math.max(MIN_CHUNK, Math.ceil(Math.ceil(k / want) / 16) * 16);
  return { chunk, nchunks: Math.max(1, Math.ceil(k / chunk)) };
}

/**
 * The module of the InfoNCE row pass: the subgroup-reduction variant (kernels/contrastive_sg.wgsl)
 * where `tune` chose it for this shape (override SG = 1) and the device has subgroups, else the
 * workgroup-tree `rows` of kernels/contrastive.wgsl (the default).
 */
function rowsModule(n: number, d: number, k: number): string {
  const g = G();
  const sg = tunedConstant('contrastive', contrastiveShapeClass(n, d, k), 'SG');
  return sg === 1 && g.summary.features.includes('subgroups') ? 'contrastive_sg' : 'contrastive';
}

/**
 * partial (nchunks, N, d) with partial[z] = Σ_{j ∈ chunk z} G[n, j]·Q[:, j], G being either the
 * softmax of src/τ (from the saved lse, 0 where masked) or src itself (Flag.Explicit).
 */
function throughQueue(src: Tensor, ld: number, off: number, flags: number, stats: Tensor | undefined, mask: Tensor | undefined,
  invTau: number, queue: Tensor, { n, d, k }: Dims): { partial: Tensor; nchunks: number } {
  const g = G();
  if (simPath() === 'gemm') {
    // G dense (unless it is src itself), then one product G·Qᵀ: a single "chunk" for finish/simfin
    const explicit = (flags & Flag.Explicit) !== 0 && ld === k && off === 0;
    let gm = src;
    if (!explicit) {
      gm = Tensor.empty([n, k]);
      g.dispatch(g.kernel('contrastive', 'probs'), { src: src.buffer, stats: stats?.buffer ?? g.placeholder, mask: mask?.buffer ?? g.placeholder, partial: gm.buffer },
        params({ n, d, k }, { ld, off, flags, nchunks: 1, inv_tau: invTau }), Math.ceil((n * k) / WG));
    }
    const partial = Tensor.empty([1, n, d]);
    gemm({ M: n, N: d, K: k, batch: 1, a: operand(gm, false, false), b: operand(queue, true, false), c: operand(partial, false, false) });
    if (gm !== src) gm.dispose();
    return { partial, nchunks: 1 };
  }
  const groups = tunedConstant('contrastive', contrastiveShapeClass(n, d, k), 'GROUPS');
  const { chunk, nchunks } = chunking(n, d, k, groups !== undefined && groups >= 1 ? Math.floor(groups) : TARGET_GROUPS);
  const partial = Tensor.empty([nchunks, n, d]);
  g.dispatch(g.kernel('contrastive', 'gradq'),
    { src: src.buffer, queue: queue.buffer, stats: stats?.buffer ?? g.placeholder, mask: mask?.buffer ?? g.placeholder, partial: partial.buffer },
    params({ n, d, k }, { ld, off, flags, chunk, nchunks, inv_tau: invTau }), [Math.ceil(d / TILE), Math.ceil(n / TILE), nchunks]);
  return { partial, nchunks };
}

/** x (N, d) · queue (d, K) → (N, K) without a tape entry (keys, DNA, teachers). */
export function queueSimRaw(x: Tensor, queue: Tensor): Tensor {
  const dims = dimsOf(x, queue, 'queueSim');
  const out = Tensor.empty([dims.n, dims.k]);
  simInto(x, queue, out, dims, dims.k, 0);
  return out;
}

/**
 * x (N, d) · queue (d, K) → (N, K): the similarities of docs/method.md#cmd (t = k·Q, s = q·Q). The gradient goes
 * into x only: dx = G·Qᵀ, a split-K product over the slots.
 */
export function queueSim(x: Tensor, queue: Tensor): Tensor {
  const dims = dimsOf(x, queue, 'queueSim');
  const out = queueSimRaw(x, queue);
  return record('queueSim', out, [x], (grad) => {
    const g = G();
    const { partial, nchunks } = throughQueue(grad, dims.k, 0, Flag.Explicit, undefined, undefined, 0, queue, dims);
    const dx = Tensor.empty([dims.n, dims.d]);
    g.dispatch(g.kernel('contrastive', 'simfin'), { partial: partial.buffer, dx: dx.buffer },
      params(dims, { nchunks }), Math.ceil((dims.n * dims.d) / WG));
    partial.dispose();
    return [dx];
  });
}

export interface InfoNCEResult {
  /** Scalar: mean over rows of −log softmax([q·k, q·Q]/τ)[0]. */
  loss: Tensor;
  /** (N, K+1) raw similarities (not divided by τ): column 0 is q·k, column 1+j is q·Q[:, j]. */
  logits: Tensor;
}

/**
 * InfoNCE with the positive at index 0 (MoCo v2). `negMask` (N, K), 0/1: slots to leave out of the
 * negatives (DNA's aggregated neighbours). Gradient into q and k (k is detached in MoCo, but it is
 * supported), never into the queue.
 */
export function infoNCEWithLogits(q: Tensor, k: Tensor, queue: Tensor, tau = 0.07, negMask?: Tensor): InfoNCEResult {
  const dims = dimsOf(q, queue, 'infoNCE');
  const { n, d, k: K } = dims;
  if (k.rank !== 2 || k.shape[0] !== n || k.shape[1] !== d) throw new Error(`infoNCE: k must be [${n},${d}], got [${k.shape}]`);
  if (negMask && (negMask.rank !== 2 || negMask.shape[0] !== n || negMask.shape[1] !== K)) {
    throw new Error(`infoNCE: negMask must be [${n},${K}], got [${negMask.shape}]`);
  }
  if (!(tau > 0)) throw new Error(`infoNCE: temperature must be > 0, got ${tau}`);
  const g = G();
  const ld = K + 1;
  const flags = negMask ? Flag.Mask : 0;
  const logits = Tensor.empty([n, ld]);
  simInto(q, queue, logits, dims, ld, 1);
  const stats = Tensor.empty([n, 4]);  // per row: lse, z_pos, loss, 0 (units of logits/τ)
  g.dispatch(g.kernel(rowsModule(n, d, K), 'rows'), { q: q.buffer, k: k.buffer, logits: logits.buffer, mask: negMask?.buffer ?? g.placeholder, stats: stats.buffer },
    params(dims, { ld, off: 1, flags, inv_tau: 1 / tau }), n);
  const loss = rowMean(stats, n);
  record('infoNCE', loss, [q, k], (grad) => {
    const { partial, nchunks } = throughQueue(logits, ld, 1, flags, stats, negMask, 1 / tau, queue, dims);
    const dq = Tensor.empty([n, d]);
    const dk = Tensor.empty([n, d]);
    g.dispatch(g.kernel('contrastive', 'finish'), { partial: partial.buffer, g: grad.buffer, stats: stats.buffer, q: q.buffer, k: k.buffer, dq: dq.buffer, dk: dk.buffer },
      params(dims, { ld, off: 1, flags, nchunks, inv_tau: 1 / tau, scale: 1 / (n * tau) }), Math.ceil((n * d) / WG));
    partial.dispose();
    if (!k.requiresGrad) { dk.dispose(); return [dq, undefined]; }
    if (!q.requiresGrad) { dq.dispose(); return [undefined, dk]; }
    return [dq, dk];
  });
  return { loss, logits };
}

export function infoNCE(q: Tensor, k: Tensor, queue: Tensor, tau = 0.07, negMask?: Tensor): Tensor {
  return infoNCEWithLogits(q, k, queue, tau, negMask).loss;
}

/** Scalar mean of the per-row losses kept at slot 2 of a (N, 4) stats tensor. */
export function rowMean(stats: Tensor, n: number): Tensor {
  const g = G();
  const loss = Tensor.empty([]);
  g.dispatch(g.kernel('loss_mean'), { stats: stats.buffer, out: loss.buffer }, { n, stride: 4, slot: 2, scale: 1 / n }, 1);
  return loss;
}

// ---- float64 reference (layouts as on the GPU: row-major, queue (d, K) feature × slot)

/** x (N, d) · Q (d, K) → (N, K). */
export function queueSimRef(x: ArrayLike<number>, queue: ArrayLike<number>, n: number, d: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) {
    const xv = x[r * d + c];
    for (let j = 0; j < k; j++) out[r * k + j] += xv * queue[c * k + j];
  }
  return out;
}

/**
 * InfoNCE: mean over rows of −log softmax([q·k, q·Q] / τ)[0]; slots with negMask = 1 are left out
 * of the softmax.
 */
export function infoNCERef(q: ArrayLike<number>, kp: ArrayLike<number>, queue: ArrayLike<number>, n: number, d: number, k: number,
  tau: number, negMask?: ArrayLike<number>): number {
  const sims = queueSimRef(q, queue, n, d, k);
  let total = 0;
  for (let r = 0; r < n; r++) {
    let pos = 0;
    for (let c = 0; c < d; c++) pos += q[r * d + c] * kp[r * d + c];
    const z = [pos / tau];
    for (let j = 0; j < k; j++) if (!negMask || negMask[r * k + j] <= 0.5) z.push(sims[r * k + j] / tau);
    total += lseRef(z) - z[0];
  }
  return total / n;
}

/** Rows of x (N, d) scaled to unit length (test inputs, queues). */
export function normalizeRowsRef(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[r * d + c] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < d; c++) out[r * d + c] = x[r * d + c] * inv;
  }
  return out;
}
