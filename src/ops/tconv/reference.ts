/** The float64 references of the temporal convolution (forward, analytic gradients): the oracles of the tests and of `doctor`. */
import { convOutputLength } from './dims.js';

/** y[n,o,t',v] = Σ_{i,k} w[o,i,k] · x[n,i,t'·stride+k−pad,v] + b (per channel, or per (channel, joint)). */
export function temporalConvRef(x: Float64Array, xs: number[], w: Float64Array, Cout: number, KT: number,
  b: Float64Array | undefined, stride: number, pad: number, biasPerJoint = false): Float64Array {
  const [N, Cin, T, V] = xs;
  const Tout = convOutputLength(T, KT, stride, pad);
  const y = new Float64Array(N * Cout * Tout * V);
  for (let n = 0; n < N; n++) for (let o = 0; o < Cout; o++) for (let tp = 0; tp < Tout; tp++) for (let v = 0; v < V; v++) {
    let s = b ? (biasPerJoint ? b[o * V + v] : b[o]) : 0;
    for (let i = 0; i < Cin; i++) for (let k = 0; k < KT; k++) {
      const t = tp * stride + k - pad;
      if (t >= 0 && t < T) s += w[(o * Cin + i) * KT + k] * x[((n * Cin + i) * T + t) * V + v];
    }
    y[((n * Cout + o) * Tout + tp) * V + v] = s;
  }
  return y;
}

/** The analytic float64 gradients of Σ g·y for x, w and a per-channel bias. */
export function temporalConvGradsRef(x: Float64Array, xs: number[], w: Float64Array, Cout: number, KT: number, g: Float64Array, stride: number, pad: number) {
  const [N, Cin, T, V] = xs;
  const Tout = convOutputLength(T, KT, stride, pad);
  const dx = new Float64Array(x.length), dw = new Float64Array(w.length), db = new Float64Array(Cout);
  for (let n = 0; n < N; n++) for (let o = 0; o < Cout; o++) for (let tp = 0; tp < Tout; tp++) for (let v = 0; v < V; v++) {
    const gv = g[((n * Cout + o) * Tout + tp) * V + v];
    db[o] += gv;
    for (let i = 0; i < Cin; i++) for (let k = 0; k < KT; k++) {
      const tt = tp * stride + k - pad;
      if (tt < 0 || tt >= T) continue;
      const xi = ((n * Cin + i) * T + tt) * V + v, wi = (o * Cin + i) * KT + k;
      dx[xi] += gv * w[wi];
      dw[wi] += gv * x[xi];
    }
  }
  return { dx, dw, db };
}
