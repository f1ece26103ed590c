/**
 * `predict --checkpoint CLASSIFIER --data Y`: the top-k classes of each sequence with a classifier
 * file of `linear --out` or `finetune --out` (src/eval/classifier.ts). Y is a float32 joints .npy
 * (N, 3, T, V, M), encoded as `embed` encodes it (the file's frames, the stream's input built from
 * the joints), or a dataset path (every sequence of --split, centre-cropped to the classifier's
 * frames as the evaluations do; its labels give an accuracy line). Several streams are fused by
 * the weighted mean of their softmax outputs (the weights the classifier was trained with).
 * --out P.npy writes the probabilities (N, classes); --out P.json the top-k with class names.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from './command.js';
import { initEngine, tidy, noGrad, Tensor } from '../tensor/index.js';
import { NpyFile, NpyStreamWriter } from '../data/npy.js';
import { openDataset } from '../data/open.js';
import { extractFeatures } from '../eval/features.js';
import { loadClassifier, classify, topK, type ClassifierStream } from '../eval/classifier.js';
import { modalityOf } from '../i2md/step.js';
import { getLayout } from '../skeleton/layouts.js';
import { UserError } from '../util/errors.js';
import { Progress } from '../util/progress.js';

export interface PredictOptions { checkpoint: string; data: string; topK?: number; batchSize?: number; split?: 'all' | 'train' | 'test' }
export interface Prediction { classNames: string[]; probabilities: Float32Array; n: number; top: { index: number; probability: number }[][]; labels?: Int32Array; frames: number }

/** Features (N, D) of a joints .npy through one stream's encoder, batch by batch. */
async function npyFeatures(s: ClassifierStream, file: NpyFile, path: string, batch: number): Promise<Float32Array> {
  const shape = file.shape, enc = s.encoder, V = enc.layout.V;
  if (shape.length !== 5 || shape[1] !== 3 || shape[3] !== V || (enc.persons !== undefined && shape[4] !== enc.persons))
    throw new UserError(`${path}: shape (${shape.join(', ')}) is not (N, 3, T, ${V}, ${enc.persons ?? 'M'}) for this classifier's encoder`);
  const [N, C, T, , M] = shape;
  const out = new Float32Array(N * enc.featureDim);
  const bar = new Progress(N, `${s.modality} features`, { item: 'seq', rateUnit: 'seq/s' });
  for (let start = 0; start < N; start += batch) {
    const b = Math.min(batch, N - start);
    const raw = file.readRows(start, b);
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number | bigint>, Number);
    const f = tidy(() => noGrad(() => enc.features(modalityOf(Tensor.from(data, [b, C, T, V, M]), s.modality, enc.layout.bones))));
    out.set(await f.read(), start * enc.featureDim);
    f.dispose();
    bar.update(start + b);
  }
  bar.done();
  return out;
}

export async function predict(o: PredictOptions): Promise<Prediction> {
  const k = o.topK ?? 5, batch = o.batchSize ?? 32;
  if (!Number.isInteger(k) || k < 1) throw new UserError(`--top-k ${k}: expected a positive integer`);
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`--batch-size ${batch}: expected a positive integer`);
  await initEngine();
  const { streams, info } = loadClassifier(o.checkpoint);
  const classes = info.classNames.length;
  try {
    for (const s of streams) s.encoder.eval();
    let n = 0, labels: Int32Array | undefined;
    const probs: Float32Array[] = [];
    if (/\.npy$/i.test(o.data)) {
      const file = NpyFile.open(o.data);
      try {
        n = file.shape[0];
        for (const s of streams) probs.push(classify(s, await npyFeatures(s, file, o.data, batch), n));
      } finally { file.close(); }
    } else {
      const opened = openDataset(o.data);
      const split = o.split ?? 'all';
      const set = split === 'all' ? opened.all : opened[split];
      if (!set) throw new UserError(`${o.data}: has no ${split} split (--split all)`);
      const layout = streams[0].encoder.layout;
      if (getLayout(set.layout).V !== layout.V) throw new UserError(`${o.data}: the ${set.layout} skeleton (${getLayout(set.layout).V} joints) is not the classifier's ${layout.name} (${layout.V} joints)`);
      for (const s of streams) {
        const f = await extractFeatures(s.encoder, set, s.modality, layout, { frames: info.frames, batchSize: batch, progress: `${s.modality} features` });
        probs.push(classify(s, f.features, f.n));
        n = f.n; labels = f.labels;
      }
    }
    const w = info.fusionWeights ?? streams.map(() => 1);
    const total = w.reduce((a, b) => a + b, 0);
    const fused = new Float32Array(n * classes);
    probs.forEach((p, i) => { for (let j = 0; j < fused.length; j++) fused[j] += (w[i] / total) * p[j]; });
    return { classNames: info.classNames, probabilities: fused, n, top: topK(fused, classes, k), labels, frames: info.frames };
  } finally {
    for (const s of streams) s.encoder.dispose();
  }
}

const command: Command = {
  name: 'predict',
  describe: 'top-k classes of each sequence with a classifier saved by linear --out or finetune --out',
  options: (y) => y
    .option('checkpoint', { type: 'string', demandOption: true, describe: 'classifier .safetensors written by linear --out or finetune --out' })
    .option('data', { type: 'string', demandOption: true, describe: 'float32 joints .npy (N, 3, T, V, M), or a dataset path' })
    .option('split', { choices: ['all', 'train', 'test'], default: 'all', describe: 'with a dataset path: which sequences' })
    .option('top-k', { type: 'number', default: 5, describe: 'classes to list per sequence' })
    .option('batch-size', { type: 'number', default: 32, describe: 'sequences per GPU batch' })
    .option('out', { type: 'string', describe: 'P.npy: the probabilities (N, classes), float32; P.json: the top-k with class names' }),
  async run(args) {
    const out = args.out as string | undefined;
    if (out !== undefined && !/\.(npy|json)$/i.test(out)) throw new UserError(`--out ${out}: expected a .npy (probabilities) or .json (top-k) file name`);
    const p = await predict({ checkpoint: args.checkpoint as string, data: args.data as string, topK: args['top-k'] as number, batchSize: args['batch-size'] as number, split: args.split as PredictOptions['split'] });
    const name = (i: number) => p.classNames[i] ?? `class ${i}`;
    console.error(/\.npy$/i.test(args.data as string) ? `frames: the file's (the classifier was trained on ${p.frames})` : `frames: ${p.frames} (the classifier's)`);
    if (out?.toLowerCase().endsWith('.npy')) {
      const w = new NpyStreamWriter(out, '<f4', [p.classNames.length], p.n);
      w.append(p.probabilities);
      w.close();
    } else if (out) {
      writeFileSync(out, JSON.stringify({ classes: p.classNames, frames: p.frames, predictions: p.top.map((t, i) => ({ index: i, ...(p.labels ? { label: p.labels[i] } : {}), top: t.map((c) => ({ class: c.index, name: name(c.index), probability: c.probability })) })) }, null, 1));
    }
    if (!out) for (const [i, t] of p.top.entries()) console.log(`${i}\t${t.map((c) => `${name(c.index)} ${(100 * c.probability).toFixed(1)}%`).join('\t')}`);
    if (p.labels) {
      const hits = p.top.filter((t, i) => t[0].index === p.labels![i]).length;
      console.error(`top-1 against the dataset's labels: ${(100 * hits / Math.max(1, p.n)).toFixed(2)}% of ${p.n}`);
    }
    if (out) console.log(`wrote ${out}: ${p.n} sequences, ${p.classNames.length} classes`);
  },
};
export default command;
