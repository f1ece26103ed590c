import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labelSubset, subsetCoverage, describeCoverage, quotas } from '../../src/eval/subsets.js';
import { Rng } from '../../src/util/random.js';

const t = suite('eval/subsets');

/** counts[c] rows of class c, interleaved as a real file would be. */
function labelsOf(counts: number[]): Int32Array {
  const out: number[] = [];
  const left = [...counts];
  while (left.some((k) => k > 0)) left.forEach((k, c) => { if (k > 0) { out.push(c); left[c]--; } });
  return Int32Array.from(out);
}

t('10% of a balanced set: exact size, every class, stratified', () => {
  const labels = labelsOf(new Array(10).fill(50));   // 500 rows
  const rows = labelSubset(labels, 0.1, 3);
  assert.is(rows.length, 50);
  const cov = subsetCoverage(labels, rows);
  assert.is(cov.covered, 10);
  assert.is(cov.minPerClass, 5);
  assert.is(cov.maxPerClass, 5);
  assert.equal(cov.missing, []);
  assert.is(new Set(rows).size, rows.length, 'no row twice');
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i] > rows[i - 1], 'ascending');
});

t('1% of an imbalanced set keeps every class (one each at least) and the exact size', () => {
  const counts = [400, 300, 200, 50, 30, 10, 5, 3, 1, 1];   // 1000 rows; 1% = 10 rows, 10 classes
  const labels = labelsOf(counts);
  const rows = labelSubset(labels, 0.01, 1);
  assert.is(rows.length, 10);
  const cov = subsetCoverage(labels, rows);
  assert.is(cov.covered, 10);
  assert.is(cov.minPerClass, 1);
  // 5% = 50 rows: the big classes get about their share
  const r5 = subsetCoverage(labels, labelSubset(labels, 0.05, 1));
  assert.is(r5.rows, 50);
  assert.is(r5.covered, 10);
  assert.ok(r5.perClass[0] >= 15 && r5.perClass[0] <= 20, `class 0 got ${r5.perClass[0]}`);
});

t('fewer rows than classes: as many classes as rows, coverage reports the rest as missing', () => {
  const labels = labelsOf(new Array(20).fill(5));   // 100 rows, 20 classes
  const rows = labelSubset(labels, 0.05, 9);        // 5 rows
  assert.is(rows.length, 5);
  const cov = subsetCoverage(labels, rows);
  assert.is(cov.covered, 5);
  assert.is(cov.missing.length, 15);
  assert.ok(describeCoverage(cov).startsWith('5 labelled samples, 5/20 classes covered'));
});

t('the same seed gives the same subset, another seed another one; fraction 1 is everything', () => {
  const labels = labelsOf([30, 20, 10]);
  assert.equal([...labelSubset(labels, 0.2, 5)], [...labelSubset(labels, 0.2, 5)]);
  assert.not.equal([...labelSubset(labels, 0.2, 5)], [...labelSubset(labels, 0.2, 6)]);
  assert.equal([...labelSubset(labels, 1, 5)], Array.from({ length: 60 }, (_, i) => i));
});

t('unlabelled rows (−1) never enter a subset', () => {
  const labels = Int32Array.from([0, -1, 1, -1, 0, 1, -1, 0]);
  const rows = labelSubset(labels, 1, 0);
  assert.equal([...rows], [0, 2, 4, 5, 7]);
  assert.is(subsetCoverage(labels, rows).classes, 2);
});

t('quotas never exceed a class and always sum to n', () => {
  const rng = new Rng(4);
  for (let trial = 0; trial < 200; trial++) {
    const counts = Array.from({ length: 1 + rng.int(12) }, () => 1 + rng.int(40));
    const total = counts.reduce((a, b) => a + b, 0);
    const n = 1 + rng.int(total);
    const q = quotas(counts, n, rng);
    assert.is(q.reduce((a, b) => a + b, 0), n);
    q.forEach((k, i) => assert.ok(k >= 0 && k <= counts[i]));
    if (n >= counts.length) assert.ok(q.every((k) => k >= 1), 'every class when there is room');
  }
});

t('bad fractions are refused', () => {
  assert.throws(() => labelSubset(Int32Array.of(0, 1), 0, 1), /label fraction/);
  assert.throws(() => labelSubset(Int32Array.of(0, 1), 1.5, 1), /label fraction/);
});

t.run();
