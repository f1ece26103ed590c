/**
 * The evaluations a run reports for a set of per-modality encoders: k-NN (1-NN, 20-NN) and
 * linear evaluation on each stream's frozen features, and the 3-stream fusion of the linear
 * classifiers (softmax outputs averaged, docs/method.md#fusion).
 */
import type { SkeletonDataset } from '../data/dataset.js';
import type { Encoder } from '../nn/encoder.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality } from '../i2md/config.js';
import { extractFeatures } from './features.js';
import { knnEvaluate } from './knn.js';
import { linearEvaluate, topAccuracy, type LinearResult } from './linear.js';
import type { FeatureSet } from './features.js';
import { Rng } from '../util/random.js';

export interface EvalRow { encoder: string; stream: string; linear: number; linearLast: number; knn1?: number; knn20?: number;
  linearTop5?: number; weights?: number[];
  /** what the report draws (one stream of one encoder, when asked): see EvalDetail */
  detail?: EvalDetail }

/** Linear history, test predictions and a feature sample of one stream, for the HTML report. */
export interface EvalDetail {
  history: { epoch: number; top1: number; top5: number }[];
  labels: number[];          // test labels
  predictions: number[];     // the linear classifier's last predictions on the test set
  sample: FeatureSample;     // ≤ 500 test features for the PCA plot
}
/** Rows of a feature matrix: float32 little-endian, base64, so results.json stays small and exact. */
export interface FeatureSample { n: number; d: number; rows: number[]; labels: number[]; f32: string }

export const SAMPLE_ROWS = 500;

// base64 through atob/btoa (in Node and browsers alike), not Buffer, so the suite runs in a page
function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function featureSample(f: FeatureSet, max = SAMPLE_ROWS, seed = 0): FeatureSample {
  const rows = f.n <= max ? Int32Array.from({ length: f.n }, (_, i) => i) : Rng.derive(seed, 0xfea7).choose(f.n, max).sort();
  const out = new Float32Array(rows.length * f.d);
  rows.forEach((r, i) => out.set(f.features.subarray(r * f.d, (r + 1) * f.d), i * f.d));
  return { n: rows.length, d: f.d, rows: [...rows], labels: Array.from(rows, (r) => f.labels[r]), f32: toBase64(new Uint8Array(out.buffer)) };
}

export function decodeFeatureSample(s: FeatureSample): Float32Array {
  const b = fromBase64(s.f32);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  if (out.length !== s.n * s.d) throw new Error(`feature sample: ${out.length} values for ${s.n} × ${s.d}`);
  return out;
}

/**
 * Multi-stream fusion (docs/method.md#fusion): the weighted mean of each stream's softmax outputs
 * (N, classes), weights normalised to sum 1; top-1/top-5 of the fused scores.
 */
export function fuseProbabilities(probs: Float32Array[], labels: Int32Array, classes: number, weights: number[] = probs.map(() => 1)):
  { top1: number; top5: number; pred: Int32Array; probabilities: Float32Array } {
  if (weights.length !== probs.length) throw new Error(`fusion: ${weights.length} weights for ${probs.length} streams`);
  if (weights.some((w) => !(w >= 0)) || !weights.some((w) => w > 0)) throw new Error(`fusion weights must be ≥ 0 and not all 0, got ${weights.join(',')}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const fused = new Float32Array(labels.length * classes);
  probs.forEach((p, s) => {
    if (p.length !== fused.length) throw new Error(`fusion: stream ${s} has ${p.length} scores, expected ${fused.length}`);
    for (let i = 0; i < p.length; i++) fused[i] += (weights[s] / sum) * p[i];
  });
  return { ...topAccuracy(fused, labels, classes), probabilities: fused };
}

/**
 * Fusion scored the way a stream is: at each test evaluation the streams' softmax outputs are
 * averaged; `best` is the best of those evaluations, `last` the final one.
 */
export function fuseHistories(results: Pick<LinearResult, 'probabilityHistory'>[], labels: Int32Array, classes: number, weights?: number[]):
  { best: number; last: number; bestTop5: number; lastTop5: number; history: { top1: number; top5: number }[] } {
  const n = Math.min(...results.map((r) => r.probabilityHistory.length));
  const history = Array.from({ length: n }, (_, i) => {
    const f = fuseProbabilities(results.map((r) => r.probabilityHistory[i]), labels, classes, weights);
    return { top1: f.top1, top5: f.top5 };
  });
  return { best: Math.max(...history.map((h) => h.top1)), last: history[n - 1].top1, bestTop5: Math.max(...history.map((h) => h.top5)), lastTop5: history[n - 1].top5, history };
}

export async function evaluateEncoders(
  name: string, encoders: Partial<Record<Modality, Encoder>>, train: SkeletonDataset, test: SkeletonDataset, layout: Layout,
  opts: { frames: number; linearEpochs?: number; numClasses: number;
    /** keep an EvalDetail for this stream (the report's confusion matrix, PCA and accuracy curve) */
    detail?: Modality; fusionWeights?: number[] },
): Promise<EvalRow[]> {
  const rows: EvalRow[] = [];
  const results: LinearResult[] = [];
  let testLabels: Int32Array | undefined;
  for (const [modality, enc] of Object.entries(encoders) as [Modality, Encoder][]) {
    const ftr = await extractFeatures(enc, train, modality, layout, { frames: opts.frames });
    const fte = await extractFeatures(enc, test, modality, layout, { frames: opts.frames });
    const knn = knnEvaluate(ftr.features, ftr.labels, fte.features, fte.labels, ftr.d, { k: 20 });
    const lin = await linearEvaluate(ftr, fte, { epochs: opts.linearEpochs, numClasses: opts.numClasses });
    const row: EvalRow = { encoder: name, stream: modality, linear: lin.best, linearLast: lin.last, knn1: knn.top1, knn20: knn.knn, linearTop5: lin.bestTop5 };
    if (opts.detail === modality) {
      row.detail = { history: lin.history, labels: [...fte.labels], predictions: [...lin.predictions], sample: featureSample(fte) };
    }
    rows.push(row);
    results.push(lin);
    testLabels = fte.labels;
  }
  if (results.length > 1 && testLabels) {
    const weights = opts.fusionWeights ?? results.map(() => 1);
    const f = fuseHistories(results, testLabels, opts.numClasses, weights);
    rows.push({ encoder: name, stream: `${results.length}s fusion`, linear: f.best, linearLast: f.last, linearTop5: f.bestTop5, weights });
  }
  return rows;
}

export function printTable(rows: EvalRow[]): void {
  const pct = (v?: number) => (v === undefined ? '-' : (100 * v).toFixed(1));
  console.log('\nlinear: precomputed centre-crop features, standardised (linear-fixed+std); best of the test evaluations and last. k-NN: centre crops (0.95), cosine.');
  console.log('\n| encoder | stream | linear top-1 (best) | linear top-1 (last) | 1-NN | 20-NN |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.encoder} | ${r.stream} | ${pct(r.linear)} | ${pct(r.linearLast)} | ${pct(r.knn1)} | ${pct(r.knn20)} |`);
  console.log('');
}
