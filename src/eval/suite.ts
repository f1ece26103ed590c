/**
 * The evaluations a run reports for a set of per-modality encoders: k-NN (1-NN, 20-NN) and
 * linear evaluation on each stream's frozen features, and the 3-stream fusion of the linear
 * classifiers (softmax outputs averaged, i2md.md §9 "3s").
 */
import type { SkeletonDataset } from '../data/dataset.js';
import type { STGCN } from '../nn/stgcn.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality } from '../i2md/config.js';
import { extractFeatures } from './features.js';
import { knnEvaluate } from './knn.js';
import { linearEvaluate } from './linear.js';

export interface EvalRow { encoder: string; stream: string; linear: number; linearLast: number; knn1?: number; knn20?: number }

export async function evaluateEncoders(
  name: string, encoders: Partial<Record<Modality, STGCN>>, train: SkeletonDataset, test: SkeletonDataset, layout: Layout,
  opts: { frames: number; linearEpochs?: number; numClasses: number },
): Promise<EvalRow[]> {
  const rows: EvalRow[] = [];
  const probs: Float32Array[] = [];
  let testLabels: Int32Array | undefined;
  for (const [modality, enc] of Object.entries(encoders) as [Modality, STGCN][]) {
    const ftr = await extractFeatures(enc, train, modality, layout, { frames: opts.frames });
    const fte = await extractFeatures(enc, test, modality, layout, { frames: opts.frames });
    const knn = knnEvaluate(ftr.features, ftr.labels, fte.features, fte.labels, ftr.d, { k: 20 });
    const lin = await linearEvaluate(ftr, fte, { epochs: opts.linearEpochs, numClasses: opts.numClasses });
    rows.push({ encoder: name, stream: modality, linear: lin.best, linearLast: lin.last, knn1: knn.top1, knn20: knn.knn });
    probs.push(lin.probabilities);
    testLabels = fte.labels;
  }
  if (probs.length > 1 && testLabels) {
    const fused = new Float32Array(probs[0].length);
    for (const p of probs) for (let i = 0; i < p.length; i++) fused[i] += p[i] / probs.length;
    let hit = 0;
    for (let i = 0; i < testLabels.length; i++) {
      const row = fused.subarray(i * opts.numClasses, (i + 1) * opts.numClasses);
      let best = 0;
      for (let c = 1; c < opts.numClasses; c++) if (row[c] > row[best]) best = c;
      if (best === testLabels[i]) hit++;
    }
    rows.push({ encoder: name, stream: `${probs.length}s fusion`, linear: hit / testLabels.length, linearLast: hit / testLabels.length });
  }
  return rows;
}

export function printTable(rows: EvalRow[]): void {
  const pct = (v?: number) => (v === undefined ? '-' : (100 * v).toFixed(1));
  console.log('\n| encoder | stream | linear top-1 (best) | linear top-1 (last) | 1-NN | 20-NN |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.encoder} | ${r.stream} | ${pct(r.linear)} | ${pct(r.linearLast)} | ${pct(r.knn1)} | ${pct(r.knn20)} |`);
  console.log('');
}
