import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initEngine, Tensor } from '../../src/tensor/index.js';
import { addScalar } from '../../src/ops/elementwise.js';
import { BufferPool } from '../../src/gpu/pool.js';
import type { Gpu } from '../../src/gpu/device.js';

const t = suite('gpu/pool');
let g: Gpu;
t.before(async () => { g = await initEngine(); });

t('a freed buffer of the same size class is reused after the batch is submitted', () => {
  const pool = g.pool;
  const x = Tensor.empty([1000]);
  const buf = x.buffer;
  x.dispose();
  g.flush();
  const created = pool.created;
  const y = Tensor.empty([990]); // same class as 1000 floats
  assert.is(pool.created, created, 'no new buffer');
  assert.is(y.buffer, buf, 'the same buffer came back');
  y.dispose();
  assert.is(BufferPool.sizeClass(4000), BufferPool.sizeClass(3960));
  assert.ok(BufferPool.sizeClass(5000) <= 5000 * 1.25);
});

t('a buffer released inside an unsubmitted batch is not handed out before the submit', () => {
  const x = Tensor.from([1, 2, 3]);
  const y = addScalar(x, 1); // recorded, not submitted
  const buf = x.buffer;
  x.dispose();
  const z = Tensor.empty([3]);
  assert.is.not(z.buffer, buf);
  y.dispose(); z.dispose(); g.flush();
});

t('the pool hands out its oldest free buffer of a size class, whatever order they were freed in', () => {
  let made = 0;
  const fake = { createBuffer: () => ({ id: made++ }) } as unknown as GPUDevice;
  const pool = new BufferPool(fake, 0, 'test');
  const bufs = [0, 1, 2, 3].map(() => pool.acquire(1000));
  for (const i of [2, 0, 3, 1]) pool.release(bufs[i]);
  pool.submitted();
  assert.equal([0, 1, 2].map(() => (pool.acquire(1000) as unknown as { id: number }).id), [0, 1, 2]);
  pool.release(bufs[0]); pool.submitted();
  assert.is((pool.acquire(900) as unknown as { id: number }).id, 0, 'the same class, the oldest again');
  assert.is(pool.created, 4);
});

t.run();
