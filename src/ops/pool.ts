/**
 * The encoder's global pooling — kernels/pool.wgsl: the mean over time and joints and then over
 * the M persons of each sample, in one pass: x (N·M, C, T, V) → (N, C).
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { kernelNumber } from '../gpu/policy.js';

/**
 * The forward's workgroup size (one workgroup per output, a barrier tree at the end): the kernel
 * policy's `pool` setting — 64 on GPUs, 8 on software adapters, where each barrier makes every
 * 8-lane SIMD group yield in turn (docs/bench.md#software-adapters).
 */

/** out[n, c] = mean over m < persons, t, v of x[n·persons + m, c, t, v]. Gradient for x. */
export function globalAvgPool(x: Tensor, persons = 1): Tensor {
  if (x.rank !== 4 && x.rank !== 3) throw new Error(`globalAvgPool: x must be (N·M, C, T, V) or (N·M, C, S), got [${x.shape}]`);
  const [NM, C] = x.shape;
  if (NM % persons !== 0) throw new Error(`globalAvgPool: ${NM} rows is not a multiple of ${persons} persons`);
  const N = NM / persons;
  const S = x.size / (NM * C);
  const params = { n: N, m: persons, c: C, s: S, scale: 1 / (persons * S) };
  const g = G();
  const out = Tensor.empty([N, C]);
  g.dispatch(g.kernel('pool', 'forward', { WG: kernelNumber('pool') }), { src: x.buffer, out: out.buffer }, params, N * C);
  return record('globalAvgPool', out, [x], (gy) => {
    const dx = Tensor.empty(x.shape);
    g.dispatch(g.kernel('pool', 'backward'), { src: gy.buffer, out: dx.buffer }, params, Math.ceil(dx.size / 256));
    return [dx];
  });
}

// ---- float64 reference

/** float64 reference. */
export function globalAvgPoolRef(x: Float64Array, NM: number, C: number, S: number, persons: number): Float64Array {
  const N = NM / persons;
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
    let s = 0;
    for (let m = 0; m < persons; m++) for (let j = 0; j < S; j++) s += x[((n * persons + m) * C + c) * S + j];
    out[n * C + c] = s / (persons * S);
  }
  return out;
}
