import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn, assertClose, withKernel, dispatched } from '../helpers/check.js';
import { Tensor, G } from '../../src/tensor/index.js';
import { emaUpdate, emaRef } from '../../src/optim/ema.js';

const t = suite('optim/ema');
t.before(async () => { await engine(); });

// both multi-tensor entries (4 pairs a dispatch, 8 where the device has 16 storage buffers)
for (const pairs of [4, 8] as const) {
  t(`${pairs} pairs a dispatch: θk ← m·θk + (1 − m)·θq per pair, repeated, against a float64 reference`, () => withKernel('ema', pairs, async () => {
    if (G().limits.maxStorageBuffersPerShaderStage < 2 * pairs) return;   // main8 needs 16 storage buffers
    const sizes = [1, 7, 1000, 4099];
    const k0 = sizes.map((n, i) => randn(n, 10 + i).map(Math.fround));
    const keys = k0.map((x) => Tensor.from(x).keep());
    const ref = k0.map((x) => x.slice());
    for (const [step, m] of [[0, 0.999], [1, 0.99], [2, 0.5]]) {
      const q = sizes.map((n, i) => randn(n, 100 * step + i).map(Math.fround));
      const queries = q.map((x) => Tensor.from(x));
      emaUpdate(keys, queries, m);
      ref.forEach((r, i) => emaRef(r, q[i], m));
      for (let i = 0; i < sizes.length; i++) assertClose(await queries[i].read(), q[i], 0, 'query untouched');
      queries.forEach((x) => x.dispose());
    }
    for (let i = 0; i < sizes.length; i++) assertClose(await keys[i].read(), ref[i], 2e-6, `key ${i}`);
    keys.forEach((x) => x.dispose());
  }));

  t(`${pairs} pairs a dispatch: nine pairs of mixed sizes (full groups and a partial one) all update`, () => withKernel('ema', pairs, async () => {
    if (G().limits.maxStorageBuffersPerShaderStage < 2 * pairs) return;
    const sizes = [3, 300, 1, 17, 5000, 2, 64, 9, 257];
    const m = 0.9;
    const k0 = sizes.map((n, i) => randn(n, 50 + i).map(Math.fround));
    const q0 = sizes.map((n, i) => randn(n, 80 + i).map(Math.fround));
    const keys = k0.map((x) => Tensor.from(x)), queries = q0.map((x) => Tensor.from(x));
    const { names } = await dispatched(() => emaUpdate(keys, queries, m));
    assert.is(names.length, Math.ceil(sizes.length / pairs), names.join(', '));
    for (let i = 0; i < sizes.length; i++) {
      assertClose(await keys[i].read(), k0[i].map((v, j) => m * v + (1 - m) * q0[i][j]), 2e-6, `key ${i}`);
    }
    [...keys, ...queries].forEach((x) => x.dispose());
  }));
}

t('rejects mismatched pairs', () => {
  const a = Tensor.from([1, 2]), b = Tensor.from([1, 2, 3]);
  assert.throws(() => emaUpdate([a], [b], 0.9), /shapes/);
  assert.throws(() => emaUpdate([a], [], 0.9), /1 key tensors for 0/);
  a.dispose(); b.dispose();
});

t.run();
