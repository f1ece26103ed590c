/**
 * Applying a normalisation (src/skeleton/normalize.ts) to a whole dataset: in place once for the
 * small sets held in memory, sample by sample on read for the large ones read by seeking.
 */
import { ArrayDataset, type Sample, type SkeletonDataset } from './dataset.js';
import { getLayout } from '../skeleton/layouts.js';
import { anchorsOf, normalizeSample, type Normalization } from '../skeleton/normalize.js';

/** A dataset whose samples are normalised as they are read (the base is never changed). */
export class NormalizedDataset implements SkeletonDataset {
  readonly size: number; readonly T: number; readonly V: number; readonly M: number;
  readonly numClasses: number; readonly layout: string;
  private readonly anchors;
  constructor(readonly base: SkeletonDataset, readonly mode: Normalization) {
    this.size = base.size; this.T = base.T; this.V = base.V; this.M = base.M;
    this.numClasses = base.numClasses; this.layout = base.layout;
    this.anchors = anchorsOf(getLayout(base.layout), mode);
  }
  get(i: number): Sample {
    const s = this.base.get(i);
    const data = Float32Array.from(s.data);
    normalizeSample(data, this.T, this.V, this.M, s.frames, this.mode, this.anchors);
    return { ...s, data };
  }
  labels(): Int32Array { return this.base.labels(); }
}

/** Normalises every row of an in-memory dataset in place; returns it. */
export function normalizeInPlace(ds: ArrayDataset, mode: Normalization): ArrayDataset {
  if (mode === 'none') return ds;
  const anchors = anchorsOf(getLayout(ds.layout), mode);
  for (let i = 0; i < ds.size; i++) {
    const s = ds.get(i); // a view into ds.data
    normalizeSample(s.data, ds.T, ds.V, ds.M, s.frames, mode, anchors);
  }
  return ds;
}
