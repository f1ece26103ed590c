/**
 * Fine-tuning evaluation (docs/method.md#finetune): the whole encoder plus a new Linear(D, classes) trained on
 * labelled data — semi-supervised on a class-stratified fraction of the training set (1%, 10%),
 * full fine-tuning at fraction 1, transfer when the encoder was pre-trained on another dataset.
 * The recipe is the linear one with lr 0.01: SGD momentum 0.9, no weight decay, lr × 0.1 at the
 * milestones, batch 64, the classifier initialised N(0, 0.01); training views are the
 * 'train-eval' crops (scale U[0.5, 1), no corruption) and BN runs in training mode; the test set
 * is evaluated every `evalEvery` epochs with the encoder in eval mode and centre crops.
 */
import { Tensor, tidy, backward } from '../tensor/index.js';
import { linear } from '../ops/matmul/matmul.js';
import { crossEntropy } from '../ops/losses.js';
import { SGD } from '../optim/sgd.js';
import { stepSchedule } from '../optim/schedule.js';
import { Rng } from '../util/random.js';
import { Loader } from '../data/loader.js';
import { SubsetDataset, type SkeletonDataset } from '../data/dataset.js';
import type { Encoder } from '../nn/encoder.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality } from '../i2md/config.js';
import { modalityOf } from '../i2md/step.js';
import { extractFeatures } from './features.js';
import { topAccuracy, softmaxRows } from './linear.js';
import { labelSubset, subsetCoverage, type Coverage } from './subsets.js';
import { fuseProbabilities } from './suite.js';

export interface FinetuneOptions {
  frames: number;               // T of every view
  minCrop?: number;             // shortest training crop (default = frames)
  epochs?: number;              // 80
  lr?: number;                  // 0.01
  milestones?: number[];        // [50, 70]
  batchSize?: number;           // 64
  evalEvery?: number;           // 5
  weightDecay?: number;         // 0
  seed?: number;                // classifier init, data order, crops
  numClasses?: number;
  /** called after every epoch with the training loss and accuracy (progress, tests) */
  onEpoch?: (e: { epoch: number; loss: number; top1: number; test?: { top1: number; top5: number } }) => void;
}

export interface FinetuneResult {
  best: number; last: number; bestTop5: number; lastTop5: number;
  history: { epoch: number; top1: number; top5: number }[];       // test evaluations
  train: { epoch: number; loss: number; top1: number }[];          // every epoch, on the training views
  predictions: Int32Array; probabilities: Float32Array; labels: Int32Array;   // of the last evaluation
  /** the classifier after the last epoch (the encoder was fine-tuned in place) */
  classifier: { weight: Float32Array; bias: Float32Array };
}

/** Fine-tunes `encoder` in place (its weights change) with a new classifier; returns the accuracies. */
export async function finetune(
  encoder: Encoder, train: SkeletonDataset, test: SkeletonDataset, modality: Modality, layout: Layout, opts: FinetuneOptions,
): Promise<FinetuneResult> {
  const { frames, epochs = 80, lr = 0.01, milestones = [50, 70], batchSize = 64, evalEvery = 5, weightDecay = 0, seed = 0 } = opts;
  const classes = opts.numClasses ?? Math.max(train.numClasses, maxLabel(train.labels()) + 1, maxLabel(test.labels()) + 1);
  const D = encoder.featureDim;
  const rng = new Rng(seed);
  const w = Tensor.from(Float32Array.from({ length: classes * D }, () => 0.01 * rng.normal()), [classes, D]).param();
  const b = Tensor.from(new Float32Array(classes), [classes]).param();
  // the projection head takes no part: only the backbone and the new classifier are trained
  const params = [...encoder.namedParameters().filter(([n]) => !n.startsWith('fc.')).map(([, t]) => t), w, b];
  const sgd = new SGD({ momentum: 0.9, weightDecay });
  const lrAt = stepSchedule(lr, milestones);
  const loader = new Loader(train, {
    batchSize, shuffle: true, dropLast: false, seed, transform: 'train-eval', T: frames, augment: { minCrop: opts.minCrop ?? frames },
  });
  const history: FinetuneResult['history'] = [], trainLog: FinetuneResult['train'] = [];
  let lastEval: { predictions: Int32Array; probabilities: Float32Array; labels: Int32Array } | undefined;
  const wasTraining = encoder.training;
  let classifier: FinetuneResult['classifier'] | undefined;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      encoder.train();
      let lossSum = 0, hits = 0, seen = 0;
      for await (const batch of loader.epoch(epoch)) {
        const { loss, logits } = tidy(() => {
          const x = Tensor.from(batch.x1, [batch.size, 3, frames, train.V, train.M]);
          const out = linear(encoder.features(modalityOf(x, modality, layout.bones)), w, b);
          const l = crossEntropy(out, Tensor.from(batch.labels, [batch.size], 'i32'));
          backward(l);
          sgd.step(params, lrAt(epoch));
          return { loss: l, logits: out };
        });
        const scores = await logits.read();
        lossSum += (await loss.item()) * batch.size;
        hits += topAccuracy(scores, batch.labels, classes).top1 * batch.size;
        seen += batch.size;
        loss.dispose(); logits.dispose();
      }
      const entry = { epoch: epoch + 1, loss: lossSum / Math.max(1, seen), top1: hits / Math.max(1, seen) };
      if (!Number.isFinite(entry.loss)) throw new Error(`fine-tuning diverged: loss ${entry.loss} at epoch ${epoch + 1}`);
      trainLog.push(entry);
      let testAcc: { top1: number; top5: number } | undefined;
      if ((epoch + 1) % evalEvery === 0 || epoch === epochs - 1) {
        const r = await classify(encoder, w, b, test, modality, layout, frames, classes);
        testAcc = { top1: r.top1, top5: r.top5 };
        history.push({ epoch: epoch + 1, ...testAcc });
        lastEval = r;
      }
      opts.onEpoch?.({ ...entry, test: testAcc });
    }
    classifier = { weight: await w.read(), bias: await b.read() };
  } finally {
    loader.close();
    encoder.train(wasTraining);
    w.dispose(); b.dispose(); sgd.dispose();
  }
  const last = history[history.length - 1];
  return {
    best: Math.max(...history.map((h) => h.top1)), last: last.top1,
    bestTop5: Math.max(...history.map((h) => h.top5)), lastTop5: last.top5,
    history, train: trainLog, ...lastEval!, classifier: classifier!,
  };
}

