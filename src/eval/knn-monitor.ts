/**
 * The k-NN monitor of pre-training: every few epochs, each stream's query encoder (eval mode,
 * centre crops, as `knn` evaluates) embeds a fixed subset of the labelled training split (the
 * memory) and of the held-out test split (the queries), and the 1-NN / 20-NN accuracies are
 * logged. On the full splits its numbers are exactly `knn`'s on the checkpoint of that epoch.
 * It watches a run; it is not for choosing a model on the test set.
 */
import { SubsetDataset, type SkeletonDataset } from '../data/dataset.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality } from '../i2md/config.js';
import type { Encoder } from '../nn/encoder.js';
import { extractFeatures } from './features.js';
import { knnEvaluate } from './knn.js';

export interface KnnMonitorOptions {
  train: SkeletonDataset;   // labelled memory (the pre-training split, with its labels)
  test: SkeletonDataset;    // held-out queries
  layout: Layout;
  every: number;            // epochs between two measurements (the last epoch is always measured)
  maxRows?: number;         // at most this many evenly spaced rows of each split (default 2000)
  k?: number;               // weighted-vote neighbours (default 20)
  streams?: Modality[];     // which streams to measure (default every one)
}

export interface KnnReading { stream: Modality; knn1: number; knnK: number; k: number; train: number; test: number }

/** `n` rows evenly spaced over `size` (all when n ≥ size). */
export function evenRows(size: number, n: number): Int32Array {
  if (n >= size) return Int32Array.from({ length: size }, (_, i) => i);
  return Int32Array.from({ length: n }, (_, i) => Math.floor((i * size) / n));
}

export class KnnMonitor {
  private readonly train: SkeletonDataset;
  private readonly test: SkeletonDataset;
  constructor(readonly opts: KnnMonitorOptions) {
    const max = opts.maxRows ?? 2000;
    this.train = opts.train.size > max ? new SubsetDataset(opts.train, evenRows(opts.train.size, max)) : opts.train;
    this.test = opts.test.size > max ? new SubsetDataset(opts.test, evenRows(opts.test.size, max)) : opts.test;
  }

  /** Whether the end of `epoch` (1-based count of finished epochs) is measured. */
  due(epochsDone: number, lastEpoch: number): boolean {
    return epochsDone === lastEpoch || (this.opts.every > 0 && epochsDone % this.opts.every === 0);
  }

  async measure(encoders: { modality: Modality; encoder: Encoder }[], frames: number): Promise<KnnReading[]> {
    const out: KnnReading[] = [];
    for (const { modality, encoder } of encoders) {
      if (this.opts.streams && !this.opts.streams.includes(modality)) continue;
      const a = await extractFeatures(encoder, this.train, modality, this.opts.layout, { frames });
      const b = await extractFeatures(encoder, this.test, modality, this.opts.layout, { frames });
      const r = knnEvaluate(a.features, a.labels, b.features, b.labels, a.d, { k: this.opts.k ?? 20 });
      out.push({ stream: modality, knn1: r.top1, knnK: r.knn, k: r.k, train: a.n, test: b.n });
    }
    return out;
  }
}
