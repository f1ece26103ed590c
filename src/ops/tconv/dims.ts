/**
 * The sizes of one temporal convolution (what every path's params are made of), and how they
 * follow from x (N, Cin, T, V), the weight (Cout, Cin, KT, 1) and the options.
 */
import type { Tensor } from '../../tensor/tensor.js';

export interface TemporalConvOptions {
  stride?: number;
  /** zero padding on both ends of time; default (KT − 1) / 2 */
  pad?: number;
}

/** The sizes of one convolution (what the kernel's params are made of). */
export interface ConvDims { N: number; Cin: number; Cout: number; T: number; Tout: number; V: number; KT: number; stride: number; pad: number }

export function convOutputLength(T: number, KT: number, stride: number, pad: number): number {
  return Math.floor((T + 2 * pad - KT) / stride) + 1;
}

/** The sizes of x · weight under the options; errors name what does not fit. */
export function dimsOf(x: Tensor, weight: Tensor, opts: TemporalConvOptions): ConvDims {
  if (x.rank !== 4) throw new Error(`temporalConv: x must be (N, C, T, V), got [${x.shape}]`);
  const [N, Cin, T, V] = x.shape;
  const Cout = weight.shape[0];
  if (weight.shape[1] !== Cin) throw new Error(`temporalConv: weight [${weight.shape}] does not take ${Cin} input channels`);
  const KT = weight.size / (Cout * Cin);
  if (!Number.isInteger(KT) || (weight.rank === 4 && weight.shape[3] !== 1)) throw new Error(`temporalConv: weight must be (Cout, Cin, KT, 1), got [${weight.shape}]`);
  const stride = opts.stride ?? 1;
  const pad = opts.pad ?? (KT - 1) / 2;
  if (!Number.isInteger(pad) || pad < 0 || !(stride >= 1) || !Number.isInteger(stride)) throw new Error(`temporalConv: bad stride ${stride} / pad ${pad}`);
  const Tout = convOutputLength(T, KT, stride, pad);
  if (Tout < 1) throw new Error(`temporalConv: T=${T} is too short for KT=${KT}, pad=${pad}`);
  return { N, Cin, Cout, T, Tout, V, KT, stride, pad };
}

