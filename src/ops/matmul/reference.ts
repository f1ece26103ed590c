/** The float64 references of the matrix products: the oracles of the tests (matmul, linear, the gemm paths). */

/** float64 op(a)·op(b), batched over z when a side is 3-D (a 2-D side is shared). */
export function matmulRef(a: Float64Array, sa: number[], b: Float64Array, sb: number[], tA = false, tB = false): Float64Array {
  const [ar, ac] = sa.slice(-2), [br, bc] = sb.slice(-2);
  const M = tA ? ac : ar, K = tA ? ar : ac, N = tB ? br : bc;
  const Z = Math.max(sa.length === 3 ? sa[0] : 1, sb.length === 3 ? sb[0] : 1);
  const za = sa.length === 3 && sa[0] > 1 ? ar * ac : 0, zb = sb.length === 3 && sb[0] > 1 ? br * bc : 0;
  const out = new Float64Array(Z * M * N);
  for (let z = 0; z < Z; z++) for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[z * za + (tA ? k * M + m : m * K + k)] * b[z * zb + (tB ? n * K + k : k * N + n)];
    out[(z * M + m) * N + n] = s;
  }
  return out;
}

/** float64 x·wᵀ + b over the rows of x. */
export function linearRef(x: Float64Array, w: Float64Array, fout: number, fin: number, b?: Float64Array): Float64Array {
  const rows = x.length / fin;
  const out = new Float64Array(rows * fout);
  for (let r = 0; r < rows; r++) for (let o = 0; o < fout; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < fin; i++) s += x[r * fin + i] * w[o * fin + i];
    out[r * fout + o] = s;
  }
  return out;
}
