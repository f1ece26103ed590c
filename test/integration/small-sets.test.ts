import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGtu } from '../../src/data/gtu.js';
import { readMsr } from '../../src/data/msr.js';
import { readUcla } from '../../src/data/ucla.js';
import { openPku, readPkuSkeleton } from '../../src/data/pku.js';
import { openDataset } from '../../src/data/open.js';

const t = suite('small sets (gtu, msr, ucla, pku)');
const root = mkdtempSync(join(tmpdir(), 'i2md-small-'));
const lines = (frames: number, V: number, fields: number, f = (t: number, v: number, c: number) => t + v / 100 + c) =>
  Array.from({ length: frames * V }, (_, i) => Array.from({ length: fields }, (_, c) => f(Math.floor(i / V), i % V, c).toFixed(3)).join(' ')).join('\r\n') + '\r\n';

t('gtu: label = folder − 1, every 10th file per class held out, padded to the longest', () => {
  const dir = join(root, 'gtu3d');
  for (const c of [1, 2]) {
    mkdirSync(join(dir, String(c)), { recursive: true });
    for (let n = 1; n <= 12; n++) writeFileSync(join(dir, String(c), `movement${n}.txt`), lines(2 + (n % 3), 25, 3));
  }
  const r = readGtu(dir);
  assert.is(r.dataset.size, 24);
  assert.is(r.dataset.T, 4);
  assert.is(r.dataset.layout, 'ntu25');
  assert.is(r.test.length, 2);
  const held = r.dataset.get(r.test[0]);
  assert.is(held.name, '1/movement10');
  assert.is(held.label, 0);
  assert.is(r.dataset.get(r.test[1]).label, 1);
  const s = r.dataset.get(0); // movement1: 3 frames
  assert.is(s.frames, 3);
  assert.is(s.data[((0 * 4 + 2) * 25 + 5) * 1], Math.fround(2.05)); // x of frame 2, joint 5
  assert.is(s.data[((0 * 4 + 3) * 25 + 5) * 1], 0);    // padding
  assert.is(openDataset(dir).info.format, 'gtu');
});

t('msr: 20 lines x y z c per frame, all-zero file skipped and reported, odd subjects train', () => {
  const dir = join(root, 'msr');
  mkdirSync(dir);
  writeFileSync(join(dir, 'a01_s01_e01_skeleton3D.txt'), lines(3, 20, 4));
  writeFileSync(join(dir, 'a02_s02_e01_skeleton3D.txt'), lines(2, 20, 4));
  writeFileSync(join(dir, 'a13_s09_e02_skeleton3D.txt'), lines(2, 20, 4, () => 0));
  const r = readMsr(dir);
  assert.is(r.dataset.size, 2);
  assert.is(r.skipped.length, 1);
  assert.match(r.skipped[0].file, /a13_s09_e02/);
  assert.equal(Array.from(r.train), [0]);
  assert.equal(Array.from(r.test), [1]);
  assert.is(r.dataset.layout, 'msr20');
  assert.is(r.dataset.get(1).label, 1);
  assert.throws(() => readMsr(dir, { strict: true }), /every coordinate is zero/);
});

t('ucla: json sequences, actions mapped to 0–9, view 3 tests', () => {
  const dir = join(root, 'all_sqe');
  mkdirSync(dir);
  const frame = (t2: number) => Array.from({ length: 20 }, (_, v) => [t2, v, 1]);
  writeFileSync(join(dir, 'a12_s01_e00_v01.json'), JSON.stringify({ file_name: 'a12_s01_e00_v01', skeletons: [frame(0), frame(1)], label: 10 }));
  writeFileSync(join(dir, 'a08_s02_e01_v03.json'), JSON.stringify({ file_name: 'a08_s02_e01_v03', skeletons: [frame(0)], label: 7 }));
  const r = readUcla(dir);
  assert.equal(Array.from(r.dataset.labels()), [6, 9]); // sorted by file name: a08 then a12
  assert.equal(Array.from(r.test), [0]);
  assert.is(r.dataset.get(0).frames, 1); // a 1-frame sequence is allowed
  assert.is(r.dataset.layout, 'ucla20');
  assert.is(openDataset(root + '/all_sqe').info.format, 'ucla');
});

t('pku: skeleton + label + split files, instances cut from videos', () => {
  const dir = join(root, 'pku');
  mkdirSync(join(dir, 'skeleton'), { recursive: true }); mkdirSync(join(dir, 'label'));
  const video = (frames: number) => Array.from({ length: frames }, (_, t2) => Array.from({ length: 150 }, (_, k) => (k < 75 ? t2 + k / 1000 : 0).toFixed(4)).join(' ')).join('\n') + '\n';
  writeFileSync(join(dir, 'skeleton', '0002-L.txt'), video(40));
  writeFileSync(join(dir, 'skeleton', '0003-M.txt'), video(30));
  writeFileSync(join(dir, 'label', '0002-L.txt'), '3,0,10,1\n5,20,35,2\n');
  writeFileSync(join(dir, 'label', '0003-M.txt'), '51,5,25,1\n');
  writeFileSync(join(dir, 'cross-subject.txt'), 'Training videos: 1\n0002-L, \nValidataion videos: 1\n0003-M\n');
  const sk = readPkuSkeleton(join(dir, 'skeleton', '0002-L.txt'));
  assert.is(sk.frames, 40); assert.is(sk.bodies, 1);
  const p = openPku(dir);
  assert.is(p.all.size, 3);
  assert.equal(Array.from(p.all.labels()), [2, 4, 50]);
  assert.equal(Array.from(p.train!), [0, 1]);
  assert.equal(Array.from(p.test!), [2]);
  assert.is(p.all.T, 20);
  const s = p.all.get(1); // frames 20..34 of 0002-L
  assert.is(s.frames, 15);
  assert.ok(Math.abs(s.data[((0 * 20 + 0) * 25 + 0) * 2 + 0] - 20) < 1e-4);
  assert.is(openDataset(dir).info.format, 'pku');
  // a label range past the video's end is an error naming the label line, not an all-NaN sample; a huge one is refused when read
  writeFileSync(join(dir, 'label', '0003-M.txt'), '51,5,25,1\n7,31,39,1\n');
  const q = openPku(dir);
  assert.throws(() => q.all.get(3), /0003-M\.txt: line 2: frames 31–39 start past the end of 0003-M\.txt \(30 frames\)/);
  writeFileSync(join(dir, 'label', '0003-M.txt'), '51,5,100000005,1\n');
  assert.throws(() => openPku(dir), /line 1: frames 5–100000005: an action of 100000000 frames/);
});

t.run();
