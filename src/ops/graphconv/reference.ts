/** The float64 references of the graph convolution, computed the PyTorch way (and of its parts: the aggregation, the joint bias): the oracles of the tests and of `doctor`. */

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

/** The aggregation alone: xa[n,k,c,t,w] = Σ_v x[n,c,t,v]·adj[k,v,w]. */
export function aggregateRef(x: Float64Array, xs: number[], adj: Float64Array, K: number): Float64Array {
  const [N, C, T, V] = xs;
  const out = new Float64Array(N * K * C * T * V);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let tt = 0; tt < T; tt++) for (let w = 0; w < V; w++) {
    let s = 0;
    for (let v = 0; v < V; v++) s += x[((n * C + c) * T + tt) * V + v] * adj[(k * V + v) * V + w];
    out[(((n * K + k) * C + c) * T + tt) * V + w] = s;
  }
  return out;
}

/**
 * The analytic float64 gradients of Σ g·xa for the aggregation:
 * dx[n,c,t,v] = Σ_k Σ_w g[n,k,c,t,w]·adj[k,v,w], dadj[k,v,w] = Σ_{n,c,t} x[n,c,t,v]·g[n,k,c,t,w].
 */
export function aggregateGradsRef(x: Float64Array, xs: number[], adj: Float64Array, K: number, g: Float64Array) {
  const [N, C, T, V] = xs;
  const dx = new Float64Array(x.length), dadj = new Float64Array(adj.length);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let tt = 0; tt < T; tt++) {
    const xo = ((n * C + c) * T + tt) * V, go = (((n * K + k) * C + c) * T + tt) * V;
    for (let v = 0; v < V; v++) for (let w = 0; w < V; w++) {
      dx[xo + v] += g[go + w] * adj[(k * V + v) * V + w];
      dadj[(k * V + v) * V + w] += x[xo + v] * g[go + w];
    }
  }
  return { dx, dadj };
}

/** The joint bias: out[c,w] = Σ_k Σ_v b[k·Cout + c]·adj[k,v,w]. */
export function jointBiasRef(b: Float64Array, adj: Float64Array, K: number, V: number): Float64Array {
  const Cout = b.length / K;
  const out = new Float64Array(Cout * V);
  for (let c = 0; c < Cout; c++) for (let w = 0; w < V; w++) {
    let s = 0;
    for (let k = 0; k < K; k++) for (let v = 0; v < V; v++) s += b[k * Cout + c] * adj[(k * V + v) * V + w];
    out[c * V + w] = s;
  }
  return out;
}
