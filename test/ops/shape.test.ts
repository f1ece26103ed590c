import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import * as S from '../../src/ops/shape.js';
import { buildRef, atRef, permuteRef, sliceRef, padRef, concatRef, expandRef } from '../../src/ops/shape.js';
import { exp } from '../../src/ops/elementwise.js';

const t = suite('ops/shape');
t.before(async () => { await engine(); });

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

for (const [shape, axes] of [
  [[5], [0]], [[3, 7], [1, 0]], [[2, 3, 4, 5], [0, 2, 1, 3]], [[2, 3, 4, 5], [3, 1, 0, 2]], [[2, 3, 4, 5], [1, 2, 3, 0]],
  [[2, 1, 3, 1, 2, 2, 1, 3], [7, 0, 5, 3, 1, 6, 2, 4]],
  // rank 9 with size-1 dims: fits the kernel's 8 once they are dropped
  [[2, 1, 3, 1, 2, 1, 2, 1, 3], [8, 0, 5, 3, 1, 6, 2, 7, 4]],
] as number[][][]) {
  t(`permute [${shape}] by [${axes}]: forward + gradient (inverse permutation)`, async () => {
    // flattened so checkOp's elementwise weighting (rank ≤ 8) applies to the rank-9 case too
    await checkOp({ shapes: [shape], gpu: ([x]) => S.reshape(S.permute(x, axes), [-1]), ref: ([x]) => permuteRef(x, shape, axes) });
  });
}

t('transpose of an awkward matrix (129 × 67) and of the last two axes by default', async () => {
  await checkOp({ shapes: [[129, 67]], gpu: ([x]) => S.transpose(x, 0, 1), ref: ([x]) => permuteRef(x, [129, 67], [1, 0]), wrt: [] });
  await checkOp({ shapes: [[2, 3, 5]], gpu: ([x]) => S.transpose(x), ref: ([x]) => permuteRef(x, [2, 3, 5], [0, 2, 1]) });
});

t('reshape is a view with a gradient; −1 infers a dim', async () => {
  await checkOp({ shapes: [[3, 4]], gpu: ([x]) => { const y = S.reshape(x, [2, -1, 3]); assert.equal([...y.shape], [2, 2, 3]); return exp(y); }, ref: ([x]) => x.map(Math.exp) });
  await checkOp({ shapes: [[3, 4]], gpu: ([x]) => S.squeeze(S.unsqueeze(S.unsqueeze(x, 0), -1)), ref: ([x]) => x });
  const y = tidy(() => S.unsqueeze(Tensor.from([1, 2, 3]), -1));
  assert.equal([...y.shape], [3, 1]);
  y.dispose();
});

for (const [shape, axis, s, e] of [
  [[7], 0, 2, 5], [[3, 5, 4], 0, 1, 3], [[3, 5, 4], 1, 0, 1], [[3, 5, 4], 2, -3, -1], [[2, 1, 300], 2, 17, 300], [[4, 6], 1, 3, 100],
] as [number[], number, number, number][]) {
  t(`slice [${shape}] axis ${axis} [${s}:${e}]: forward + gradient (pad with zeros)`, async () => {
    const len = shape[axis];
    const s0 = s < 0 ? s + len : s, e0 = Math.min(len, e < 0 ? e + len : e);
    await checkOp({ shapes: [shape], gpu: ([x]) => S.slice(x, axis, s, e), ref: ([x]) => sliceRef(x, shape, axis, s0, e0) });
  });
}

for (const [shape, axis, before, after, value] of [
  [[5], 0, 2, 3, 0], [[3, 5, 4], 1, 1, 0, -7.5], [[3, 5, 4], 2, 0, 3, 1], [[2, 1, 30], 0, 1, 1, 0], [[2, 3], 1, 4, 4, 2],
] as [number[], number, number, number, number][]) {
  t(`pad [${shape}] axis ${axis} (${before}, ${after}) with ${value}: forward + gradient (slice)`, async () => {
    await checkOp({ shapes: [shape], gpu: ([x]) => S.pad(x, axis, before, after, value), ref: ([x]) => padRef(x, shape, axis, before, after, value) });
  });
}

