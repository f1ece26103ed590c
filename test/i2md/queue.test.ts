import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { MemoryQueue } from '../../src/i2md/queue.js';
import { Rng } from '../../src/util/random.js';

const t = suite('i2md/queue');
t.before(async () => { await engine(); });

t('random queue columns have unit length', async () => {
  const q = MemoryQueue.random(5, 7, new Rng(3));
  const data = await q.features.read();
  for (let j = 0; j < 7; j++) {
    let s = 0; for (let c = 0; c < 5; c++) s += data[c * 7 + j] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-5, `column ${j}: ${s}`);
  }
});

t('enqueue writes keysᵀ into the next slots and wraps around', async () => {
  const d = 3, K = 5;
  const q = MemoryQueue.random(d, K, new Rng(1));
  const before = await q.features.read();
  const keys = randn(2 * d, 9);
  q.enqueue(Tensor.from(keys, [2, d]));
  assert.is(q.ptr, 2);
  q.enqueue(Tensor.from(keys, [2, d]));
  const keys3 = randn(2 * d, 10);
  q.enqueue(Tensor.from(keys3, [2, d])); // slots 4 and 0
  assert.is(q.ptr, 1);
  const got = await q.features.read();
  const expected = Float32Array.from(before);
  const put = (slot: number, k: Float64Array, r: number) => { for (let c = 0; c < d; c++) expected[c * K + slot] = k[r * d + c]; };
  put(0, keys, 0); put(1, keys, 1); put(2, keys, 0); put(3, keys, 1); put(4, keys3, 0); put(0, keys3, 1);
  assert.equal([...got], [...expected]);
});

t.run();
