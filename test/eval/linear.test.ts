import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from '../helpers/check.js';
import { linearEvaluate } from '../../src/eval/linear.js';
import { knnEvaluate } from '../../src/eval/knn.js';
import { fuseProbabilities } from '../../src/eval/suite.js';
import { loadEncoderFrom, checkLayoutMatch, checkpointModalities } from '../../src/eval/load-encoder.js';
import { STGCN } from '../../src/nn/stgcn.js';
import type { Module } from '../../src/nn/module.js';
import { saveEncoder, stateDict } from '../../src/nn/checkpoint.js';
import { I2MDModel } from '../../src/i2md/model.js';
import { saveCheckpoint } from '../../src/i2md/checkpoint.js';
import { SGD } from '../../src/optim/sgd.js';
import { presets } from '../../src/i2md/config.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { Rng } from '../../src/util/random.js';
import type { FeatureSet } from '../../src/eval/features.js';

const t = suite('eval/linear');
const dirs: string[] = [];
t.before(async () => { await engine(); });
t.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** Linearly separable by construction: class c has feature c at +3 (others noise in ±0.5). */
function separable(n: number, classes: number, d: number, seed: number, shuffleLabels = false): FeatureSet {
  const rng = new Rng(seed);
  const features = new Float32Array(n * d), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = rng.int(classes);
    labels[i] = y;
    for (let j = 0; j < d; j++) features[i * d + j] = rng.uniform(-0.5, 0.5) + (j === y ? 3 : 0);
  }
  if (shuffleLabels) rng.shuffle(labels);
  return { features, labels, n, d };
}

t('linear evaluation reaches 100% on linearly separable features', async () => {
  const train = separable(120, 5, 12, 1), test = separable(60, 5, 12, 2);
  const r = await linearEvaluate(train, test, { epochs: 20, milestones: [12, 16], evalEvery: 5, numClasses: 5 });
  assert.is(r.history.length, 4);
  assert.equal(r.history.map((h) => h.epoch), [5, 10, 15, 20]);
  assert.ok(r.best >= 0.99, `best ${r.best}`);
  assert.ok(r.last >= 0.99, `last ${r.last}`);
  assert.is(r.bestTop5, 1);
  assert.is(r.predictions.length, 60);
  for (let i = 0; i < 60; i++) {
    let s = 0;
    for (let c = 0; c < 5; c++) s += r.probabilities[i * 5 + c];
    assert.ok(Math.abs(s - 1) < 1e-4, 'softmax rows sum to 1');
  }
});

t('labels unrelated to the features give chance accuracy (the probe is not trivially right)', async () => {
  const train = separable(120, 4, 8, 3, true), test = separable(200, 4, 8, 4, true);
  const r = await linearEvaluate(train, test, { epochs: 10, evalEvery: 5, numClasses: 4 });
  assert.ok(r.last < 0.5, `last ${r.last}`);
});

t('k-NN, hand-computed: the weighted vote beats the majority at τ = 0.1, not at τ = 1000', () => {
  // test (1, 0.2): cos 0.9806 to the class-0 point (1,0), 0.1961 to the two class-1 points (0,1)
  // τ = 0.1: e^9.806 ≈ 18148 for class 0 vs 2·e^1.961 ≈ 14.2 for class 1; τ = 1000: 1 vs 2 votes
  const train = new Float32Array([1, 0, 0, 1, 0, 1]), trainLabels = Int32Array.of(0, 1, 1);
  const test = new Float32Array([1, 0.2]), testLabels = Int32Array.of(0);
  const a = knnEvaluate(train, trainLabels, test, testLabels, 2, { k: 3, temperature: 0.1 });
  assert.is(a.top1, 1);
  assert.is(a.knn, 1);
  const b = knnEvaluate(train, trainLabels, test, testLabels, 2, { k: 3, temperature: 1000 });
  assert.is(b.top1, 1);
  assert.is(b.knn, 0);
});

