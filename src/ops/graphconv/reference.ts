/** The float64 reference of the graph convolution, computed the PyTorch way: the oracle of the tests and of `doctor`. */

/** y = Σ_k (conv1×1(x) with W, b)_k · (A_k ∘ M_k): conv first, then aggregate. */
export function graphConvRef(x: Float64Array, xs: number[], w: Float64Array, b: Float64Array | undefined,
  A: Float64Array, M: Float64Array | undefined, K: number): Float64Array {
  const [N, Cin, T, V] = xs;
  const Cout = w.length / Cin / K;
  const y = new Float64Array(N * Cout * T * V);
  const z = new Float64Array(V);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < Cout; c++) for (let t = 0; t < T; t++) {
    const o = k * Cout + c;
    for (let v = 0; v < V; v++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < Cin; i++) s += w[o * Cin + i] * x[((n * Cin + i) * T + t) * V + v];
      z[v] = s;
    }
    for (let wj = 0; wj < V; wj++) {
      let s = 0;
      for (let v = 0; v < V; v++) { const e = (k * V + v) * V + wj; s += z[v] * A[e] * (M ? M[e] : 1); }
      y[((n * Cout + c) * T + t) * V + wj] += s;
    }
  }
  return y;
}
