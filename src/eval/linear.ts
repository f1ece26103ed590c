/**
 * Linear evaluation (docs/method.md#linear) on frozen features: a new Linear(D, classes) initialised
 * N(0, 0.01), SGD lr 0.1, momentum 0.9, no weight decay, lr × 0.1 at the milestones, batch 64;
 * the best top-1 of evaluations every `evalEvery` epochs and the last. Features are computed once
 * by the frozen encoder (BN in eval mode), so the classifier trains on the GPU in seconds.
 */
import { Tensor, tidy, backward, noGrad } from '../tensor/index.js';
import { linear } from '../ops/matmul/matmul.js';
import { crossEntropy } from '../ops/losses.js';
import { SGD } from '../optim/sgd.js';
import { stepSchedule } from '../optim/schedule.js';
import { Rng } from '../util/random.js';
import type { FeatureSet } from './features.js';
import { Progress } from '../util/progress.js';

export interface LinearOptions {
  epochs?: number; lr?: number; milestones?: number[]; batchSize?: number; evalEvery?: number; seed?: number; numClasses?: number;
  /**
   * Standardise each feature with the training set's mean and std before the classifier (default
   * true) — a BatchNorm without affine parameters in front of the linear layer, as in MAE's linear
   * probing. Without it, small-magnitude features (a random encoder's, a small demo encoder's) leave
   * the weights far behind the bias at lr 0.1 and the probe only learns the class prior.
   */
  standardize?: boolean;
  /** a label: a progress bar over the epochs with ETA on stderr (the official protocol encodes every epoch: an hour on NTU at paper size) */
  progress?: string;
}

/** Per-feature (x − mean) / std with the statistics of `train`. */
export function standardizeFeatures(train: FeatureSet, ...others: FeatureSet[]): FeatureSet[] {
  const stats = featureStats(train);
  return [train, ...others].map((f) => applyStats(f, stats));
}
export interface LinearResult { best: number; last: number; bestTop5: number; lastTop5: number; history: { epoch: number; top1: number; top5: number }[]; predictions: Int32Array;
  /** softmax outputs (N, classes) of the last evaluation, for multi-stream fusion */
  probabilities: Float32Array;
  /** softmax outputs of every evaluation (aligned with history), so a fusion can take its best evaluation as the streams do */
  probabilityHistory: Float32Array[];
  /** the trained classifier after the last epoch: weight (classes, D), bias (classes) — what `--out` saves */
  classifier: { weight: Float32Array; bias: Float32Array };
  /** the standardisation applied to the features before the classifier, if any */
  stats?: { mean: Float64Array; inv: Float64Array } }

/** Per-feature statistics of a training set: (x − mean) / std with these is `standardizeFeatures`. */
export function featureStats(train: FeatureSet): { mean: Float64Array; inv: Float64Array } {
  const { n, d } = train;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += train.features[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j] += (train.features[i * d + j] - mean[j]) ** 2 / n;
  return { mean, inv: Float64Array.from(sq, (v) => 1 / Math.sqrt(v + 1e-5)) };
}

export function applyStats(f: FeatureSet, { mean, inv }: { mean: Float64Array; inv: Float64Array }): FeatureSet {
  const d = f.d;
  return { ...f, features: Float32Array.from(f.features, (v, k) => (v - mean[k % d]) * inv[k % d]) };
}

/** Linear evaluation on features computed once (the precomputed, "fixed" protocol; standardised unless told not to). */
export async function linearEvaluate(trainRaw: FeatureSet, testRaw: FeatureSet, opts: LinearOptions = {}): Promise<LinearResult> {
  if (opts.standardize === false) return trainLinear(async () => trainRaw, testRaw, opts);
  const stats = featureStats(trainRaw);
  const train = applyStats(trainRaw, stats), test = applyStats(testRaw, stats);
  return { ...(await trainLinear(async () => train, test, opts)), stats };
}

/**
 * The classifier's training loop: `trainAt(epoch)` gives that epoch's training features (the same
 * set every epoch for precomputed features, fresh crops for the official protocol), `test` is
 * evaluated every `evalEvery` epochs and after the last. Standardisation, if any, is the caller's.
 */
