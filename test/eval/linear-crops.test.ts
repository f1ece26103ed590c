/**
 * The evaluation protocols: the official linear protocol's training crops differ from epoch to
 * epoch and are the same for the same seed; the crop protocol trains a classifier end to end;
 * fusion is scored over the same evaluations as the streams (best and last); labels say which
 * protocol a number comes from.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { STGCN } from '../../src/nn/stgcn.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { SubsetDataset } from '../../src/data/dataset.js';
import { cropFeatures, linearEvaluateCrops } from '../../src/eval/linear-crops.js';
import { extractFeatures } from '../../src/eval/features.js';
import { fuseBestLast } from '../../src/study/evaluate.js';
import { linearProtocol, protocolLabel } from '../../src/eval/protocol.js';
import type { LinearResult } from '../../src/eval/linear.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('eval/protocols');
t.before(async () => { await engine(); });

const syn = generateSynthetic({ seed: 4, size: 40, T: 40 });
const layout = getLayout(syn.dataset.layout);
const train = new SubsetDataset(syn.dataset, syn.splits.xview.train), test = new SubsetDataset(syn.dataset, syn.splits.xview.test);
const encoder = () => new STGCN({ layout, blocks: [[3, 4, 1], [4, 8, 2]], head: 'none', seed: 3, dropout: 0 });

t('official linear protocol: the crops differ per epoch, repeat for the same seed, change with the seed', async () => {
  const enc = encoder();
  const o = { frames: 8, minCrop: 8, seed: 2 };
  const e0 = await cropFeatures(enc, train, 'joint', layout, 0, o);
  const e1 = await cropFeatures(enc, train, 'joint', layout, 1, o);
  const e0again = await cropFeatures(enc, train, 'joint', layout, 0, o);
  const other = await cropFeatures(enc, train, 'joint', layout, 0, { ...o, seed: 3 });
  const centre = await extractFeatures(enc, train, 'joint', layout, { frames: 8 });
  assert.equal(e0.features, e0again.features, 'same seed, same epoch: the same crops');
  assert.not.equal(e0.features, e1.features, 'a new epoch draws new crops');
  assert.not.equal(e0.features, other.features, 'another seed draws other crops');
  assert.not.equal(e0.features, centre.features, 'random crops are not the centre crop');
  assert.equal(e0.labels, centre.labels, 'rows stay in dataset order');
  // the rows that change between epochs are most of them (a crop is drawn per sequence)
  const d = e0.d;
  let changed = 0;
  for (let i = 0; i < e0.n; i++) if (e0.features.subarray(i * d, (i + 1) * d).some((v, j) => v !== e1.features[i * d + j])) changed++;
  assert.ok(changed > e0.n / 2, `${changed} of ${e0.n} rows changed`);
  enc.dispose();
});

t('official linear protocol: a classifier trained on per-epoch crops, evaluated every 5 epochs, best ≥ last', async () => {
  const enc = encoder();
  const r = await linearEvaluateCrops(enc, train, test, 'joint', layout, { frames: 8, minCrop: 8, epochs: 10, milestones: [6, 8], numClasses: syn.classNames.length, seed: 1 });
  assert.equal(r.history.map((h) => h.epoch), [5, 10]);
  assert.is(r.probabilityHistory.length, 2);
  assert.ok(r.best >= r.last && r.best === Math.max(...r.history.map((h) => h.top1)));
  assert.is(r.testFeatures.n, test.size);
  const again = await linearEvaluateCrops(enc, train, test, 'joint', layout, { frames: 8, minCrop: 8, epochs: 10, milestones: [6, 8], numClasses: syn.classNames.length, seed: 1 });
  assert.equal(again.history, r.history, 'deterministic for a seed');
  enc.dispose();
});

t('fusion best/last: scored over the streams\' common evaluations, like a stream', () => {
  // two streams, 2 test rows, 2 classes, 3 evaluations; labels [0, 1]
  const p = (...rows: number[][]) => Float32Array.from(rows.flat());
  const a = { probabilityHistory: [p([0.9, 0.1], [0.9, 0.1]), p([0.6, 0.4], [0.3, 0.7]), p([0.9, 0.1], [0.8, 0.2])] } as LinearResult;
  const b = { probabilityHistory: [p([0.2, 0.8], [0.6, 0.4]), p([0.7, 0.3], [0.4, 0.6]), p([0.4, 0.6], [0.6, 0.4])] } as LinearResult;
  // evaluation 0: row0 0.55/0.45 → 0 ✓, row1 0.75/0.25 → 0 ✗ → 50 %; 1: ✓ ✓ → 100 %; 2: ✓ (0.65) ✗ → 50 %
  assert.equal(fuseBestLast([a, b], Int32Array.of(0, 1), 2), { best: 1, last: 0.5 });
});

t('protocol names and their standardisation defaults', () => {
  assert.equal(linearProtocol('crops'), { name: 'crops', standardize: false });
  assert.equal(linearProtocol('fixed'), { name: 'fixed', standardize: true });
  assert.is(protocolLabel(linearProtocol('crops')), 'linear-crops (official)');
  assert.is(protocolLabel(linearProtocol('fixed')), 'linear-fixed+std');
  assert.is(protocolLabel(linearProtocol('crops', true)), 'linear-crops+std');
  assert.throws(() => linearProtocol('random'), (e: Error) => e instanceof UserError && /--protocol random: expected crops/.test(e.message));
});

t.run();
