/**
 * Frozen-encoder features of a dataset: encoder in eval mode (BN running statistics, no dropout),
 * each sample centre-cropped to the training length (docs/method.md#augmentation: test uses a centre crop keeping
 * 95% of the frames), modality computed on the GPU, pooled feature (N, D) read back.
 */
import { Tensor, tidy, noGrad, G } from '../tensor/index.js';
import type { SkeletonDataset } from '../data/dataset.js';
import { Loader } from '../data/loader.js';
import type { Encoder } from '../nn/encoder.js';
import { modalityOf } from '../i2md/step.js';
import type { Modality } from '../i2md/config.js';
import type { Layout } from '../skeleton/layouts.js';
import { Progress } from '../util/progress.js';

export interface FeatureSet { features: Float32Array; labels: Int32Array; n: number; d: number }

export async function extractFeatures(
  encoder: Encoder, dataset: SkeletonDataset, modality: Modality, layout: Layout,
  { frames, batchSize = 64, transform = 'eval' as 'eval' | 'train-eval', seed = 0, epoch = 0, minCrop, progress }:
    { frames: number; batchSize?: number; transform?: 'eval' | 'train-eval'; seed?: number;
      /** with 'train-eval': the crops of this epoch (Rng.derive(seed, ·, epoch, batch)) */
      epoch?: number; minCrop?: number;
      /** a label: show a progress bar with ETA on stderr (src/util/progress.ts: redrawn on a terminal, a line every 10 s otherwise) */
      progress?: string },
): Promise<FeatureSet> {
  const wasTraining = encoder.training;
  encoder.eval();
  const loader = new Loader(dataset, { batchSize, shuffle: false, dropLast: false, seed, transform, T: frames, augment: minCrop === undefined ? undefined : { minCrop } });
  const d = encoder.featureDim;
  const out = new Float32Array(dataset.size * d);
  const labels = new Int32Array(dataset.size);
  let row = 0;
  const bar = progress ? new Progress(dataset.size, progress, { item: 'seq', rateUnit: 'seq/s' }) : undefined;
  try {
    for await (const batch of loader.epoch(epoch)) {
      const f = noGrad(() => tidy(() => {
        const x = Tensor.from(batch.x1, [batch.size, 3, frames, dataset.V, dataset.M]);
        return encoder.features(modalityOf(x, modality, layout.bones));
      }));
      out.set(await f.read(), row * d);
      labels.set(batch.labels, row);
      row += batch.size;
      f.dispose();
      bar?.update(row);
    }
    bar?.done();
  } finally {
    loader.close();
    encoder.train(wasTraining);
  }
  G().checkErrors();
  return { features: out, labels, n: dataset.size, d };
}
