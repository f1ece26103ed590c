import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn, assertClose } from '../helpers/check.js';
import { UserError } from '../../src/util/errors.js';
import { STGCN } from '../../src/nn/stgcn.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { stateDict, saveEncoder } from '../../src/nn/checkpoint.js';
import { saveClassifier, loadClassifier, classify, topK } from '../../src/eval/classifier.js';

const t = suite('eval/classifier');
let dir = '';
t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-classifier-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

t('save → load keeps each stream\'s encoder, classifier, standardisation, class names, frames and fusion weights', async () => {
  const layout = getLayout('ntu25');
  const a = new STGCN({ layout, blocks: [[3, 4, 1], [4, 6, 2]], head: 'none', seed: 1 }), b = new STGCN({ layout, blocks: [[3, 4, 1], [4, 6, 2]], head: 'mlp', headDim: 5, seed: 2 });
  const path = join(dir, 'c.safetensors');
  const w = Float32Array.from(randn(3 * 6, 3)), bias = Float32Array.of(0.1, -0.2, 0.3);
  const mean = Float64Array.from(randn(6, 4)), inv = Float64Array.from({ length: 6 }, (_, i) => 1 + i / 10);
  await saveClassifier(path, [{ modality: 'joint', encoder: a, weight: w, bias, mean, invStd: inv }, { modality: 'bone', encoder: b, weight: w, bias }],
    { trainedBy: 'linear', classNames: ['wave', 'clap', 'kick'], frames: 12, fusionWeights: [1, 2], source: 'run', data: 'synthetic' });
  const { streams, info } = loadClassifier(path);
  try {
    assert.equal(info.classNames, ['wave', 'clap', 'kick']);
    assert.is(info.frames, 12);
    assert.equal(info.fusionWeights, [1, 2]);
    assert.equal(streams.map((s) => s.modality), ['joint', 'bone']);
    const sa = await stateDict(a), sb = await stateDict(streams[0].encoder);
    for (const n of Object.keys(sa)) assert.equal([...sb[n].data as Float32Array], [...sa[n].data as Float32Array], n);
    assert.is(streams[1].encoder.head, 'mlp');
    assert.is(streams[1].mean, undefined);
    // classify: softmax(W·((x − mean)·inv) + b)
    const x = Float32Array.from(randn(2 * 6, 5));
    const p = classify(streams[0], x, 2);
    for (let i = 0; i < 2; i++) {
      const z = [0, 1, 2].map((c) => bias[c] + [0, 1, 2, 3, 4, 5].reduce((s, j) => s + w[c * 6 + j] * (x[i * 6 + j] - mean[j]) * inv[j], 0));
      const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), s = e.reduce((u, v) => u + v, 0);
      assertClose(p.subarray(i * 3, i * 3 + 3), Float32Array.from(e.map((v) => v / s)), 1e-5, `row ${i}`);
    }
  } finally {
    for (const s of streams) s.encoder.dispose();
    a.dispose(); b.dispose();
  }
});

t('topK: most probable first, ties to the lower class, k capped at the class count', () => {
  const top = topK(Float32Array.of(0.2, 0.5, 0.3, 0.4, 0.4, 0.2), 3, 5);
  assert.equal(top.map((r) => r.map((c) => c.index)), [[1, 2, 0], [0, 1, 2]]);
});

t('an encoder file is not a classifier: one error naming the file and what is expected', async () => {
  const enc = new STGCN({ layout: getLayout('ntu25'), blocks: [[3, 4, 1]], seed: 1 });
  const path = join(dir, 'enc.safetensors');
  await saveEncoder(path, enc);
  enc.dispose();
  try { loadClassifier(path); assert.unreachable(); }
  catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, /enc\.safetensors: not a classifier file .*linear --out/); }
});

t.run();