export async function trainLinear(trainAt: (epoch: number) => Promise<FeatureSet>, test: FeatureSet, opts: LinearOptions = {}): Promise<LinearResult> {
  const { epochs = 80, lr = 0.1, milestones = [50, 70], batchSize = 64, evalEvery = 5, seed = 0 } = opts;
  const d = test.d;
  let train = await trainAt(0);
  if (train.d !== d) throw new Error(`linear evaluation: training features have ${train.d} dimensions, test ${d}`);
  const classes = opts.numClasses ?? Math.max(...train.labels, ...test.labels) + 1;
  const rng = new Rng(seed);
  const w = Tensor.from(Float32Array.from({ length: classes * d }, () => 0.01 * rng.normal()), [classes, d]).param();
  const b = Tensor.from(new Float32Array(classes), [classes]).param();
  const sgd = new SGD({ momentum: 0.9, weightDecay: 0 });
  const lrAt = stepSchedule(lr, milestones);
  const xTest = Tensor.from(test.features, [test.n, d]).keep();
  const history: LinearResult['history'] = [];
  const probabilityHistory: Float32Array[] = [];
  let predictions: Int32Array = new Int32Array(test.n);
  let classifier: LinearResult['classifier'] | undefined;
  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const bar = opts.progress ? new Progress(epochs, opts.progress, { item: 'epoch', perItem: train.n, rateUnit: 'seq/s' }) : undefined;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (epoch > 0) train = await trainAt(epoch);
      rng.shuffle(order);
      for (let s = 0; s < train.n; s += batchSize) {
        const rows = order.subarray(s, Math.min(s + batchSize, train.n));
        const xb = new Float32Array(rows.length * d);
        const yb = new Int32Array(rows.length);
        rows.forEach((r, i) => { xb.set(train.features.subarray(r * d, (r + 1) * d), i * d); yb[i] = train.labels[r]; });
        tidy(() => {
          const loss = crossEntropy(linear(Tensor.from(xb, [rows.length, d]), w, b), Tensor.from(yb, [rows.length], 'i32'));
          backward(loss);
          sgd.step([w, b], lrAt(epoch));
        });
      }
      if ((epoch + 1) % evalEvery === 0 || epoch === epochs - 1) {
        const logits = noGrad(() => tidy(() => linear(xTest, w, b)));
        const scores = await logits.read();
        logits.dispose();
        const { top1, top5, pred } = topAccuracy(scores, test.labels, classes);
        history.push({ epoch: epoch + 1, top1, top5 });
        predictions = pred;
        probabilityHistory.push(softmaxRows(scores, classes));
      }
      bar?.update(epoch + 1, history.length ? `test top-1 ${(100 * history[history.length - 1].top1).toFixed(1)}%` : '');
    }
    bar?.done();
    classifier = { weight: await w.read(), bias: await b.read() };
  } finally {
    w.dispose(); b.dispose(); sgd.dispose(); xTest.dispose();
  }
  const last = history[history.length - 1];
  return {
    best: Math.max(...history.map((h) => h.top1)), last: last.top1,
    bestTop5: Math.max(...history.map((h) => h.top5)), lastTop5: last.top5, history, predictions,
    probabilities: probabilityHistory[probabilityHistory.length - 1], probabilityHistory, classifier: classifier!,
  };
}

/** Top-1 / top-5 accuracy of row-major scores (N, C); ties resolved towards the lower class. */
/** Row-wise softmax of (N, C) scores on the CPU (fusion of stream classifiers). */
export function softmaxRows(x: Float32Array, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += c) {
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, x[i + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += (out[i + j] = Math.exp(x[i + j] - m));
    for (let j = 0; j < c; j++) out[i + j] /= s;
  }
  return out;
}

export function topAccuracy(scores: Float32Array, labels: Int32Array, classes: number): { top1: number; top5: number; pred: Int32Array } {
  const n = labels.length;
  let h1 = 0, h5 = 0;
  const pred = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = scores.subarray(i * classes, (i + 1) * classes);
    const y = labels[i];
    let rank = 0, best = 0;
    for (let c = 0; c < classes; c++) {
      if (row[c] > row[y] || (row[c] === row[y] && c < y)) rank++;
      if (row[c] > row[best]) best = c;
    }
    pred[i] = best;
    if (rank === 0) h1++;
    if (rank < 5) h5++;
  }
  return { top1: h1 / n, top5: h5 / n, pred };
}

