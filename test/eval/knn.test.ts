import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { knnEvaluate, l2NormalizeRows } from '../../src/eval/knn.js';

const t = suite('eval/knn');

t('rows are normalised to unit length (zero rows stay zero)', () => {
  const x = l2NormalizeRows(new Float32Array([3, 4, 0, 0]), 2, 2);
  assert.equal([...x], [Math.fround(0.6), Math.fround(0.8), 0, 0]);
});

t('hand-computed toy set: 1-NN and 3-NN weighted votes', () => {
  // train: two points of class 0 near (1,0), one of class 1 at (0,1)
  const train = new Float32Array([1, 0, 0.9, 0.1, 0, 1]);
  const trainLabels = new Int32Array([0, 0, 1]);
  // test A at (0.2, 1): nearest is the class-1 point; test B at (1, 0.8): cosine 0.781 to (1,0),
  // 0.836 to (0.9,0.1)… and 0.625 to (0,1): class 0 for both 1-NN and 3-NN
  const test = new Float32Array([0.2, 1, 1, 0.8]);
  const testLabels = new Int32Array([1, 0]);
  const r1 = knnEvaluate(train, trainLabels, test, testLabels, 2, { k: 3 });
  assert.is(r1.top1, 1);
  assert.is(r1.knn, 1);
  // with a very high temperature the 3 votes are nearly equal: A gets 2 votes for class 0 → wrong
  const r2 = knnEvaluate(train, trainLabels, test, testLabels, 2, { k: 3, temperature: 1000 });
  assert.is(r2.knn, 0.5);
});

t('k larger than the train set is clipped', () => {
  const r = knnEvaluate(new Float32Array([1, 0]), new Int32Array([0]), new Float32Array([1, 0]), new Int32Array([0]), 2, { k: 20 });
  assert.is(r.k, 1);
  assert.is(r.top1, 1);
});

t.run();
