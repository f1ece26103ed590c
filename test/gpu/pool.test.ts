import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initEngine, Tensor } from '../../src/tensor/index.js';
import { addScalar } from '../../src/ops/elementwise.js';
import { BufferPool } from '../../src/gpu/pool.js';
import type { Gpu } from '../../src/gpu/device.js';
import { host } from '../../src/gpu/host.js';

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
  assert.ok(BufferPool.sizeClass(5000) <= 5000 * 1.0625);
  assert.ok(BufferPool.sizeClass(4_000_000) <= 4_000_000 * 1.0625);
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

function fakePool(): { pool: BufferPool; destroyed: number[] } {
  let made = 0;
  const destroyed: number[] = [];
  const fake = { createBuffer: () => { const id = made++; return { id, destroy: () => destroyed.push(id) }; } } as unknown as GPUDevice;
  return { pool: new BufferPool(fake, 0, 'test'), destroyed };
}

t('the pool counts live, pending, pooled and wasted bytes, and their peak', () => {
  const { pool } = fakePool();
  const a = pool.acquire(1000), b = pool.acquire(5000);   // classes 1024 and 5120
  assert.is(pool.liveBytes, 1024 + 5120);
  assert.is(pool.wastedBytes, 24 + 120);
  pool.release(a);
  assert.is(pool.liveBytes, 5120); assert.is(pool.pendingBytes, 1024); assert.is(pool.wastedBytes, 120);
  pool.submitted();
  assert.is(pool.pendingBytes, 0); assert.is(pool.pooledBytes, 1024);
  assert.equal({ live: pool.peak.liveBytes, cached: pool.peak.cachedBytes, wasted: pool.peak.wastedBytes, buffers: pool.peak.buffers },
    { live: 6144, cached: 0, wasted: 144, buffers: 2 });
  assert.is(pool.peakTotalBytes, 6144);
  pool.resetPeak();
  assert.is(pool.peak.liveBytes, 0);
  pool.acquire(900);   // the pooled 1024 again
  assert.is(pool.peak.liveBytes, 6144, 'a new peak since the reset');
  assert.is(pool.peak.wastedBytes, 120 + 124);
  pool.release(b);
});

t('while tracking, the peak snapshot holds the size classes and the largest buffers with their labels', () => {
  const { pool } = fakePool();
  pool.track(true);
  const small = [0, 1, 2].map(() => pool.acquire(256));
  const big = pool.acquire(40_000);
  pool.labelBuffer(big, 'someOp');
  pool.release(small[0]);   // the first release after the rise takes the snapshot
  pool.acquire(100);        // not a new peak (1024 + 40960 − 256 + 256)
  const p = pool.peak;
  assert.is(p.liveBytes, 3 * 256 + 40_960);
  assert.equal(p.byClass!.map((c) => [c.size, c.live, c.wastedBytes]), [[40_960, 1, 960], [256, 3, 0]]);
  assert.is(p.largest![0].size, 40_960);
  // in Node the frame names this file; in the page (a bundle) its chunk
  assert.match(p.largest![0].label, host.kind === 'node' ? /^someOp · .*pool\.test\.ts:\d+\)$/ : /^someOp · .+:\d+/, 'the label and the acquiring frame');
  assert.is(p.byLabel![0].bytes, 40_960);
});

t('over its cache limit the pool destroys cached buffers of other classes, the largest first', () => {
  const { pool, destroyed } = fakePool();
  let cleared = 0;
  pool.onDestroyed = () => cleared++;
  const bufs = [pool.acquire(4096), pool.acquire(4096), pool.acquire(65536), pool.acquire(1024)];
  for (const b of bufs) pool.release(b);
  pool.submitted();
  pool.cacheLimit = 8192 + 1024;
  pool.acquire(2048);   // a miss: 74,752 cached bytes, 9,216 allowed
  assert.equal(destroyed, [2], 'the 64 KiB buffer');
  assert.is(pool.pooledBytes, 4096 * 2 + 1024);
  assert.is(cleared, 1, 'the device is told (its bind groups go)');
  pool.acquire(4096);   // a hit destroys nothing
  assert.equal(destroyed, [2]);
});

t.run();
