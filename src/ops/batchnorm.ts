/**
 * Batch normalisation with PyTorch semantics — kernels/batchnorm.wgsl. Channels sit on
 * `channelAxis` (1: (N, C) and (N, C, T) as BatchNorm1d, (N, C, T, V) as BatchNorm2d); statistics
 * reduce over every other axis. Training normalises with the batch mean and the biased variance
 * and moves the running statistics (in place, no gradient) towards the batch mean and the
 * *unbiased* variance; evaluation normalises with the running statistics, an affine map.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record, needsGrad } from '../tensor/autograd.js';
import type { Overrides } from '../gpu/kernels.js';
import { kernelNumber } from '../gpu/policy.js';

const WG = 256;
/** Workgroup of the per-row entries (a row of `inner` elements per channel and outer index). */
const ROW_WG = 64;
/** vec4s per invocation in the …_rows4 entries: the channel constants are read once for 16 elements. */
const RV = 4;

/**
 * The per-element passes by rows (channel per workgroup: no division per element, its constants
 * read once per invocation; vec4s when a row is whole vec4s) when rows are long enough to fill
 * workgroups and the grid fits; else the flat entries. Returns the entry and the grid.
 */
function elementwisePlan(entry: 'norm' | 'bwd_dx', outer: number, C: number, inner: number, size: number, limit: number): [string, number | [number, number, number], number] {
  if (inner < ROW_WG || outer > limit || C > limit) return [entry, Math.ceil(size / WG), WG];
  const e = inner % 4 === 0 ? 4 * RV : 1;
  return [`${entry}_rows${e > 1 ? '4' : ''}`, [Math.ceil(inner / (ROW_WG * e)), C, outer], ROW_WG];
}

/**
 * Workgroup size of the per-channel reductions (stats, bwd_stats): one workgroup per channel, a
 * tree of barriers at the end. The kernel policy's `batchnorm` setting (src/gpu/policy.ts): 8 on
 * software adapters, where each barrier makes every 8-lane SIMD group of the workgroup yield in
 * turn (docs/bench.md#software-adapters), 256 on GPUs.
 */
function statsOverrides(): Overrides {
  const wg = kernelNumber('batchnorm');
  return wg === WG ? {} : { WG: wg };
}

/** The per-channel reductions read vec4s along rows of whole vec4s (rows of ≥ 64). */
const statsEntry = (entry: 'stats' | 'bwd_stats', inner: number): string => (inner % 4 === 0 && inner >= 64 ? `${entry}4` : entry);

export interface BatchNormState { runningMean: Tensor; runningVar: Tensor }
export interface BatchNormOptions {
  training: boolean; momentum?: number; eps?: number; channelAxis?: number;
  /** Ends in a ReLU: max(y, 0), and its mask in the backward — one pass each way fewer than `relu(batchNorm(…))`, same values. */
  relu?: boolean;
}

/** Fresh running statistics for C channels (mean 0, variance 1, as PyTorch), kept across tidies. */
export function batchNormState(channels: number): BatchNormState {
  return {
    runningMean: Tensor.from(new Float32Array(channels), [channels]).keep(),
    runningVar: Tensor.from(new Float32Array(channels).fill(1), [channels]).keep(),
  };
}

/**
 * y = (x − mean)/√(var + eps)·weight + bias per channel. `weight`/`bias` may be omitted together
 * (affine = false). Gradients flow to x, weight and bias in both modes.
 */
