/**
 * Principal component analysis of a small feature matrix (≤ a few thousand rows) for the
 * report's 2-D scatter plot: the covariance (D × D, float64) and its leading eigenvectors by
 * power iteration with deflation. Deterministic: the start vector is fixed, and each component's
 * sign is chosen so that its largest-magnitude entry is positive.
 */
export interface Pca {
  components: Float64Array[];   // k unit vectors of length D
  variances: number[];          // eigenvalues (variance along each component)
  totalVariance: number;        // trace of the covariance
  mean: Float64Array;
  projection: Float64Array;     // (n, k) row-major coordinates of the centred rows
}

export function pca(x: ArrayLike<number>, n: number, d: number, { k = 2, iterations = 500, tol = 1e-10 } = {}): Pca {
  if (x.length !== n * d) throw new Error(`pca: ${x.length} values for ${n} × ${d}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < d; b++) cov[a * d + b] += ra * row[b];
    }
  }
  const denom = Math.max(1, n - 1);
  for (let a = 0; a < d; a++) for (let b = a; b < d; b++) { cov[a * d + b] /= denom; cov[b * d + a] = cov[a * d + b]; }
  let totalVariance = 0;
  for (let a = 0; a < d; a++) totalVariance += cov[a * d + a];

  const kk = Math.min(k, d);
  const components: Float64Array[] = [], variances: number[] = [];
  const work = Float64Array.from(cov);
  for (let c = 0; c < kk; c++) {
    // a fixed, generic start vector (not axis-aligned, so it is never orthogonal to the answer by accident)
    let v: Float64Array<ArrayBuffer> = Float64Array.from({ length: d }, (_, j) => 1 + ((j * 7919 + c * 104729) % 97) / 97);
    normalise(v);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = matVec(work, v, d);
      const norm = Math.hypot(...w);
      if (norm === 0) { lambda = 0; break; }
      for (let j = 0; j < d; j++) w[j] /= norm;
      let diff = 0;
      for (let j = 0; j < d; j++) diff = Math.max(diff, Math.abs(w[j] - v[j]));
      v = w; lambda = norm;
      if (diff < tol) break;
    }
    fixSign(v);
    lambda = dot(v, matVec(work, v, d));   // Rayleigh quotient: exact for the converged vector
    components.push(v); variances.push(Math.max(0, lambda));
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) work[a * d + b] -= lambda * v[a] * v[b];
  }
  const projection = new Float64Array(n * kk);
  for (let i = 0; i < n; i++) for (let c = 0; c < kk; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * components[c][j];
    projection[i * kk + c] = s;
  }
  return { components, variances, totalVariance, mean, projection };
}

function matVec(m: Float64Array, v: Float64Array, d: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(d);
  for (let a = 0; a < d; a++) { let s = 0; for (let b = 0; b < d; b++) s += m[a * d + b] * v[b]; out[a] = s; }
  return out;
}
function dot(a: Float64Array, b: Float64Array): number { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; }
function normalise(v: Float64Array): void { const n = Math.hypot(...v) || 1; for (let i = 0; i < v.length; i++) v[i] /= n; }
function fixSign(v: Float64Array): void {
  let at = 0;
  for (let i = 1; i < v.length; i++) if (Math.abs(v[i]) > Math.abs(v[at]) + 1e-12) at = i;
  if (v[at] < 0) for (let i = 0; i < v.length; i++) v[i] = -v[i];
}
