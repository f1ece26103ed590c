import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { sharedData } from '../helpers/shared-data.js';
import { readGtu } from '../../src/data/gtu.js';
import { readMsr } from '../../src/data/msr.js';
import { readPkuSkeleton } from '../../src/data/pku.js';
import { openDataset } from '../../src/data/open.js';

const t = suite('real data (../shared/data)');

if (!sharedData) {
  console.log('  (skipped: ../shared/data is absent)');
  t.skip('real data', () => {});
} else {
  const data = sharedData;
  t('GTU 3D: 508 sequences, 14 classes, frames 16–195', () => {
    const r = readGtu(join(data, 'gtu3d'));
    const ds = r.dataset;
    assert.is(ds.size, 508);
    assert.is(new Set(ds.labels()).size, 14);
    assert.is(ds.numClasses, 14);
    const frames = Array.from(ds.frameCounts);
    assert.is(Math.min(...frames), 16);
    assert.is(Math.max(...frames), 195);
    assert.is(ds.T, 195);
    assert.is(r.skipped.length, 0);
    assert.is(r.train.length + r.test.length, 508);
    assert.ok(r.test.length >= 42 && r.test.length <= 56);
  });
  t('MSR Action3D: 566 valid sequences, the all-zero file reported, 20 classes, 10 subjects', () => {
    const r = readMsr(join(data, 'msr-action3d'));
    assert.is(r.dataset.size, 566);
    assert.is(r.skipped.length, 1);
    assert.match(r.skipped[0].file, /a13_s09_e02_skeleton3D\.txt$/);
    assert.match(r.skipped[0].reason, /every coordinate is zero/);
    assert.is(new Set(r.dataset.labels()).size, 20);
    assert.is(new Set(r.subjects).size, 10);
    assert.ok(r.train.length > 250 && r.test.length > 250);
    assert.is(r.train.length + r.test.length, 566);
  });
  t('PKU-MMD sample A10N08-L: 1040 frames, 2 bodies', () => {
    const s = readPkuSkeleton(join(data, 'pku-mmd-sample', 'A10N08-L.txt'));
    assert.is(s.frames, 1040);
    assert.is(s.bodies, 2);
  });
  t('format detection on the real folders', () => {
    assert.is(openDataset(join(data, 'gtu3d')).info.format, 'gtu');
  });
}

t.run();
