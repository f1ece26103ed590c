/**
 * Dynamic neighbour aggregation (DNA, docs/method.md#dna) and the cluster-level contrastive loss
 * built on it. Kernel: kernels/dna.wgsl; similarities from contrastive.ts, top-k from ops/topk.ts.
 *
 * For each cluster-branch key k' (N, d) against its queue Q' (d, K): w = k'·Q'; the neighbours are
 * the top-k_dna slots with w ≥ δ (the count adapts per sample and may be zero);
 * α = softmax(w_nbrs/τ_agg) · mean(w_nbrs), so weak neighbourhoods pull less;
 * c = normalize(k' + Σ α_j Q'_j). Keys are detached, so nothing here is differentiated.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { noGrad } from '../tensor/autograd.js';
import { queueSimRaw, infoNCE, queueSimRef } from './contrastive.js';
import { topkMask, topkRef } from './topk.js';
import { lseRef } from './reduce.js';

/** Most neighbours one row may aggregate (workgroup memory of kernels/dna.wgsl). */
export const MAX_DNA_NEIGHBOURS = 256;

export interface DnaOptions {
  kDna?: number;    // top-k candidates per key (default 16)
  delta?: number;   // similarity threshold a candidate must reach (default 0.5)
  tauAgg?: number;  // temperature of the aggregation weights (default 0.1)
}

export interface DnaResult {
  /** (N, d) unit-length aggregated positives. */
  c: Tensor;
  /** (N, K) 0/1: the aggregated neighbours, to leave out of the negatives. */
  mask: Tensor;
}

export function dnaAggregate(kc: Tensor, queue: Tensor, opts: DnaOptions = {}): DnaResult {
  const { kDna = 16, delta = 0.5, tauAgg = 0.1 } = opts;
  if (kc.rank !== 2 || queue.rank !== 2 || kc.shape[1] !== queue.shape[0]) {
    throw new Error(`dnaAggregate: expected keys (N, d) and queue (d, K), got [${kc.shape}] and [${queue.shape}]`);
  }
  if (!(Number.isInteger(kDna) && kDna >= 1 && kDna <= MAX_DNA_NEIGHBOURS)) {
    throw new Error(`dnaAggregate: kDna must be an integer in [1, ${MAX_DNA_NEIGHBOURS}], got ${kDna}`);
  }
  if (!(tauAgg > 0)) throw new Error(`dnaAggregate: tauAgg must be > 0, got ${tauAgg}`);
  const k = queue.shape[1];
  return noGrad(() => {
    const w = queueSimRaw(kc, queue);
    const { mask: top, threshold } = topkMask(w, Math.min(kDna, k));
    const res = dnaFromCandidates(kc, queue, w, top, delta, tauAgg);
    w.dispose(); top.dispose(); threshold.dispose();
    return res;
  });
}

/**
 * The aggregation step alone, given the similarities w = k′·Q′ (N, K) and the 0/1 mask of each
 * row's top-k_dna candidates (at most MAX_DNA_NEIGHBOURS ones per row).
 */
export function dnaFromCandidates(kc: Tensor, queue: Tensor, w: Tensor, top: Tensor, delta = 0.5, tauAgg = 0.1): DnaResult {
  const [n, d] = kc.shape;
  const k = queue.shape[1];
  const g = G();
  const c = Tensor.empty([n, d]);
  const mask = Tensor.empty([n, k]);
  g.dispatch(g.kernel('dna'), { w: w.buffer, top: top.buffer, kc: kc.buffer, queue: queue.buffer, c: c.buffer, nbr: mask.buffer },
    { n, d, k, inv_tau: 1 / tauAgg, delta }, n);
  return { c, mask };
}

export interface ClusterLossResult extends DnaResult { loss: Tensor }

/**
 * The cluster-level loss (docs/method.md#imd): InfoNCE of the cluster-branch query q' against the
 * aggregated positive c, negatives Q' without the aggregated neighbours, temperature τ (default 0.07).
 */
export function clusterLoss(qc: Tensor, kc: Tensor, queue: Tensor, opts: DnaOptions & { tau?: number } = {}): ClusterLossResult {
  const { c, mask } = dnaAggregate(kc, queue, opts);
  return { loss: infoNCE(qc, c, queue, opts.tau ?? 0.07, mask), c, mask };
}

// ---- float64 reference

/** DNA (docs/method.md#dna): aggregated positives c (N, d) and the 0/1 neighbour mask (N, K). */
export function dnaRef(kc: ArrayLike<number>, queue: ArrayLike<number>, n: number, d: number, k: number,
  kDna: number, delta: number, tauAgg: number): { c: Float64Array; mask: Float64Array } {
  const w = queueSimRef(kc, queue, n, d, k);
  const top = topkRef(w, k, kDna).mask;
  const c = new Float64Array(n * d);
  const mask = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const nbrs: number[] = [];
    for (let j = 0; j < k; j++) if (top[r * k + j] > 0.5 && w[r * k + j] >= delta) { nbrs.push(j); mask[r * k + j] = 1; }
    const acc = Array.from({ length: d }, (_, ch) => kc[r * d + ch]);
    if (nbrs.length > 0) {
      const ws = nbrs.map((j) => w[r * k + j]);
      const lse = lseRef(ws.map((v) => v / tauAgg));
      const meanSim = ws.reduce((a, b) => a + b, 0) / ws.length;
      nbrs.forEach((j, i) => {
        const alpha = Math.exp(ws[i] / tauAgg - lse) * meanSim;
        for (let ch = 0; ch < d; ch++) acc[ch] += alpha * queue[ch * k + j];
      });
    }
    const norm = Math.max(Math.sqrt(acc.reduce((a, v) => a + v * v, 0)), 1e-12);
    for (let ch = 0; ch < d; ch++) c[r * d + ch] = acc[ch] / norm;
  }
  return { c, mask };
}
