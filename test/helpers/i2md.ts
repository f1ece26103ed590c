/** The tiny I²MD configuration the step and pre-training tests share (2-block encoders, 8 frames, a small queue), and random batches for it. */
import { Tensor } from '../../src/tensor/index.js';
import { presets, type PretrainConfig } from '../../src/i2md/config.js';
import { Rng } from '../../src/util/random.js';

export const tiny: PretrainConfig = {
  ...presets.demo, blocks: [[3, 4, 1], [4, 8, 2]], dropout: 0, headDim: 8, frames: 8, minCrop: 8,
  queueSize: 16, topk: 4, kDna: 3, dnaDelta: 0.2, batchSize: 4, epochs: 2, lr: 0.05, lrSteps: [], seed: 5,
};
export const B = 4, T = 8, V = 25, M = 2;

/** A (B, 3, T, V, M) batch of uniform values in [−1, 1). */
export function batch(seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: B * 3 * T * V * M }, () => rng.uniform(-1, 1)), [B, 3, T, V, M]);
}
