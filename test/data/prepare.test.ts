import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareDataset } from '../../src/data/prepare.js';
import { openDataset, NpyDataset } from '../../src/data/open.js';
import { NpyFile } from '../../src/data/npy.js';
import { writeNpy } from '../helpers/npy.js';
import { writeLabelPickle, readLabelPickle } from '../../src/data/pickle.js';
import { summarise } from '../../src/cli/inspect.js';
import { FiniteCheckedDataset } from '../../src/data/finite.js';

const t = suite('prepare / open / inspect');
const root = mkdtempSync(join(tmpdir(), 'i2md-prep-'));
const gtuLines = (frames: number) => Array.from({ length: frames * 25 }, (_, i) => `${i % 25} ${Math.floor(i / 25)} 1`).join('\n');

t('prepare writes the prepared folder; open reads it back identically', () => {
  const gtu = join(root, 'gtu3d');
  for (const c of [1, 2, 3]) { mkdirSync(join(gtu, String(c)), { recursive: true }); for (let n = 1; n <= 10; n++) writeFileSync(join(gtu, String(c), `movement${n}.txt`), gtuLines(n + 1)); }
  mkdirSync(join(gtu, '4'));
  writeFileSync(join(gtu, '4', 'movement1.txt'), '1 2\n'); // malformed: skipped with a warning
  const out = join(root, 'prepared');
  const r = prepareDataset({ format: 'auto', input: gtu, out, progress: false });
  assert.equal(r.counts, { train: 27, val: 3 });
  assert.is(r.skipped.length, 1);
  assert.match(r.skipped[0].reason, /movement1\.txt: line 1: expected 3 numbers, found 2/);
  const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf-8'));
  assert.equal(meta, { layout: 'ntu25', numClasses: 14, T: 11, V: 25, M: 1, format: 'gtu', benchmark: 'holdout10', normalize: 'centre-first' });
  for (const f of ['train_data_joint.npy', 'val_data_joint.npy', 'train_num_frame.npy', 'val_label.pkl']) assert.ok(existsSync(join(out, f)), f);
  const src = openDataset(gtu);
  const back = openDataset(out);
  assert.is(back.info.format, 'npy');
  assert.is(back.train!.size, 27);
  assert.instance(back.train, FiniteCheckedDataset);   // checked for NaN on read
  assert.instance((back.train as FiniteCheckedDataset).base, NpyDataset);
  for (let i = 0; i < 27; i++) {
    const a = src.train!.get(i), b = back.train!.get(i);
    assert.equal([b.frames, b.label, b.name], [a.frames, a.label, a.name]);
    assert.equal(Array.from(b.data), Array.from(a.data));
  }
  assert.equal(readLabelPickle(join(out, 'val_label.pkl')).names, ['1/movement10', '2/movement10', '3/movement10']);
  assert.equal(NpyFile.open(join(out, 'train_num_frame.npy')).shape, [27]);
  assert.throws(() => prepareDataset({ format: 'auto', input: gtu, out: join(root, 'p2'), strict: true }), /expected 3 numbers/);
  const s = summarise(out);
  assert.is(s.sequences, 30);
  assert.equal(s.frames, { min: 2, median: 7, max: 11 });
  assert.equal(s.splits, { train: 27, test: 3 });
  assert.equal(s.persons, { 1: 30 });
});

t('prepare fails after writing no samples (every one bad), with no meta.json; refuses an output under /proc', () => {
  const src = join(root, 'all-nan'), out = join(root, 'all-nan-out');
  mkdirSync(src);
  writeNpy(join(src, 'train_data_joint.npy'), '<f4', [2, 3, 2, 25, 1], new Float32Array(2 * 3 * 2 * 25).fill(NaN));
  writeNpy(join(src, 'train_label.npy'), '<i8', [2], [0, 1]);
  assert.throws(() => prepareDataset({ format: 'auto', input: src, out, progress: false }), /no samples were written to .*2 skipped, e\.g\. .*is NaN/);
  assert.ok(!existsSync(join(out, 'meta.json')));
  assert.throws(() => prepareDataset({ format: 'auto', input: src, out: '/proc/i2md-x', progress: false }), /\/proc\/i2md-x: output cannot be under \/proc/);
});

t('ST-GCN style folder: label .npy, no num_frame (computed), train only', () => {
  const dir = join(root, 'stgcn');
  mkdirSync(dir);
  const T = 6, V = 20, M = 2;
  const data = new Float32Array(3 * 3 * T * V * M);
  for (let n = 0; n < 3; n++) for (let t2 = 0; t2 <= n + 1; t2++) data[n * 3 * T * V * M + (1 * T + t2) * V * M + 4] = 1;
  writeNpy(join(dir, 'train_data.npy'), '<f4', [3, 3, T, V, M], data);
  writeNpy(join(dir, 'train_label.npy'), '<i8', [3, 1], [4, 0, 2]);
  const o = openDataset(dir);
  assert.is(o.test, undefined);
  assert.is(o.all.size, 3); assert.is(o.all.numClasses, 5); assert.is(o.all.layout, 'ucla20');
  assert.equal([0, 1, 2].map((i) => o.all.get(i).frames), [2, 3, 4]);
  writeLabelPickle(join(dir, 'train_label.pkl'), ['a', 'b', 'c'], [1, 1, 0], 3);
  assert.equal(Array.from(openDataset(dir).all.labels()), [1, 1, 0]); // .pkl preferred
});

t.run();
