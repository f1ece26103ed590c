/** NaN/±Inf in the input: refused on a sample's first read naming file, sample and coordinate, or left out with skipBad; labels range-checked. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../helpers/npy.js';
import { ArrayDataset } from '../../src/data/dataset.js';
import { FiniteCheckedDataset, withoutBadSamples, checkLabels } from '../../src/data/finite.js';
import { openDataset } from '../../src/data/open.js';
import { FormatError } from '../../src/util/errors.js';

const t = suite('data/finite');
const [T, V, M] = [4, 25, 2], per = 3 * T * V * M;

function data(n: number, bad: [number, number, number][]): Float32Array {
  const d = Float32Array.from({ length: n * per }, (_, i) => (i % 7) * 0.1 + 0.05);
  for (const [sample, k, v] of bad) d[sample * per + k] = v;
  return d;
}

t('a NaN is an error on its first read naming the file, the sample and the coordinate; finite samples read as before', () => {
  const k = ((1 * T + 2) * V + 3) * M + 1;   // y of joint 4, frame 3, person 2
  const ds = new ArrayDataset(data(3, [[1, k, NaN], [2, 0, -Infinity]]), Int32Array.of(4, 4, 4), Int32Array.of(0, 1, 0), T, V, M, 2, 'ntu25');
  const c = new FiniteCheckedDataset(ds, 'x.npz', 'train sample');
  assert.is(c.get(0).data.length, per);
  assert.throws(() => c.get(1), (e: Error) => e instanceof FormatError && e.message === 'x.npz: train sample 1: y of joint 4, frame 3, person 2 is NaN; --skip-bad leaves such samples out');
  assert.throws(() => c.get(2), /x of joint 1, frame 1, person 1 is -Infinity/);
  const r = withoutBadSamples(ds, 'x.npz');
  assert.is(r.dataset.size, 1);
  assert.is(r.skipped.length, 2);
  assert.match(r.skipped[0].reason, /^x\.npz: sample 1: y of joint 4/);
});

t('openDataset: a prepared folder with a NaN sample stops on reading it; --skip-bad leaves it out and reports it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'finite-'));
  try {
    writeNpy(join(dir, 'train_data_joint.npy'), '<f4', [3, 3, T, V, M], data(3, [[2, 5, NaN]]));
    writeNpy(join(dir, 'train_label.npy'), '<i8', [3], [0, 1, 1]);
    const o = openDataset(dir);
    assert.is(o.train!.get(0).label, 0);
    assert.throws(() => o.train!.get(2), /train_data_joint|train sample 2: .* is NaN/);
    const s = openDataset(dir, 'auto', { skipBad: true });
    assert.is(s.train!.size, 2); assert.is(s.all.size, 2);
    assert.is(s.info.skipped.length, 1);
    assert.match(s.info.skipped[0].reason, /train sample 2: .* is NaN \(skipped\)/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t('labels: whole numbers in 0 … classes − 1, the bad one named', () => {
  checkLabels([0, 5, 2], 'l.npy', 6);
  checkLabels([0, 2 ** 31 - 2], 'l.npy');
  assert.throws(() => checkLabels([0, -1], 'l.npy'), /l\.npy: label 1: -1 is not a class index/);
  assert.throws(() => checkLabels([0, 2 ** 31], 'l.npy'), /label 1: 2147483648/);
  assert.throws(() => checkLabels([1.5], 'l.npy'), /label 0: 1.5/);
  assert.throws(() => checkLabels([NaN], 'l.npy'), /label 0: NaN/);
  assert.throws(() => checkLabels([6], 'l.npy', 6), /0 … 5/);
  const dir = mkdtempSync(join(tmpdir(), 'labels-'));
  try {
    writeNpy(join(dir, 'train_data_joint.npy'), '<f4', [2, 3, T, V, M], data(2, []));
    writeNpy(join(dir, 'train_label.npy'), '<i8', [2], [0, -3]);
    assert.throws(() => openDataset(dir), /train_label\.npy: label 1: -3 is not a class index/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