/** Test-set scores of encoder + classifier: frozen features (eval mode, centre crops) × Wᵀ + b on the CPU. */
async function classify(encoder: Encoder, w: Tensor, b: Tensor, test: SkeletonDataset, modality: Modality, layout: Layout, frames: number, classes: number) {
  const f = await extractFeatures(encoder, test, modality, layout, { frames });
  const W = await w.read(), B = await b.read();
  const scores = new Float32Array(f.n * classes);
  for (let i = 0; i < f.n; i++) for (let c = 0; c < classes; c++) {
    let s = B[c];
    for (let j = 0; j < f.d; j++) s += f.features[i * f.d + j] * W[c * f.d + j];
    scores[i * classes + c] = s;
  }
  const acc = topAccuracy(scores, f.labels, classes);
  return { top1: acc.top1, top5: acc.top5, predictions: acc.pred, probabilities: softmaxRows(scores, classes), labels: f.labels };
}

function maxLabel(labels: Int32Array): number {
  let m = -1;
  for (const y of labels) if (y > m) m = y;
  return m;
}

export function meanStd(xs: number[]): { mean: number; std: number; n: number } {
  const n = xs.length;
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  // sample standard deviation (n − 1), 0 for a single run
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, n };
}

export interface RepeatResult {
  seed: number; coverage: Coverage;
  streams: { modality: Modality; best: number; last: number; bestTop5: number; history: FinetuneResult['history'] }[];
  fused?: { top1: number; top5: number };     // several streams: weighted softmax fusion of the last evaluations
}
export interface SemiSupervisedResult {
  fraction: number; repeats: RepeatResult[];
  /** mean ± std over repeats of the best top-1 of each stream, and of the fusion */
  summary: { stream: string; mean: number; std: number; n: number }[];
}

/**
 * Semi-supervised evaluation: for each of `repeats` seeds, a labelled subset of `fraction` of the
 * training set, a fresh copy of each stream's pre-trained encoder (`makeEncoder`), fine-tuned;
 * mean ± std of the best top-1 over the repeats. Fraction 1 is full fine-tuning (all subsets equal).
 */
export async function semiSupervised(
  makeEncoder: (modality: Modality) => Encoder, modalities: Modality[], train: SkeletonDataset, test: SkeletonDataset, layout: Layout,
  opts: FinetuneOptions & { fraction: number; repeats?: number; fusionWeights?: number[]; onRepeat?: (r: RepeatResult, index: number) => void;
    /** called with each stream's fine-tuned encoder and classifier of the last repeat, before the encoder is freed (--out) */
    onTrained?: (modality: Modality, encoder: Encoder, classifier: FinetuneResult['classifier']) => Promise<void> },
): Promise<SemiSupervisedResult> {
  const repeats = opts.repeats ?? 1, base = opts.seed ?? 0;
  const labels = train.labels();
  const out: RepeatResult[] = [];
  for (let r = 0; r < repeats; r++) {
    const seed = base + r;
    const rows = labelSubset(labels, opts.fraction, seed);
    const subset = new SubsetDataset(train, rows);
    const result: RepeatResult = { seed, coverage: subsetCoverage(labels, rows), streams: [] };
    const probs: Float32Array[] = [];
    let testLabels: Int32Array | undefined;
    for (const modality of modalities) {
      const encoder = makeEncoder(modality);
      try {
        const f = await finetune(encoder, subset, test, modality, layout, { ...opts, seed, numClasses: opts.numClasses ?? train.numClasses });
        result.streams.push({ modality, best: f.best, last: f.last, bestTop5: f.bestTop5, history: f.history });
        probs.push(f.probabilities); testLabels = f.labels;
        if (r === repeats - 1) await opts.onTrained?.(modality, encoder, f.classifier);
      } finally {
        encoder.dispose();
      }
    }
    if (probs.length > 1 && testLabels) {
      const classes = probs[0].length / testLabels.length;
      const f = fuseProbabilities(probs, testLabels, classes, opts.fusionWeights);
      result.fused = { top1: f.top1, top5: f.top5 };
    }
    out.push(result);
    opts.onRepeat?.(result, r);
  }
  const summary: SemiSupervisedResult['summary'] = modalities.map((m) => ({ stream: m as string, ...meanStd(out.map((r) => r.streams.find((s) => s.modality === m)!.best)) }));
  if (out[0]?.fused) summary.push({ stream: `${modalities.length}s fusion (last)`, ...meanStd(out.map((r) => r.fused!.top1)) });
  return { fraction: opts.fraction, repeats: out, summary };
}
