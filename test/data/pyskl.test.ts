/**
 * PYSKL / MMAction2 annotation pickles. The fixtures in test/fixtures/pyskl were written by
 * Python's pickle with numpy (protocols 2 and 4): keypoint[m, t, v, c] = (index in the flattened
 * (M, T, V, C) array) / 100 + label, as float32 (3D) or float16 (2D, with keypoint_score 0.5).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';
import { readPyskl } from '../../src/data/pyskl.js';
import { openDataset } from '../../src/data/open.js';
import { FormatError, UserError } from '../../src/util/errors.js';

const t = suite('data/pyskl');
const fx = (name: string) => join(projectRoot, 'test', 'fixtures', 'pyskl', name);

for (const proto of ['p2', 'p4']) {
  t(`3D NTU annotations (pickle protocol ${proto.slice(1)}): samples (3, T, V, M), labels, the file's splits`, () => {
    const r = readPyskl(fx(`ntu-3d-${proto}.pkl`));
    assert.equal(r.benchmarks, ['xsub', 'xview']);
    assert.is(r.benchmark, 'xsub');
    assert.equal([...r.train!], [0, 1]);
    assert.equal([...r.test!], [2]);
    const d = r.all;
    assert.equal([d.size, d.T, d.V, d.M, d.numClasses, d.layout], [4, 6, 25, 2, 3, 'ntu25']);
    assert.equal([...d.labels()], [0, 1, 0, 2], 'a numpy int64 label reads as a number');
    const s = d.get(0);   // M 2, T 4, V 25, C 3
    assert.is(s.frames, 4);
    const at = (c: number, t2: number, v: number, m: number) => s.data[((c * d.T + t2) * d.V + v) * d.M + m];
    const want = (c: number, t2: number, v: number, m: number) => (((m * 4 + t2) * 25 + v) * 3 + c) / 100;
    for (const [c, t2, v, m] of [[0, 0, 0, 0], [2, 3, 24, 1], [1, 2, 7, 0]]) assert.ok(Math.abs(at(c, t2, v, m) - want(c, t2, v, m)) < 1e-4, `${c},${t2},${v},${m}`);
    assert.is(at(0, 5, 0, 0), 0, 'padding past the valid frames');
  });
}

t('openDataset: a .pkl is a dataset; --benchmark picks the file\'s split; 2D keypoints get the score as third channel', () => {
  const o = openDataset(fx('ntu-3d-p4.pkl'), 'auto', { benchmark: 'xview' });
  assert.is(o.info.format, 'pyskl');
  assert.equal([o.train!.size, o.test!.size], [1, 2]);
  assert.throws(() => openDataset(fx('ntu-3d-p4.pkl'), 'auto', { benchmark: 'xset' }), (e: Error) => e instanceof UserError && /has the splits xsub, xview/.test(e.message));
  const two = openDataset(fx('ucla-2d.pkl'));
  assert.is(two.all.layout, 'ucla20');
  const s = two.all.get(1);
  const T = two.all.T, V = 20;
  assert.ok(Math.abs(s.data[(0 * T + 0) * V] - 1) < 1e-3, 'x (float16) of class 1');
  assert.ok(Math.abs(s.data[(2 * T + 1) * V + 3] - 0.5) < 1e-3, 'the score as z');
});

t('COCO 17-joint keypoints read on the coco17 layout; another joint count is refused naming the layouts; code in a pickle is never run', () => {
  const coco = readPyskl(fx('coco-2d.pkl'));
  assert.equal([coco.all.layout, coco.all.V, coco.all.M], ['coco17', 17, 1]);
  assert.equal(coco.benchmarks, [], 'no split in the file');
  assert.throws(() => readPyskl(fx('odd-2d.pkl')), (e: Error) => e instanceof UserError && /13-joint keypoints have no built-in skeleton layout \(the layouts are ntu25 \(25\), .*coco17 \(17\)\)/.test(e.message));
  assert.throws(() => readPyskl(fx('evil.pkl')), (e: Error) => e instanceof FormatError && /builtins\.print is not allowed/.test(e.message));
});

t.run();
