/**
 * The raw-joint 1-NN baseline: every sequence as one vector of its joint coordinates (the
 * evaluation view — centre crop keeping 95 % of the valid frames, resized to `frames` — flattened),
 * each test sequence labelled by its nearest training sequence in Euclidean distance. Anything
 * learned should beat it; on real sets it is a strong baseline once the data is normalised.
 */
import type { SkeletonDataset } from '../data/dataset.js';
import { evalView } from '../skeleton/augment.js';
import type { FeatureSet } from './features.js';

/** The flattened evaluation views (N, 3·frames·V·M) with their labels. */
export function rawJointFeatures(ds: SkeletonDataset, frames: number): FeatureSet {
  const d = 3 * frames * ds.V * ds.M;
  const features = new Float32Array(ds.size * d);
  const labels = new Int32Array(ds.size);
  for (let i = 0; i < ds.size; i++) {
    const s = ds.get(i);
    features.set(evalView(s, { T_in: ds.T, V: ds.V, M: ds.M, T_out: frames }), i * d);
    labels[i] = s.label;
  }
  return { features, labels, n: ds.size, d };
}

/** Top-1 accuracy of 1-NN by Euclidean distance (ties → the lower training row). */
export function nearestNeighbourAccuracy(train: FeatureSet, test: FeatureSet): number {
  const { d } = train;
  if (test.d !== d) throw new Error(`1-NN: train has ${d} features, test ${test.d}`);
  let hits = 0;
  for (let i = 0; i < test.n; i++) {
    let best = Infinity, arg = -1;
    const q = test.features.subarray(i * d, (i + 1) * d);
    for (let j = 0; j < train.n; j++) {
      let s = 0;
      const o = j * d;
      for (let k = 0; k < d && s < best; k++) { const diff = q[k] - train.features[o + k]; s += diff * diff; }
      if (s < best) { best = s; arg = j; }
    }
    if (arg >= 0 && train.labels[arg] === test.labels[i]) hits++;
  }
  return test.n ? hits / test.n : 0;
}

/** The baseline on a split: raw-joint 1-NN top-1 at `frames` frames per sequence. */
export function rawJointNN(train: SkeletonDataset, test: SkeletonDataset, frames: number): number {
  return nearestNeighbourAccuracy(rawJointFeatures(train, frames), rawJointFeatures(test, frames));
}
