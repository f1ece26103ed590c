import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { finetune, semiSupervised, meanStd } from '../../src/eval/finetune.js';
import { ArrayDataset } from '../../src/data/dataset.js';
import { STGCN } from '../../src/nn/stgcn.js';
import { stateDict } from '../../src/nn/checkpoint.js';
import { bonesTowardsCentre, type Layout } from '../../src/skeleton/layouts.js';
import { Rng } from '../../src/util/random.js';

const t = suite('eval/finetune');
t.before(async () => { await engine(); });

const edges: [number, number][] = [[0, 1], [1, 2], [2, 3], [1, 4]];
const layout: Layout = { name: 'tiny5', V: 5, edges, centre: 1, bones: bonesTowardsCentre(5, edges, 1).bones };
const T = 8, V = 5, M = 1;

/** Trivially separable: class 0 sits at x = +1, class 1 at x = −1 (every joint, every frame), plus noise. */
function toy(n: number, seed: number): ArrayDataset {
  const rng = new Rng(seed);
  const per = 3 * T * V * M;
  const data = new Float32Array(n * per), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let k = 0; k < per; k++) {
      const c = Math.floor(k / (T * V * M));
      data[i * per + k] = (c === 0 ? (labels[i] ? -1 : 1) : 0) + 0.2 * rng.normal();
    }
  }
  return new ArrayDataset(data, new Int32Array(n).fill(T), labels, T, V, M, 2, 'tiny5');
}

const tinyEncoder = (seed = 3) => new STGCN({ layout, blocks: [[3, 4, 1], [4, 8, 2]], hidden: 4, dropout: 0, head: 'none', seed });

t('fine-tuning a tiny encoder learns a trivially separable toy set', async () => {
  const enc = tinyEncoder();
  const before = await stateDict(enc);
  const train = toy(16, 1), test = toy(8, 2);
  const r = await finetune(enc, train, test, 'joint', layout, { frames: T, epochs: 6, lr: 0.1, milestones: [], batchSize: 8, evalEvery: 3, numClasses: 2, seed: 1 });
  assert.is(r.train.length, 6);
  assert.equal(r.history.map((h) => h.epoch), [3, 6]);
  const first = r.train[0], last = r.train.at(-1)!;
  assert.ok(last.loss < first.loss, `training loss ${first.loss} → ${last.loss}`);
  assert.ok(last.top1 >= first.top1 && last.top1 >= 0.9, `training accuracy ${first.top1} → ${last.top1}`);
  assert.ok(r.best >= 0.9, `test best ${r.best}`);
  assert.is(r.predictions.length, 8);
  // the encoder itself was trained (not only the classifier)
  const after = await stateDict(enc);
  const w = 'st_gcn_networks.0.gcn.conv.weight';
  assert.not.equal([...after[w].data], [...before[w].data]);
  enc.dispose();
});

t('semi-supervised repeats: a labelled subset per seed, mean ± std over repeats', async () => {
  const train = toy(20, 3), test = toy(6, 4);
  const made: STGCN[] = [];
  const r = await semiSupervised(() => { const e = tinyEncoder(7); made.push(e); return e; }, ['joint'], train, test, layout,
    { fraction: 0.2, repeats: 2, frames: T, epochs: 2, lr: 0.05, milestones: [], batchSize: 8, evalEvery: 2, numClasses: 2, seed: 10 });
  assert.is(r.repeats.length, 2);
  assert.equal(r.repeats.map((x) => x.seed), [10, 11]);
  for (const rep of r.repeats) {
    assert.is(rep.coverage.rows, 4);            // 20% of 20
    assert.is(rep.coverage.covered, 2);         // both classes
  }
  assert.is(made.length, 2, 'a fresh encoder per repeat');
  const s = r.summary[0];
  const bests = r.repeats.map((x) => x.streams[0].best);
  assert.is(s.n, 2);
  assert.ok(Math.abs(s.mean - (bests[0] + bests[1]) / 2) < 1e-12);
  assert.ok(Math.abs(s.std - Math.abs(bests[0] - bests[1]) / Math.SQRT2) < 1e-12);
});

t('mean ± std is the sample standard deviation', () => {
  assert.equal(meanStd([1, 2, 3]), { mean: 2, std: 1, n: 3 });
  assert.equal(meanStd([0.5]), { mean: 0.5, std: 0, n: 1 });
});

t.run();
