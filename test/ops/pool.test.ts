import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, withKernel } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import { globalAvgPool, globalAvgPoolRef } from '../../src/ops/pool.js';

const t = suite('ops/pool');
t.before(async () => { await engine(); });

// both forward workgroup sizes (software adapters 8, GPUs 64) on every adapter
for (const wg of [8, 64]) {
  for (const [shape, persons] of [[[6, 5, 3, 7], 2], [[3, 4, 1, 1], 1], [[4, 3, 2, 5], 4], [[2, 1, 5, 3], 1]] as [number[], number][]) {
    t(`global average pool [${shape}], ${persons} person(s), WG ${wg}: forward and gradient`, async () => {
      const [NM, C] = shape;
      const S = shape[2] * shape[3];
      await withKernel('pool', wg, () =>
        checkOp({ shapes: [shape], gpu: ([x]) => globalAvgPool(x, persons), ref: ([x]) => globalAvgPoolRef(x, NM, C, S, persons) }));
    });
  }

  t(`WG ${wg}: a long reduction (T·V·M = 3200, more than one pass of the workgroup) and a wide batch`, async () => {
    const shape = [20, 33, 64, 25];
    const x = randn(shape.reduce((a, b) => a * b, 1), 9);
    const y = await withKernel('pool', wg, () => tidy(() => globalAvgPool(Tensor.from(x, shape), 2)));
    assert.equal(y.shape, [10, 33]);
    assertClose(await y.read(), globalAvgPoolRef(x, 20, 33, 64 * 25, 2), 1e-5);
    y.dispose();
  });
}

t('rejects rows that are not a multiple of the persons', () => {
  assert.throws(() => tidy(() => globalAvgPool(Tensor.from(new Float32Array(6), [3, 2, 1, 1]), 2)), /multiple/);
});

t.run();
