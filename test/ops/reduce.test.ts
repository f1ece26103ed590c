import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, G, backward } from '../../src/tensor/index.js';
import { sumAxes, mean, maxAxis, logsumexp, reduceRef, reduceAxesRef, sumRef, maxRef, argmaxRef, lseRef } from '../../src/ops/reduce.js';
import { mul } from '../../src/ops/elementwise.js';
import { Rng } from '../../src/util/random.js';

// Which kernel entry a case reaches (src/ops/reduce.ts): `rows` when the reduced run is innermost
// and ≥ 64 long — (2,1,300) axis 2, (65537) — and `cols` for everything else.
const t = suite('ops/reduce');
t.before(async () => { await engine(); });

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const drop = (s: readonly number[], ax: number[]) => s.filter((_, i) => !ax.includes(i));
const keep1 = (s: readonly number[], ax: number[]) => s.map((d, i) => (ax.includes(i) ? 1 : d));

/** Distinct values (a shuffled ramp, gaps 2/n) so max and finite differences stay away from ties. */
function distinct(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from(r.shuffle([...Array(n).keys()]), (i) => -1 + (2 * i) / Math.max(1, n));
}

const shapes = [[1], [7], [3, 5, 4], [2, 1, 300]];

for (const shape of shapes) {
  for (let axis = 0; axis < shape.length; axis++) {
    for (const keepDims of [false, true]) {
      const outShape = keepDims ? keep1(shape, [axis]) : drop(shape, [axis]);
      t(`[${shape}] axis ${axis} keepDims=${keepDims}: sum/mean/max/logsumexp forward + gradients`, async () => {
        await checkOp({ shapes: [shape], gpu: ([x]) => checkShape(sumAxes(x, axis, keepDims), outShape), ref: ([x]) => reduceRef(x, shape, axis, sumRef) });
        await checkOp({ shapes: [shape], gpu: ([x]) => checkShape(mean(x, axis, keepDims), outShape), ref: ([x]) => reduceRef(x, shape, axis, (v) => sumRef(v) / v.length) });
        await checkOp({ shapes: [shape], inputs: [distinct(size(shape), 3 + axis)], gpu: ([x]) => checkShape(maxAxis(x, axis, keepDims).values, outShape), ref: ([x]) => reduceRef(x, shape, axis, maxRef) });
        await checkOp({ shapes: [shape], inputs: [randn(size(shape), 5 + axis, -3, 3)], gpu: ([x]) => checkShape(logsumexp(x, axis, keepDims), outShape), ref: ([x]) => reduceRef(x, shape, axis, lseRef) });
      });
    }
  }
}

function checkShape(y: Tensor, want: number[]): Tensor {
  assert.equal([...y.shape], want, 'output shape');
  return y;
}

t('argmax: ties go to the lowest index (cols and rows entries)', async () => {
  // values from {0, 1, 2}: many ties along every axis
  for (const shape of [[3, 5, 4], [2, 1, 300], [7]]) {
    const r = new Rng(42);
    const x = Float64Array.from({ length: size(shape) }, () => r.int(3));
    for (let axis = 0; axis < shape.length; axis++) {
      const { values, indices } = tidy(() => maxAxis(Tensor.from(x, shape), axis));
      assertClose(await values.read(), reduceRef(x, shape, axis, maxRef), 0, `max [${shape}] axis ${axis}`);
      assert.equal([...await indices.readInt()], [...reduceRef(x, shape, axis, argmaxRef)], `argmax [${shape}] axis ${axis}`);
      values.dispose(); indices.dispose();
    }
  }
});

