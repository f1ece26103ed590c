/**
 * The temporal convolution op (tconv): a KT×1 kernel along time over (N, C, T, V) with stride and
 * zero padding; with KT = 1 also the encoder's 1×1 convolution (the graph conv's channel mixing,
 * the strided residual). Each pass — forward, input gradient, weight gradient — runs one of three
 * kernel families, chosen per pass and shape by `tconvVariant` (./variants.ts, through the kernel
 * policy src/gpu/policy.ts):
 *   gemm    the tiled implicit GEMM (./gemm.ts, kernels/tconv/gemm.wgsl), hardware adapters;
 *   direct  the register-blocked forward / input gradient (./direct.ts, kernels/tconv/direct.wgsl)
 *           and weight gradient (./wgrad.ts, kernels/tconv/wgrad.wgsl), software adapters, where
 *           barriers and gathers dominate the GEMM;
 *   cols    im2col and one matmul (./cols.ts, kernels/tconv/cols.wgsl).
 * Every path computes the same sums; only the order of the additions differs.
 */
import { Tensor } from '../../tensor/tensor.js';
import { record } from '../../tensor/autograd.js';
import { sumAxes } from '../reduce.js';
import { direct } from './direct.js';
import { wgradReg } from './wgrad.js';
import { gemm, gemmWeightGrad, Mode } from './gemm.js';
import { colsForward, colsInputGrad, colsWeightGrad } from './cols.js';
import { tconvVariant, GEMM_TARGET_GROUPS } from './variants.js';
import { dimsOf, type ConvDims, type TemporalConvOptions } from './dims.js';

export type { ConvDims, TemporalConvOptions } from './dims.js';
export { convOutputLength } from './dims.js';

/** x (N, Cin, T, V) · weight (Cout, Cin, KT, 1) → (N, Cout, T', V). */
function forwardRaw(d: ConvDims, x: Tensor, weight: Tensor, bias: Tensor | undefined, biasMode: number): Tensor {
  const v = tconvVariant('fwd', d);
  if (v.path === 'cols') return colsForward(d, x, weight, bias, biasMode);
  const out = Tensor.empty([d.N, d.Cout, d.Tout, d.V]);
  if (v.path === 'direct') direct(true, d, x, weight, bias, biasMode, out, v.split);
  else gemm(Mode.Forward, v.TM, d, weight, x, bias, biasMode, out, d.Cout, d.N * d.Tout * d.V, d.Cin * d.KT, d.Tout * d.V);
  return out;
}

/** dx (N, Cin, T, V) from dy (N, Cout, T', V): the transposed convolution. */
export function convInputGrad(d: ConvDims, dy: Tensor, weight: Tensor): Tensor {
  const v = tconvVariant('dx', d);
  if (v.path === 'cols') return colsInputGrad(d, dy, weight);
  const dx = Tensor.empty([d.N, d.Cin, d.T, d.V]);
  if (v.path === 'direct') direct(false, d, dy, weight, undefined, 0, dx, v.split);
  else gemm(Mode.InputGrad, v.TM, d, weight, dy, undefined, 0, dx, d.Cin, d.N * d.T * d.V, d.Cout * d.KT, d.T * d.V);
  return dx;
}

/**
 * The parameter gradients of one convolution: dW (Cout, Cin·KT) when `wantWeight`, and the bias
 * gradient for biasMode 1 (Cout) or 2 (Cout, V). The register-blocked weight gradient sums a
 * per-channel bias gradient in the same pass over dy; otherwise the bias gradient is a reduction.
 */
export function convParamGrads(d: ConvDims, dy: Tensor, x: Tensor, wantWeight: boolean, biasMode: number): { dw?: Tensor; db?: Tensor } {
  let dw: Tensor | undefined, db: Tensor | undefined;
  if (wantWeight) {
    const v = tconvVariant('dw', d);
    if (v.path === 'reg') ({ dw, db } = wgradReg(d, dy, x, biasMode === 1, v.split));
    else if (v.path === 'cols') dw = colsWeightGrad(d, dy, x);
    else dw = gemmWeightGrad(d, dy, x, v.TM, v.GROUPS ?? GEMM_TARGET_GROUPS);
  }
  if (biasMode && !db) db = biasMode === 1 ? sumAxes(dy, [0, 2, 3]) : sumAxes(dy, [0, 2]);
  return { dw, db };
}

/**
 * y[n,o,t',v] = Σ_{i,k} weight[o,i,k] · x[n,i,t'·stride+k−pad,v] + bias[o].
 * weight: (Cout, Cin, KT, 1) — or (Cout, Cin) for KT = 1; bias: (Cout) or, for the graph
 * convolution's folded bias, (Cout, V). Gradients for x, weight and bias.
 */
export function temporalConv(x: Tensor, weight: Tensor, bias?: Tensor, opts: TemporalConvOptions = {}): Tensor {
  const d = dimsOf(x, weight, opts);
  let biasMode = 0;
  if (bias) {
    if (bias.size === d.Cout && bias.rank === 1) biasMode = 1;
    else if (bias.rank === 2 && bias.shape[0] === d.Cout && bias.shape[1] === d.V) biasMode = 2;
    else throw new Error(`temporalConv: bias [${bias.shape}] is neither (${d.Cout}) nor (${d.Cout}, ${d.V})`);
  }
  const out = forwardRaw(d, x, weight, bias, biasMode);
  return record('temporalConv', out, [x, weight, bias], (g) => {
    const gx = x.requiresGrad ? convInputGrad(d, g, weight) : undefined;
    const { dw, db } = convParamGrads(d, g, x, weight.requiresGrad, bias?.requiresGrad ? biasMode : 0);
    return [gx, dw && viewAs(dw, weight.shape), db];
  });
}

function viewAs(t: Tensor, shape: readonly number[]): Tensor {
  const v = t.view(shape);
  t.dispose();
  return v;
}

