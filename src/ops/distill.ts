/**
 * Mutual distillation between similarity distributions over a memory queue: CMD across modalities
 * (docs/method.md#cmd) and IMD between the instance and cluster branches of one modality
 * (docs/method.md#imd).
 * Kernels: kernels/distill.wgsl (rows, grad) and kernels/loss_mean.wgsl.
 *
 * idx = the teacher's top-k slots per row (a 0/1 mask from ops/topk.ts: only the set matters);
 * p_T = softmax(t[idx]/τ_T), log p_S = log_softmax(s[idx]/τ_S);
 * L = (1/N) Σ_n Σ_j p_T (log p_T − log p_S). The gradient flows only into the student:
 * ∂L/∂s[n, j] = (p_S − p_T)/(τ_S·N) on idx, 0 elsewhere.
 */
import { Tensor, G, sameShape } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { rowMean } from './contrastive.js';
import { topkMask, topkRef } from './topk.js';
import { lseRef } from './reduce.js';

const WG = 256;

/**
 * KL(teacher ‖ student) over the slots where `mask` (N, K) is 1, batch mean. One workgroup per row
 * takes both masked logsumexps and the KL sum in one kernel; the backward is one elementwise pass
 * from the saved per-row logsumexps.
 */
export function distillKLMasked(teacherSim: Tensor, studentSim: Tensor, mask: Tensor, tauT = 0.05, tauS = 0.1): Tensor {
  if (teacherSim.rank !== 2 || !sameShape(teacherSim.shape, studentSim.shape) || !sameShape(teacherSim.shape, mask.shape)) {
    throw new Error(`distillKL: teacher, student and mask must share a (N, K) shape, got [${teacherSim.shape}], [${studentSim.shape}], [${mask.shape}]`);
  }
  if (!(tauT > 0 && tauS > 0)) throw new Error(`distillKL: temperatures must be > 0, got ${tauT}, ${tauS}`);
  const [n, k] = teacherSim.shape;
  const g = G();
  const stats = Tensor.empty([n, 4]);  // per row: lse_T, lse_S, loss, 0
  const sims = { t: teacherSim.buffer, s: studentSim.buffer, mask: mask.buffer, stats: stats.buffer };
  g.dispatch(g.kernel('distill', 'rows'), sims, { n, k, inv_tau_t: 1 / tauT, inv_tau_s: 1 / tauS, scale: 0 }, n);
  const loss = rowMean(stats, n);
  return record('distillKL', loss, [studentSim], (grad) => {
    const ds = Tensor.empty([n, k]);
    g.dispatch(g.kernel('distill', 'grad'), { ...sims, g: grad.buffer, ds: ds.buffer },
      { n, k, inv_tau_t: 1 / tauT, inv_tau_s: 1 / tauS, scale: 1 / (tauS * n) }, Math.ceil((n * k) / WG));
    return [ds];
  });
}

/** CMD / IMD distillation (docs/method.md#cmd): the teacher's top-k slots per row, then the masked KL. */
export function distillKL(teacherSim: Tensor, studentSim: Tensor, k: number, tauT = 0.05, tauS = 0.1): Tensor {
  const K = teacherSim.shape[1];
  if (!(Number.isInteger(k) && k >= 1 && k <= K)) throw new Error(`distillKL: k must be an integer in [1, ${K}], got ${k}`);
  const { mask, threshold } = topkMask(teacherSim, k);
  threshold.dispose();
  return distillKLMasked(teacherSim, studentSim, mask, tauT, tauS);
}

// ---- float64 reference

/** KL(p_T ‖ p_S) over a given 0/1 mask of slots, batch mean (docs/method.md#cmd, with the top-k set given). */
export function distillKLMaskedRef(t: ArrayLike<number>, s: ArrayLike<number>, mask: ArrayLike<number>, n: number, k: number,
  tauT: number, tauS: number): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const zt: number[] = [], zs: number[] = [];
    for (let j = 0; j < k; j++) if (mask[r * k + j] > 0.5) { zt.push(t[r * k + j] / tauT); zs.push(s[r * k + j] / tauS); }
    if (zt.length === 0) continue;
    const lt = lseRef(zt), ls = lseRef(zs);
    for (let i = 0; i < zt.length; i++) {
      const logPt = zt[i] - lt;
      total += Math.exp(logPt) * (logPt - (zs[i] - ls));
    }
  }
  return total / n;
}

/** CMD distillation (docs/method.md#cmd): the teacher's top-`kk` slots per row, then the masked KL. */
export function distillKLRef(t: ArrayLike<number>, s: ArrayLike<number>, n: number, k: number, kk: number, tauT: number, tauS: number): number {
  return distillKLMaskedRef(t, s, topkRef(t, k, kk).mask, n, k, tauT, tauS);
}
