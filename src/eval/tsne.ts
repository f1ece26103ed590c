/**
 * t-SNE (van der Maaten & Hinton 2008) of the report's feature sample — the picture the papers
 * show beside (or instead of) PCA. Exact, not Barnes-Hut: the report keeps at most 500 points, so
 * the O(n²) affinities and gradients cost well under a second. The npm implementations (tsne-js,
 * @keckelt/tsne, after Karpathy's tsnejs) start from an unseeded random layout, so the report
 * would change from one build to the next; these 80 lines are the whole method, seeded:
 *
 *   P: Gaussian affinities p(j|i) with σᵢ found by bisection so the perplexity 2^H(Pᵢ) equals
 *      `perplexity`, symmetrised pᵢⱼ = (p(j|i) + p(i|j)) / 2n;
 *   Q: Student-t qᵢⱼ ∝ (1 + ‖yᵢ − yⱼ‖²)⁻¹ in 2-D;
 *   gradient 4 Σⱼ (pᵢⱼ − qᵢⱼ)(yᵢ − yⱼ)(1 + ‖yᵢ − yⱼ‖²)⁻¹, with early exaggeration (P × 12 for the
 *   first 100 iterations), momentum 0.5 → 0.8 and per-coordinate gains, as the reference code.
 *
 * Deterministic: the initial layout comes from the seeded Rng.
 */
import { Rng } from '../util/random.js';

export interface TsneOptions { perplexity?: number; iterations?: number; seed?: number; learningRate?: number }

/** x (n, d) row-major → y (n, 2) row-major. */
export function tsne(x: Float32Array | Float64Array, n: number, d: number, o: TsneOptions = {}): Float64Array {
  const perplexity = Math.min(o.perplexity ?? 30, Math.max(1, (n - 1) / 3)), iters = o.iterations ?? 500, lr = o.learningRate ?? Math.max(n / 48, 50);   // scikit-learn's "auto": 200 overshoots small samples under the exaggeration
  // squared distances
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) { const t = x[i * d + k] - x[j * d + k]; s += t * t; }
    D[i * n + j] = D[j * n + i] = s;
  }
  // conditional affinities by bisection on β = 1/2σ² to the target entropy log(perplexity)
  const P = new Float64Array(n * n), target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    let beta = 1, lo = 0, hi = Infinity;
    for (let step = 0; step < 64; step++) {
      let sum = 0, hsum = 0;
      for (let j = 0; j < n; j++) if (j !== i) { const p = Math.exp(-D[i * n + j] * beta); P[i * n + j] = p; sum += p; hsum += p * D[i * n + j]; }
      const H = sum > 0 ? Math.log(sum) + (beta * hsum) / sum : 0;
      if (sum > 0) for (let j = 0; j < n; j++) P[i * n + j] /= sum;
      if (Math.abs(H - target) < 1e-5) break;
      if (H > target) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; } else { hi = beta; beta = (beta + lo) / 2; }
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const p = Math.max((P[i * n + j] + P[j * n + i]) / (2 * n), 1e-12);
    P[i * n + j] = P[j * n + i] = p;
  }
  const rng = new Rng(o.seed ?? 0);
  const Y = Float64Array.from({ length: n * 2 }, () => 1e-4 * rng.normal());
  const V = new Float64Array(n * 2), gains = new Float64Array(n * 2).fill(1), G = new Float64Array(n * 2), num = new Float64Array(n * n);
  for (let it = 0; it < iters; it++) {
    const exag = it < 100 ? 12 : 1, momentum = it < 250 ? 0.5 : 0.8;
    let Z = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
      const dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
      const q = 1 / (1 + dx * dx + dy * dy);
      num[i * n + j] = num[j * n + i] = q; Z += 2 * q;
    }
    G.fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const w = (exag * P[i * n + j] - num[i * n + j] / Z) * num[i * n + j];
      G[2 * i] += 4 * w * (Y[2 * i] - Y[2 * j]); G[2 * i + 1] += 4 * w * (Y[2 * i + 1] - Y[2 * j + 1]);
    }
    for (let k = 0; k < 2 * n; k++) {
      gains[k] = Math.sign(G[k]) !== Math.sign(V[k]) ? gains[k] + 0.2 : Math.max(0.01, gains[k] * 0.8);
      V[k] = momentum * V[k] - lr * gains[k] * G[k];
      Y[k] += V[k];
    }
    // keep the layout centred
    for (const c of [0, 1]) { let m = 0; for (let i = 0; i < n; i++) m += Y[2 * i + c] / n; for (let i = 0; i < n; i++) Y[2 * i + c] -= m; }
  }
  return Y;
}
