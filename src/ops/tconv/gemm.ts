/**
 * The tiled implicit GEMM of the temporal convolution — kernels/tconv/gemm.wgsl: the forward and
 * the input gradient (a transposed convolution) in entry `conv`, the weight gradient, split along
 * its long reduction, in entry `wgrad`. The hardware adapters' default path.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { sumAxes } from '../reduce.js';
import type { ConvDims } from './dims.js';

export const enum Mode { Forward = 0, InputGrad = 1, WeightGrad = 2 }
const BK = 8;
const TILE_COLS = 64;

/**
 * One GEMM dispatch (or several column chunks when the grid would pass the per-dimension limit)
 * with TM rows per invocation. biasMode: 0 none, 1 per output channel, 2 per (output channel, joint).
 */
export function gemm(mode: Mode, TM: number, d: ConvDims, a: Tensor, b: Tensor, bias: Tensor | undefined, biasMode: number, out: Tensor,
  rows: number, cols: number, red: number, sOut: number, slices = 1, chunk = red): void {
  const g = G();
  const kernel = g.kernel('tconv/gemm', mode === Mode.WeightGrad ? 'wgrad' : 'conv', { TM });
  const rowTiles = Math.ceil(rows / (8 * TM));
  const colTiles = Math.ceil(cols / TILE_COLS);
  const maxX = g.limits.maxComputeWorkgroupsPerDimension;
  for (let t0 = 0; t0 < colTiles; t0 += maxX) {
    const x = Math.min(maxX, colTiles - t0);
    g.dispatch(kernel, { a: a.buffer, b: b.buffer, bias: bias?.buffer ?? g.placeholder, out: out.buffer }, {
      mode, rows, cols, red, cin: d.Cin, cout: d.Cout, t: d.T, tout: d.Tout, v: d.V, kt: d.KT, stride: d.stride, pad: d.pad,
      has_bias: biasMode, chunk, col0: t0 * TILE_COLS, s_out: sOut,
    }, [x, rowTiles, slices]);
  }
}

/** The GEMM weight gradient's reduction split: `used` slices of `chunk` positions, about `groups` workgroups in all. */
export function gemmWgradSlices(d: ConvDims, TM: number, groups: number): { used: number; chunk: number } {
  const red = d.N * d.Tout * d.V;
  const tiles = Math.ceil(d.Cout / (8 * TM)) * Math.ceil(d.Cin * d.KT / TILE_COLS);
  // every slice keeps at least 64 reduction steps of work
  const slices = Math.max(1, Math.min(Math.ceil(groups / tiles), Math.floor(red / (64 * BK))));
  const chunk = Math.ceil(red / slices / BK) * BK;
  return { used: Math.ceil(red / chunk), chunk };
}

/** The GEMM's weight gradient: the reduction split into slices summed afterwards. */
export function gemmWeightGrad(d: ConvDims, dy: Tensor, x: Tensor, TM: number, groups: number): Tensor {
  const rows = d.Cout, cols = d.Cin * d.KT, red = d.N * d.Tout * d.V;
  const { used, chunk } = gemmWgradSlices(d, TM, groups);
  const partial = Tensor.empty([used, rows, cols]);
  gemm(Mode.WeightGrad, TM, d, dy, x, undefined, 0, partial, rows, cols, red, 0, used, chunk);
  if (used === 1) return partial.view([rows, cols]);
  const sum = sumAxes(partial, 0);
  partial.dispose();
  return sum;
}