t('a row of 65537 (rows entry, lanes striding): all four reductions and the argmax', async () => {
  const n = 65537;
  const x = randn(n, 9, -4, 4);
  // equal maxima in different lanes' strides and at the tail: the lowest one must win
  for (const i of [70, 5, 40000, 65536, 326]) x[i] = 9;
  const out = tidy(() => {
    const xt = Tensor.from(x);
    const m = maxAxis(xt, 0, true);
    return { s: sumAxes(xt, 0), mu: mean(xt, [0], true), mx: m.values, ix: m.indices, l: logsumexp(xt, -1) };
  });
  assert.equal([...out.mu.shape], [1]); assert.equal([...out.s.shape], []); assert.equal([...out.ix.shape], [1]);
  const xs = [...x];
  assertClose(await out.s.read(), [sumRef(xs)], 1e-5, 'sum');
  assertClose(await out.mu.read(), [sumRef(xs) / n], 1e-6, 'mean');
  assertClose(await out.mx.read(), [9], 0, 'max');
  assert.equal([...await out.ix.readInt()], [5], 'argmax');
  assertClose(await out.l.read(), [lseRef(xs)], 1e-5, 'logsumexp');
  for (const v of Object.values(out)) v.dispose();
});

t('a row of 65537: analytic gradients of sum, max and logsumexp', async () => {
  const n = 65537;
  const x = randn(n, 12, -3, 3);
  x[777] = 5;
  const grads = tidy(() => {
    const xt = Tensor.from(x).param();
    const w = Tensor.from([2.5]);
    backward(sumAxes(mul(sumAxes(xt), w)));
    const gs = xt.grad!; xt.grad = undefined;
    backward(sumAxes(mul(maxAxis(xt, 0).values, w)));
    const gm = xt.grad!; xt.grad = undefined;
    backward(sumAxes(mul(logsumexp(xt, 0), w)));
    const gl = xt.grad!; xt.grad = undefined;
    xt.dispose();
    return [gs, gm, gl];
  });
  const lse = lseRef([...x]);
  assertClose(await grads[0].read(), new Float64Array(n).fill(2.5), 1e-6, 'd sum');
  assertClose(await grads[1].read(), Float64Array.from({ length: n }, (_, i) => (i === 777 ? 2.5 : 0)), 0, 'd max');
  assertClose(await grads[2].read(), Float64Array.from(x, (v) => 2.5 * Math.exp(v - lse)), 1e-5, 'd logsumexp');
  grads.forEach((g) => g.dispose());
});

t('large logits: logsumexp stays finite (max subtracted) in both entries', async () => {
  for (const shape of [[4, 300], [300, 4]]) {
    const x = randn(size(shape), 8, -200, 200);
    for (const axis of [0, 1]) {
      const y = tidy(() => logsumexp(Tensor.from(x, shape), axis));
      assertClose(await y.read(), reduceRef(x, shape, axis, lseRef), 1e-5, `lse [${shape}] axis ${axis}`);
      y.dispose();
    }
  }
});

t('several axes: adjacent runs, non-adjacent runs, all axes, keepDims', async () => {
  const shape = [3, 5, 4];
  for (const axes of [[0, 1], [1, 2], [0, 2], [0, 1, 2]]) {
    for (const keepDims of [false, true]) {
      const outShape = keepDims ? keep1(shape, axes) : drop(shape, axes);
      await checkOp({ shapes: [shape], gpu: ([x]) => checkShape(sumAxes(x, axes, keepDims), outShape), ref: ([x]) => reduceAxesRef(x, shape, axes, sumRef) });
      if (axes.join() !== '0,2') {
        const n = axes.reduce((a, i) => a * shape[i], 1);
        await checkOp({ shapes: [shape], gpu: ([x]) => checkShape(mean(x, axes, keepDims), outShape), ref: ([x]) => reduceAxesRef(x, shape, axes, sumRef).map((v) => v / n) });
      }
    }
  }
  // the default is every axis; negative axes count from the end
  await checkOp({ shapes: [[2, 1, 300]], gpu: ([x]) => checkShape(sumAxes(x), []), ref: ([x]) => Float64Array.of(sumRef([...x])) });
  await checkOp({ shapes: [[2, 1, 300]], gpu: ([x]) => checkShape(mean(x, -1), [2, 1]), ref: ([x]) => reduceRef(x, [2, 1, 300], 2, sumRef).map((v) => v / 300) });
});

t('both kernel entries were compiled and used', () => {
  const cache = (G().pipelines as unknown as { pipelines: Map<string, unknown> }).pipelines;
  assert.ok(cache.has('reduce:rows'), 'rows entry');
  assert.ok(cache.has('reduce:cols'), 'cols entry');
});

t.run();
