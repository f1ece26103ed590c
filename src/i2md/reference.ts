/**
 * Plain float64 references of the I²MD losses (docs/method.md#loss): the oracles the fused GPU
 * kernels of src/ops/contrastive.ts, distill.ts and dna.ts are tested against, and the functions finite differences
 * are taken of. Layouts match the GPU: row-major, queue (d, K) feature × slot.
 */

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
    total += logSumExp(z) - z[0];
  }
  return total / n;
}

/** 0/1 mask of the `kk` largest entries of each row of x (N, K); ties go to the lower index. */
export function topkMaskRef(x: ArrayLike<number>, n: number, k: number, kk: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const order = Array.from({ length: k }, (_, j) => j);
    order.sort((a, b) => (x[r * k + b] - x[r * k + a]) || (a - b));
    for (let i = 0; i < Math.min(kk, k); i++) out[r * k + order[i]] = 1;
  }
  return out;
}

/** KL(p_T ‖ p_S) over a given 0/1 mask of slots, batch mean (docs/method.md#cmd with the top-k set given). */
export function distillKLMaskedRef(t: ArrayLike<number>, s: ArrayLike<number>, mask: ArrayLike<number>, n: number, k: number,
  tauT: number, tauS: number): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const zt: number[] = [], zs: number[] = [];
    for (let j = 0; j < k; j++) if (mask[r * k + j] > 0.5) { zt.push(t[r * k + j] / tauT); zs.push(s[r * k + j] / tauS); }
    if (zt.length === 0) continue;
    const lt = logSumExp(zt), ls = logSumExp(zs);
    for (let i = 0; i < zt.length; i++) {
      const logPt = zt[i] - lt;
      total += Math.exp(logPt) * (logPt - (zs[i] - ls));
    }
  }
  return total / n;
}

/** CMD distillation (docs/method.md#cmd): the teacher's top-`kk` slots per row, then the masked KL. */
export function distillKLRef(t: ArrayLike<number>, s: ArrayLike<number>, n: number, k: number, kk: number, tauT: number, tauS: number): number {
  return distillKLMaskedRef(t, s, topkMaskRef(t, n, k, kk), n, k, tauT, tauS);
}

/** DNA (docs/method.md#dna): aggregated positives c (N, d) and the 0/1 neighbour mask (N, K). */
export function dnaRef(kc: ArrayLike<number>, queue: ArrayLike<number>, n: number, d: number, k: number,
  kDna: number, delta: number, tauAgg: number): { c: Float64Array; mask: Float64Array } {
  const w = queueSimRef(kc, queue, n, d, k);
  const top = topkMaskRef(w, n, k, kDna);
  const c = new Float64Array(n * d);
  const mask = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const nbrs: number[] = [];
    for (let j = 0; j < k; j++) if (top[r * k + j] > 0.5 && w[r * k + j] >= delta) { nbrs.push(j); mask[r * k + j] = 1; }
    const acc = Array.from({ length: d }, (_, ch) => kc[r * d + ch]);
    if (nbrs.length > 0) {
      const ws = nbrs.map((j) => w[r * k + j]);
      const lse = logSumExp(ws.map((v) => v / tauAgg));
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

function logSumExp(v: number[]): number {
  let m = -Infinity;
  for (const x of v) if (x > m) m = x;
  let s = 0;
  for (const x of v) s += Math.exp(x - m);
  return m + Math.log(s);
}
