/**
 * PyTorch's default initialisation, drawn from a seeded CPU generator so a seed gives the same
 * weights everywhere. Conv2d and Linear use kaiming_uniform_(a = √5): gain √(2/(1+a²)) = √(1/3),
 * bound = gain·√(3/fan_in) = 1/√fan_in; their bias is U(−1/√fan_in, 1/√fan_in).
 */
import { Tensor } from '../tensor/tensor.js';
import type { Rng } from '../util/random.js';

/** U(−bound, bound) of the given shape as float32 values. */
export function uniformValues(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

/** kaiming_uniform_(a = √5) for a weight whose fan-in is the product of all dims but the first. */
export function kaimingUniform(rng: Rng, shape: readonly number[]): Tensor {
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const n = shape.reduce((a, b) => a * b, 1);
  return Tensor.from(uniformValues(rng, n, 1 / Math.sqrt(fanIn)), shape);
}

/** The default bias of Conv2d / Linear: U(−1/√fan_in, 1/√fan_in). */
export function fanInBias(rng: Rng, n: number, fanIn: number): Tensor {
  return Tensor.from(uniformValues(rng, n, 1 / Math.sqrt(fanIn)), [n]);
}

export function constant(shape: readonly number[], value: number): Tensor {
  return Tensor.from(new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(value), shape);
}

/**
 * xavier_uniform_ (gain 1) for a 2-D weight (fan_out, fan_in): U(±√(6 / (fan_in + fan_out))). For
 * nn.GRU's stacked (3H, in) matrices the fans are those of the whole stack, as PyTorch computes them.
 */
export function xavierUniform(rng: Rng, shape: readonly [number, number]): Tensor {
  return Tensor.from(xavierValues(rng, shape[0], shape[1]), shape);
}
export function xavierValues(rng: Rng, fanOut: number, fanIn: number): Float32Array {
  return uniformValues(rng, fanOut * fanIn, Math.sqrt(6 / (fanIn + fanOut)));
}
