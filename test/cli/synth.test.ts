import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSynthetic } from '../../src/cli/synth.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { ACTIONS } from '../../src/skeleton/synthetic/actions.js';
import { NpyFile } from '../../src/data/npy.js';
import { readLabelPickle } from '../../src/data/pickle.js';
import { openDataset } from '../../src/data/open.js';

const t = suite('cli/synth');

t('synth CLI writes a prepared folder the readers accept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'synth-'));
  try {
    const w = writeSynthetic(dir, { seed: 2, size: 60, split: 'xview' });
    const ref = generateSynthetic({ seed: 2, size: 60 });
    assert.is(w.train + w.val, 60);
    assert.is(w.val, ref.splits.xview.test.length);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    assert.equal({ ...meta, generator: undefined, classNames: undefined },
      { layout: 'ntu25', numClasses: ACTIONS.length, T: 128, V: 25, M: 2, format: 'prepared', benchmark: 'xview', generator: undefined, classNames: undefined });
    assert.equal(meta.classNames, ACTIONS.map((a) => a.name));
    const x = NpyFile.open(join(dir, 'val_data_joint.npy'));
    assert.equal(x.shape, [w.val, 3, 128, 25, 2]); assert.is(x.dtype, '<f4');
    const nf = NpyFile.open(join(dir, 'val_num_frame.npy'));
    assert.equal(nf.shape, [w.val]); assert.is(nf.dtype, '<i8');
    const lab = readLabelPickle(join(dir, 'val_label.pkl'));
    const rows = ref.splits.xview.test;
    assert.equal(lab.labels, Array.from(rows, (i) => ref.dataset.labelArray[i]));
    assert.equal(Array.from(x.readRowF32(3)), Array.from(ref.dataset.get(rows[3]).data));
    assert.is(Number((nf.readRows(3, 1) as BigInt64Array)[0]), ref.dataset.get(rows[3]).frames);
    const opened = openDataset(dir);
    assert.is(opened.all.size, 60); assert.is(opened.all.layout, 'ntu25');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
