/** The float64 reference of the temporal convolution: the oracle of the tests and of `doctor`. */
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
