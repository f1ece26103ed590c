/**
 * Inverted dropout — kernel kernels/random.wgsl (`main`, op 2). The keep mask is a pure function
 * of (seed, offset, element index) drawn inside the kernel, so no mask tensor exists: the backward
 * rule reruns the same kernel on the incoming gradient with the same stream, which applies the
 * identical mask and scale.
 */
import { Tensor } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { mainDispatch, randomWordsRef, Tag, type GpuRng } from './random.js';
import { zeros } from './elementwise.js';

const OP_DROPOUT = 2;

/** Zeroes each element with probability p and scales the rest by 1/(1 − p); identity when !training or p = 0. */
export function dropout(x: Tensor, p: number, rng: GpuRng, training: boolean): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return record('dropout', zeros(x.shape), [x], () => [zeros(x.shape)]);
  const { seed, offset } = rng.next();
  const apply = (t: Tensor) => {
    const out = Tensor.empty(t.shape);
    mainDispatch(OP_DROPOUT, Tag.Dropout, t.buffer, out, seed, offset, p, 1 / (1 - p));
    return out;
  };
  return record('dropout', apply(x), [x], (g) => [apply(g)], []);   // the backward reads no tensor of the forward
}

/** The keep mask (1/0) that `dropout` applies for a stream, in TypeScript (tests). */
export function dropoutMaskRef(n: number, p: number, seed: number, offset: number): Uint8Array {
  const w = randomWordsRef(n, seed, offset, Tag.Dropout);
  const pf = Math.fround(p);
  return Uint8Array.from(w, (v) => ((v >>> 8) / 16777216 >= pf ? 1 : 0));
}
