import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import { indexSelect, scatterAdd, indexSelectRef, scatterAddRef } from '../../src/ops/gather.js';
import { Rng } from '../../src/util/random.js';

const t = suite('ops/gather');
t.before(async () => { await engine(); });

const ints = (v: readonly number[]) => Tensor.from(v, [v.length], 'i32');

// repeats, an unused row, out-of-range entries (−1 and a) which give 0 / are skipped
for (const [shape, axis, idx] of [
  [[5], 0, [4, 0, 0, 2]], [[4, 5, 3], 0, [3, 3, 1]], [[4, 5, 3], 1, [0, 4, 4, 2, 4, -1, 5]], [[4, 5, 3], 2, [2, 0]],
  [[6, 40], 0, [5, 1, 1, 1, 0, 6]], [[2, 7, 33], 1, [6, 6, 0, 3]], [[1], 0, [0, 0, 0]],
] as [number[], number, number[]][]) {
  t(`indexSelect [${shape}] axis ${axis} by [${idx}]: forward + gradient (scatter-add)`, async () => {
    await checkOp({ shapes: [shape], gpu: ([x]) => indexSelect(x, axis, ints(idx)), ref: ([x]) => indexSelectRef(x, shape, axis, idx) });
  });
  const srcShape = shape.map((d, i) => (i === axis ? idx.length : d));
  t(`scatterAdd into [${shape}] axis ${axis} at [${idx}]: forward + gradients (base, src)`, async () => {
    await checkOp({ shapes: [shape, srcShape], gpu: ([b, s]) => scatterAdd(b, axis, ints(idx), s), ref: ([b, s]) => scatterAddRef(b, shape, axis, idx, s) });
    await checkOp({ shapes: [srcShape], gpu: ([s]) => scatterAdd(shape, axis, ints(idx), s), ref: ([s]) => scatterAddRef(undefined, shape, axis, idx, s) });
  });
}

t('indexSelect with a 2-D index tensor inserts its shape; rows of an int32 table', async () => {
  const shape = [6, 4];
  const idx = [[5, 0, 2], [2, 2, 1]];
  const flat = idx.flat();
  await checkOp({ shapes: [shape], gpu: ([x]) => { const y = indexSelect(x, 0, Tensor.from(flat, [2, 3], 'i32')); assert.equal([...y.shape], [2, 3, 4]); return y; },
    ref: ([x]) => indexSelectRef(x, shape, 0, flat) });
  const rows = Int32Array.from({ length: 24 }, (_, i) => (i % 2 ? -i * 1000003 : 2147480000 + i));
  const y = tidy(() => indexSelect(Tensor.from(rows, shape, 'i32'), 0, Tensor.from(flat, [6], 'i32')));
  assert.equal(y.dtype, 'i32');
  assert.equal([...await y.readInt()], [...indexSelectRef(Float64Array.from(rows), shape, 0, flat)]);
  y.dispose();
});

t('scatterAdd with many repeated indices is deterministic and sums in index order', async () => {
  const r = new Rng(7);
  for (const [a, inner] of [[13, 1], [13, 3], [5, 64], [9, 100], [300, 2]]) {
    const k = 1000;
    // heavy repeats: most rows get ~k/a additions of values of mixed magnitude (order matters in
    // f32); a few out-of-range entries (−1, a) that must be skipped; a = 300 spans csr workgroups
    const idx = Array.from({ length: k }, (_, i) => (i % 97 === 5 ? -1 : i % 89 === 7 ? a : r.int(a)));
    const src = Float64Array.from({ length: k * inner }, () => r.uniform(-1, 1) * 10 ** r.int(6));
    const base = randn(a * inner, 3);
    const run = () => tidy(() => scatterAdd(Tensor.from(base, [a, inner]), 0, ints(idx), Tensor.from(src, [k, inner])));
    const y1 = run(), y2 = run();
    const v1 = await y1.read(), v2 = await y2.read();
    const b1 = new Uint32Array(v1.buffer), b2 = new Uint32Array(v2.buffer);
    assert.ok(b1.every((w, i) => w === b2[i]), 'two runs, same bits');
    assertClose(v1, scatterAddRef(base, [a, inner], 0, idx, src, true), 0, `[${a}, ${inner}]: f32 sums in increasing k`);
    y1.dispose(); y2.dispose();
  }
});

t('a larger gather (500 rows of 257 from a 1000 × 257 table)', async () => {
  const r = new Rng(3);
  const idx = Array.from({ length: 500 }, () => r.int(1000));
  const x = randn(1000 * 257, 5);
  const y = tidy(() => indexSelect(Tensor.from(x, [1000, 257]), 0, ints(idx)));
  assertClose(await y.read(), indexSelectRef(Float64Array.from(Float32Array.from(x)), [1000, 257], 0, idx), 0);
  y.dispose();
});

t('bad arguments throw', () => {
  tidy(() => {
    const x = Tensor.from([1, 2, 3, 4], [2, 2]);
    assert.throws(() => indexSelect(x, 0, Tensor.from([0, 1])));            // f32 indices
    assert.throws(() => scatterAdd([2, 2], 0, ints([0, 1, 1]), x));        // src does not match
    assert.throws(() => indexSelect(x, 2, ints([0])));
  });
});

t.run();
