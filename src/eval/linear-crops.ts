/**
 * The official linear protocol: every epoch, each training sequence gets a fresh random crop
 * (scale U[0.5, 1), no corruption — the 'train-eval' view) and goes through the frozen encoder
 * (eval mode: BN running statistics, no dropout); the test set is centre-cropped once. The crops
 * of epoch e come from Rng.derive(seed, ·, e, batch), so they differ between epochs and are the
 * same for the same seed.
 */
import type { SkeletonDataset } from '../data/dataset.js';
import type { Encoder } from '../nn/encoder.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality } from '../i2md/config.js';
import { extractFeatures, type FeatureSet } from './features.js';
import { trainLinear, featureStats, applyStats, type LinearOptions, type LinearResult } from './linear.js';

export interface CropLinearOptions extends LinearOptions {
  frames: number;
  minCrop?: number;        // shortest crop in frames (default: frames, as fine-tuning does)
  featureBatch?: number;   // sequences per encoder pass (default 64)
}

/** The training features of epoch `epoch`: one random crop per sequence, in dataset order. */
export function cropFeatures(encoder: Encoder, train: SkeletonDataset, modality: Modality, layout: Layout, epoch: number, o: CropLinearOptions): Promise<FeatureSet> {
  return extractFeatures(encoder, train, modality, layout, {
    frames: o.frames, batchSize: o.featureBatch ?? 64, transform: 'train-eval', seed: o.seed ?? 0, epoch, minCrop: o.minCrop ?? o.frames,
  });
}

export async function linearEvaluateCrops(
  encoder: Encoder, train: SkeletonDataset, test: SkeletonDataset, modality: Modality, layout: Layout, opts: CropLinearOptions,
): Promise<LinearResult & { testFeatures: FeatureSet }> {
  let testF = await extractFeatures(encoder, test, modality, layout, { frames: opts.frames, batchSize: opts.featureBatch ?? 64 });
  const raw = testF;
  let stats: ReturnType<typeof featureStats> | undefined;
  const trainAt = async (epoch: number) => {
    const f = await cropFeatures(encoder, train, modality, layout, epoch, opts);
    return stats ? applyStats(f, stats) : f;
  };
  if (opts.standardize) {
    // statistics of the first epoch's crops, kept for every epoch and the test set
    stats = featureStats(await cropFeatures(encoder, train, modality, layout, 0, opts));
    testF = applyStats(testF, stats);
  }
  const r = await trainLinear(trainAt, testF, opts);
  return { ...r, stats, testFeatures: raw };
}
