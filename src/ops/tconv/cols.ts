/**
 * The temporal convolution as im2col + one batched matrix product (tconv PATH 2, `cols`): the
 * kernel kernels/tconv/cols.wgsl lays every output position's KT·C input values out as one row,
 * and `gemm` (../matmul/gemm.ts: the vec4 tiles of kernels/matmul/tiled4.wgsl on hardware GPUs,
 * the uniform windows on llvmpipe) does the arithmetic. It trades memory (the cols buffer is KT×
 * the input at the output's length) for the matrix product's speed, far above the conv GEMM
 * kernel's on a big GPU (docs/bench.md#built-not-yet-timed-on-a-gpu).
 *   forward       out[n] (Cout × T'V) = W (Cout × Cin·KT) · cols(x)[n]ᵀ          (+ bias)
 *   input grad    dx[n]  (Cin × TV)   = W' (Cin × Cout·KT) · cols(dy)[n]ᵀ, W' = W with (o, i) swapped
 *   weight grad   dW (Cout × Cin·KT)  = dyᵀ ((N·T'V) × Cout)ᵀ · cols(x)
 * A 1×1 convolution with stride 1 reads x (or dy) in place, without cols.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { noGrad } from '../../tensor/autograd.js';
import { gemm } from '../matmul/gemm.js';
import { permute, expand } from '../shape.js';
import type { ConvDims } from './dims.js';

type Pass = 'fwd' | 'dx' | 'dw';

const WG = 256;
/** A 1×1 convolution with stride 1: its operand is already one row per position (per batch). */
export const pointwise = (d: ConvDims): boolean => d.KT === 1 && d.stride === 1 && d.pad === 0;

/** The floats of the biggest buffer a pass of this path makes (its cols, or dy transposed). */
export function colsFloats(pass: Pass, d: ConvDims): number {
  if (pass === 'fwd') return pointwise(d) ? 0 : d.N * d.Tout * d.V * d.Cin * d.KT;
  if (pass === 'dx') return pointwise(d) ? 0 : d.N * d.T * d.V * d.Cout * d.KT;
  return d.N * d.Tout * d.V * Math.max(d.Cin * d.KT, d.Cout);
}

/** Whether this path can run the pass within the device's binding limit. */
export function colsFit(pass: Pass, d: ConvDims, limits: Record<string, number>): boolean {
  return colsFloats(pass, d) * 4 <= Math.min(limits.maxStorageBufferBindingSize ?? 0, limits.maxBufferSize ?? Infinity);
}

/**
 * cols (N·Tr·V × C·KT) of src (N, C, T, V): mode 0 the forward windows of x (Tr = T'), mode 1
 * the input gradient's windows of dy (C = Cout, T = T', Tr = T).
 */
function im2col(mode: 0 | 1, src: Tensor, d: ConvDims, C: number, T: number, Tr: number): Tensor {
  const cols = Tensor.empty([d.N * Tr * d.V, C * d.KT]);
  const g = G();
  g.dispatch(g.kernel('tconv/cols', 'cols_main', { WG }), { src: src.buffer, cols: cols.buffer },
    { mode, n: d.N, c: C, t: T, tr: Tr, v: d.V, kt: d.KT, stride: d.stride, pad: d.pad }, Math.ceil(cols.size / WG));
  return cols;
}

/** y = conv(x, weight) (+ bias: biasMode 1 per output channel, 2 per (channel, joint)). */
export function colsForward(d: ConvDims, x: Tensor, weight: Tensor, bias: Tensor | undefined, biasMode: number): Tensor {
  const R = d.Tout * d.V, J = d.Cin * d.KT;
  const out = Tensor.empty([d.N, d.Cout, d.Tout, d.V]);
  const cols = pointwise(d) ? undefined : im2col(0, x, d, d.Cin, d.T, d.Tout);
  // a per-joint bias is not linear in the product's column (t', v): it is repeated over t' (a
  // Cout × T'V matrix, small) so that the product's epilogue adds it as a per-element bias
  const perJoint = biasMode === 2 && bias ? noGrad(() => expand(bias.view([d.Cout, 1, d.V]), [d.Cout, d.Tout, d.V])) : undefined;
  gemm({
    M: d.Cout, N: R, K: J, batch: d.N,
    a: { buf: weight.buffer, rs: J, cs: 1, bs: 0 },
    b: cols ? { buf: cols.buffer, rs: 1, cs: J, bs: R * J } : { buf: x.buffer, rs: R, cs: 1, bs: d.Cin * R },
    c: { buf: out.buffer, rs: R, cs: 1, bs: d.Cout * R },
    bias: perJoint ? { buf: perJoint.buffer, sm: R, sn: 1 } : biasMode === 1 && bias ? { buf: bias.buffer, sm: 1, sn: 0 } : undefined,
  });
  cols?.dispose();
  perJoint?.dispose();
  return out;
}

/** dx (N, Cin, T, V) from dy (N, Cout, T', V): the transposed convolution. */
export function colsInputGrad(d: ConvDims, dy: Tensor, weight: Tensor): Tensor {
  const R = d.T * d.V;
  const dx = Tensor.empty([d.N, d.Cin, d.T, d.V]);
  const c = { buf: dx.buffer, rs: R, cs: 1, bs: d.Cin * R };
  if (pointwise(d)) {   // dx[n] = Wᵀ · dy[n]
    gemm({ M: d.Cin, N: R, K: d.Cout, batch: d.N, a: { buf: weight.buffer, rs: 1, cs: d.Cin, bs: 0 },
      b: { buf: dy.buffer, rs: R, cs: 1, bs: d.Cout * R }, c });
    return dx;
  }
  const J = d.Cout * d.KT;
  const cols = im2col(1, dy, d, d.Cout, d.Tout, d.T);
  const swapped = noGrad(() => permute(weight.view([d.Cout, d.Cin, d.KT]), [1, 0, 2]));   // (Cin, Cout, KT)
  gemm({ M: d.Cin, N: R, K: J, batch: d.N, a: { buf: swapped.buffer, rs: J, cs: 1, bs: 0 },
    b: { buf: cols.buffer, rs: 1, cs: J, bs: R * J }, c });
  cols.dispose(); swapped.dispose();
  return dx;
}

/** dW (Cout, Cin·KT): one product whose reduction runs over every output position of every batch. */
export function colsWeightGrad(d: ConvDims, dy: Tensor, x: Tensor): Tensor {
  const R = d.Tout * d.V, J = d.Cin * d.KT;
  const cols = im2col(0, x, d, d.Cin, d.T, d.Tout);
  const dyT = noGrad(() => permute(dy.view([d.N, d.Cout, R]), [0, 2, 1]));   // (N·T'V) × Cout
  const dw = Tensor.empty([d.Cout, J]);
  gemm({ M: d.Cout, N: J, K: d.N * R, batch: 1, a: { buf: dyT.buffer, rs: 1, cs: d.Cout, bs: 0 },
    b: { buf: cols.buffer, rs: J, cs: 1, bs: 0 }, c: { buf: dw.buffer, rs: J, cs: 1, bs: 0 } });
  cols.dispose(); dyT.dispose();
  return dw;
}