export function batchNorm(x: Tensor, weight: Tensor | undefined, bias: Tensor | undefined, state: BatchNormState, opts: BatchNormOptions): Tensor {
  const { training, momentum = 0.1, eps = 1e-5, relu = false } = opts;
  const axis = (opts.channelAxis ?? 1) < 0 ? (opts.channelAxis ?? 1) + x.rank : (opts.channelAxis ?? 1);
  if (axis < 0 || axis >= x.rank) throw new Error(`batchNorm: channel axis ${opts.channelAxis} out of range for [${x.shape}]`);
  const C = x.shape[axis];
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (const [name, t] of [['weight', weight], ['bias', bias], ['runningMean', state.runningMean], ['runningVar', state.runningVar]] as const) {
    if (t && t.size !== C) throw new Error(`batchNorm: ${name} has ${t.size} values for ${C} channels`);
  }
  if ((weight === undefined) !== (bias === undefined)) throw new Error('batchNorm: pass both weight and bias, or neither');
  if (training && outer * inner < 2) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input [${x.shape}]`);

  const g = G();
  const affine = weight ? 1 : 0;
  const params = (update = 0) => ({ outer, C, inner, train: training ? 1 : 0, affine, update, eps, momentum, relu: relu ? 1 : 0 });
  const limit = g.limits.maxComputeWorkgroupsPerDimension;
  // training: the batch mean and invstd; eval: the running mean and variance (invstd formed in-kernel)
  let mean: Tensor, stat: Tensor;
  if (training) {
    mean = Tensor.empty([C]); stat = Tensor.empty([C]);
    g.dispatch(g.kernel('batchnorm', statsEntry('stats', inner), statsOverrides()),
      { x: x.buffer, means: mean.buffer, stat: stat.buffer, running_mean: state.runningMean.buffer, running_var: state.runningVar.buffer }, params(1), C);
  } else {
    mean = state.runningMean; stat = state.runningVar;
  }
  const y = Tensor.empty(x.shape);
  const [normEntry, normGrid, normWg] = elementwisePlan('norm', outer, C, inner, x.size, limit);
  g.dispatch(g.kernel('batchnorm', normEntry, { WG: normWg, RV }),
    { x: x.buffer, means: mean.buffer, stat: stat.buffer, weight: weight?.buffer ?? g.placeholder, bias: bias?.buffer ?? g.placeholder, out: y.buffer }, params(), normGrid);
  if (!needsGrad(x, weight, bias)) {
    if (training) { mean.dispose(); stat.dispose(); }
    return y;
  }
  if (!training) {
    // the running statistics may move before backward runs (a later training step): keep today's
    mean = copyRaw(mean); stat = copyRaw(stat);
  }

  return record(relu ? 'batchNormRelu' : 'batchNorm', y, [x, weight, bias], (gy) => {
    const dweight = Tensor.empty([C]), dbias = Tensor.empty([C]);
    // with the ReLU, bwd_stats masks gy by the output and writes the masked gradient (gm) that bwd_dx reads
    const gm = relu ? Tensor.empty(x.shape) : undefined;
    g.dispatch(g.kernel('batchnorm', statsEntry('bwd_stats', inner), statsOverrides()),
      { x: x.buffer, grad: gy.buffer, means: mean.buffer, stat: stat.buffer, dweight: dweight.buffer, dbias: dbias.buffer,
        out: relu ? y.buffer : g.placeholder, masked: gm?.buffer ?? g.placeholder }, params(), C);
    let dx: Tensor | undefined;
    if (x.requiresGrad) {
      dx = Tensor.empty(x.shape);
      const [dxEntry, dxGrid, dxWg] = elementwisePlan('bwd_dx', outer, C, inner, x.size, limit);
      g.dispatch(g.kernel('batchnorm', dxEntry, { WG: dxWg, RV }),
        { x: x.buffer, grad: (gm ?? gy).buffer, means: mean.buffer, stat: stat.buffer, weight: weight?.buffer ?? g.placeholder,
          dweight: dweight.buffer, dbias: dbias.buffer, dx: dx.buffer }, params(), dxGrid);
    }
    gm?.dispose();
    if (!weight) { dweight.dispose(); dbias.dispose(); }
    return [dx, weight ? dweight : undefined, bias ? dbias : undefined];
  }, [x, weight, bias, relu ? y : undefined]);   // the output only for the ReLU's mask
}

function copyRaw(t: Tensor): Tensor {
  const out = Tensor.empty(t.shape);
  G().copy(t.buffer, 0, out.buffer, 0, t.bytes);
  return out;
}

// ---- float64 reference

/**
 * Batch norm over `axis` of x (viewed as (outer, C, inner)) in float64. train: batch statistics
 * (biased variance); eval: the given running statistics. Returns y and the statistics used.
 */
export function batchNormRef(x: Float64Array, shape: number[], axis: number, w: Float64Array | undefined, b: Float64Array | undefined,
  mode: { train: true } | { train: false; rm: ArrayLike<number>; rv: ArrayLike<number> }, eps = 1e-5) {
  const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);
  const C = shape[axis], outer = prod(shape.slice(0, axis)), inner = prod(shape.slice(axis + 1)), m = outer * inner;
  const mean = new Float64Array(C), varB = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    if (!mode.train) { mean[c] = mode.rm[c]; varB[c] = mode.rv[c]; continue; }
    let s = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) s += x[(o * C + c) * inner + i];
    mean[c] = s / m;
    let q = 0;
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) q += (x[(o * C + c) * inner + i] - mean[c]) ** 2;
    varB[c] = q / m;
  }
  const y = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const c = Math.floor(j / inner) % C;
    y[j] = (x[j] - mean[c]) / Math.sqrt(varB[c] + eps) * (w ? w[c] : 1) + (b ? b[c] : 0);
  }
  return { y, mean, varB, m };
}