for (const [shapes, axis] of [
  [[[3], [1], [5]], 0], [[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1], [[[2, 3, 4], [2, 3, 1]], 2], [[[1, 3, 2], [4, 3, 2]], 0], [[[3, 2], [3, 7], [3, 1], [3, 2]], -1],
] as [number[][], number][]) {
  t(`concat of [${shapes.map((s) => `[${s}]`)}] on axis ${axis}: forward + gradients (slices)`, async () => {
    const a = axis < 0 ? axis + shapes[0].length : axis;
    await checkOp({ shapes, gpu: (xs) => S.concat(xs, axis), ref: (xs) => concatRef(xs, shapes, a) });
  });
}

t('concat: gradient only into the inputs that need one', async () => {
  await checkOp({ shapes: [[2, 3], [2, 4]], gpu: (xs) => S.concat(xs, 1), ref: (xs) => concatRef(xs, [[2, 3], [2, 4]], 1), wrt: [1] });
});

t('stack and split', async () => {
  await checkOp({ shapes: [[2, 3], [2, 3], [2, 3]], gpu: (xs) => S.stack(xs, 1), ref: (xs) => buildRef([2, 3, 3], (c) => atRef(xs[c[1]], [2, 3], [c[0], c[2]])) });
  await checkOp({ shapes: [[4, 7]], gpu: ([x]) => { const [a, b, c] = S.split(x, 1, [2, 4, 1]); return S.concat([c, a, b], 1); },
    ref: ([x]) => concatRef([sliceRef(x, [4, 7], 1, 6, 7), sliceRef(x, [4, 7], 1, 0, 2), sliceRef(x, [4, 7], 1, 2, 6)], [[4, 1], [4, 2], [4, 4]], 1) });
});

for (const [from, to] of [[[3, 1, 5], [2, 3, 4, 5]], [[1], [7]], [[4, 1], [4, 33]], [[1, 6], [5, 6]]] as number[][][]) {
  t(`expand [${from}] → [${to}]: forward + gradient (sum back)`, async () => {
    await checkOp({ shapes: [from], gpu: ([x]) => S.expand(x, to), ref: ([x]) => expandRef(x, from, to) });
  });
}

t('chains: slice of a permute of a pad', async () => {
  const shape = [3, 4, 5];
  await checkOp({ shapes: [shape], gpu: ([x]) => S.slice(S.permute(S.pad(x, 1, 2, 1, 0.5), [2, 0, 1]), 2, 1, 6),
    ref: ([x]) => sliceRef(permuteRef(padRef(x, shape, 1, 2, 1, 0.5), [3, 7, 5], [2, 0, 1]), [5, 3, 7], 2, 1, 6) });
});

t('int32 tensors move bit-exactly (small and large, negative values, int padding)', async () => {
  const shape = [3, 4, 5];
  const vals = Int32Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 1 + i : i % 3 === 1 ? -2147483647 + i : 2147483000 + i));
  const x = tidy(() => Tensor.from(vals, shape, 'i32'));
  const [p, s, c, pd] = tidy(() => [S.permute(x, [2, 0, 1]), S.slice(x, 2, 1, 4), S.concat([x, x], 0), S.pad(x, 1, 1, 0, -3)]);
  const f = Float64Array.from(vals);
  assert.equal(p.dtype, 'i32');
  assert.equal([...await p.readInt()], [...permuteRef(f, shape, [2, 0, 1])]);
  assert.equal([...await s.readInt()], [...sliceRef(f, shape, 2, 1, 4)]);
  assert.equal([...await c.readInt()], [...concatRef([f, f], [shape, shape], 0)]);
  assert.equal([...await pd.readInt()], [...padRef(f, shape, 1, 1, 0, -3)]);
  for (const v of [x, p, s, c, pd]) v.dispose();
});

t('a larger copy (2 × 257 × 33 × 25 permuted like N,C,T,V → N,T,V,C)', async () => {
  const shape = [2, 257, 33, 25];
  const x = randn(size(shape), 4);
  const y = tidy(() => S.permute(Tensor.from(x, shape), [0, 2, 3, 1]));
  assertClose(await y.read(), permuteRef(Float64Array.from(Float32Array.from(x)), shape, [0, 2, 3, 1]), 0);   // not assert.equal: its diff of a big array is slow
  y.dispose();
});

t('bad arguments throw', () => {
  tidy(() => {
    const x = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.throws(() => S.permute(x, [0, 0]));
    assert.throws(() => S.concat([x, Tensor.from([1, 2, 3, 4], [2, 2])], 0));
    assert.throws(() => S.expand(x, [3, 3]));
    assert.throws(() => S.split(x, 1, [1, 1]));
    assert.throws(() => S.squeeze(x, 0));
  });
});

t.run();