t('fusion: weighted mean of the streams\' softmax outputs', () => {
  // two samples, two classes; stream A is sure of class 0, stream B leans to class 1
  const a = new Float32Array([0.9, 0.1, 0.9, 0.1]), b = new Float32Array([0.2, 0.8, 0.4, 0.6]);
  const labels = Int32Array.of(1, 1);
  // equal weights: (0.55, 0.45) and (0.65, 0.35) → class 0 twice
  const eq = fuseProbabilities([a, b], labels, 2);
  assert.is(eq.top1, 0);
  assert.ok(Math.abs(eq.probabilities[0] - 0.55) < 1e-6);
  // weights 1,3: (0.375, 0.625) and (0.525, 0.475) → first right, second wrong
  const w = fuseProbabilities([a, b], labels, 2, [1, 3]);
  assert.is(w.top1, 0.5);
  assert.equal([...w.pred], [1, 0]);
  assert.throws(() => fuseProbabilities([a, b], labels, 2, [1]), /weights/);
  assert.throws(() => fuseProbabilities([a, b], labels, 2, [0, 0]), /weights/);
});

async function same(a: Module, b: Module): Promise<void> {
  const sa = await stateDict(a), sb = await stateDict(b);
  for (const [n, ta] of Object.entries(sa)) if (ta.dtype === 'F32') assert.equal([...ta.data], [...sb[n].data], n);
}

t('loadEncoderFrom: a plain encoder file and a run folder both give the trained weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-load-')); dirs.push(dir);
  const layout = getLayout('ntu25');
  // plain encoder safetensors (a tiny block plan)
  const enc = new STGCN({ layout, blocks: [[3, 4, 1], [4, 8, 2]], head: 'none', seed: 5 });
  await saveEncoder(join(dir, 'enc.safetensors'), enc);
  const a = loadEncoderFrom(join(dir, 'enc.safetensors'), 'joint');
  assert.is(a.kind, 'encoder');
  assert.is(a.model.featureDim, 8);
  await same(a.model, enc);
  a.model.dispose(); enc.dispose();

  // run folder: checkpoint.safetensors with <modality>.encoder_q.* + checkpoint.json
  const config = { ...presets.demo, modalities: ['joint', 'bone'] as ('joint' | 'bone')[], hidden: 2, hiddenDim: 4, headDim: 4, queueSize: 32, topk: 4, batchSize: 16 };
  const model = new I2MDModel(config, layout);
  const run = join(dir, 'run');
  mkdirSync(run);
  await saveCheckpoint(run, model, new SGD(), { epoch: 1, step: 3, batchInEpoch: 0, config, dataset: 'synthetic' });
  assert.equal(checkpointModalities(run), ['joint', 'bone']);
  for (const path of [run, join(run, 'checkpoint.json'), join(run, 'checkpoint.safetensors')]) {
    const b = loadEncoderFrom(path, 'bone');
    assert.is(b.kind, 'run');
    assert.is(b.layout.name, 'ntu25');
    assert.is(b.layoutSource, 'synthetic');
    assert.is(b.config?.hiddenDim, 4);
    await same(b.model, model.branches[1].encoderQ);
    b.model.dispose();
  }
  assert.throws(() => loadEncoderFrom(run, 'motion'), /pre-trained joint, bone, not motion/);
  model.dispose();
});

t('a layout mismatch is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-load-')); dirs.push(dir);
  const enc = new STGCN({ layout: getLayout('ntu25'), blocks: [[3, 4, 1]], head: 'none' });
  await saveEncoder(join(dir, 'ntu.safetensors'), enc);
  enc.dispose();
  const l = loadEncoderFrom(join(dir, 'ntu.safetensors'), 'joint');
  checkLayoutMatch(l, getLayout('ntu25'), 'ntu data');   // same layout: fine
  assert.throws(() => checkLayoutMatch(l, getLayout('ucla20'), 'ucla data'), /ntu25 skeleton \(25 joints\).*ucla20 skeleton \(20 joints\)/);
  l.model.dispose();
  const u = new STGCN({ layout: getLayout('ucla20'), blocks: [[3, 4, 1]], head: 'none' });
  await saveEncoder(join(dir, 'ucla.safetensors'), u);
  u.dispose();
  const lu = loadEncoderFrom(join(dir, 'ucla.safetensors'), 'joint');
  assert.throws(() => checkLayoutMatch(lu, getLayout('msr20'), 'msr data'), /same 20 joints, different bones/);
  lu.model.dispose();
});

t.run();
