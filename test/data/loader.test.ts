import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ArrayDataset } from '../../src/data/dataset.js';
import { Loader, type Batch, type LoaderOptions } from '../../src/data/loader.js';
import { evalView } from '../../src/skeleton/augment.js';
import { Rng } from '../../src/util/random.js';

const t = suite('data/loader');

const N = 10, T = 70, V = 25, M = 2, per = 3 * T * V * M;
/** Random joints; frames ≥ the valid count are NaN so any read of padding shows. */
function dataset(): ArrayDataset {
  const g = new Rng(99);
  const data = new Float32Array(N * per);
  const frames = Int32Array.from({ length: N }, (_, i) => 20 + 5 * i);
  for (let n = 0; n < N; n++) for (let c = 0; c < 3; c++) for (let tt = 0; tt < T; tt++) {
    const o = ((n * 3 + c) * T + tt) * V * M;
    for (let j = 0; j < V * M; j++) data[o + j] = tt < frames[n] ? g.uniform(-1, 1) : NaN;
  }
  return new ArrayDataset(data, frames, Int32Array.from({ length: N }, (_, i) => i % 3), T, V, M, 3, 'ntu25');
}
const ds = dataset();
const views = 3 * 64 * V * M;

async function collect(loader: Loader, epoch: number, delayMs = 0, rng?: Rng): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch)) {
    out.push(b);
    // a consumer that takes a while (as a GPU step would), letting prefetch run ahead
    if (delayMs || rng) await new Promise((r) => setTimeout(r, rng ? rng.int(4) : delayMs));
  }
  return out;
}

const make = (o: Partial<LoaderOptions> = {}) => new Loader(ds, { batchSize: 3, seed: 5, ...o });
const sameBatches = (a: Batch[], b: Batch[]) => {
  assert.is(a.length, b.length);
  a.forEach((x, i) => {
    assert.equal(x.indices, b[i].indices, `batch ${i} indices`);
    assert.equal(x.labels, b[i].labels);
    assert.ok(Buffer.from(x.x1.buffer).equals(Buffer.from(b[i].x1.buffer)), `batch ${i} view 1`);
    assert.ok(Buffer.from(x.x2!.buffer).equals(Buffer.from(b[i].x2!.buffer)), `batch ${i} view 2`);
  });
};

t('every sample exactly once per epoch without drop-last; shapes and labels', async () => {
  const loader = make();
  assert.is(loader.batchesPerEpoch, 4);
  const batches = await collect(loader, 0);
  assert.equal(batches.map((b) => b.size), [3, 3, 3, 1]);
  const seen = batches.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
  assert.equal(seen, Array.from({ length: N }, (_, i) => i));
  for (const b of batches) {
    assert.is(b.x1.length, b.size * views);
    assert.is(b.x2!.length, b.size * views);
    assert.ok(b.x1.every(Number.isFinite) && b.x2!.every(Number.isFinite), 'no padding read');
    b.indices.forEach((row, k) => assert.is(b.labels[k], row % 3));
  }
  assert.not.equal(seen, batches.flatMap((b) => Array.from(b.indices)), 'shuffled');
});

t('drop-last drops the remainder', async () => {
  const loader = make({ dropLast: true });
  assert.is(loader.batchesPerEpoch, 3);
  const batches = await collect(loader, 0);
  assert.equal(batches.map((b) => b.size), [3, 3, 3]);
  assert.is(new Set(batches.flatMap((b) => Array.from(b.indices))).size, 9);
  assert.is(new Loader(ds, { batchSize: 20, dropLast: true }).batchesPerEpoch, 0);
  assert.equal(await collect(new Loader(ds, { batchSize: 20, dropLast: true }), 0), []);
});

t('same seed, same batches; different epochs and seeds differ', async () => {
  const a = await collect(make(), 1);
  sameBatches(a, await collect(make(), 1));
  const b = await collect(make(), 2);
  assert.not.equal(a.map((x) => Array.from(x.indices)), b.map((x) => Array.from(x.indices)));
  const c = await collect(make({ seed: 6 }), 1);
  assert.not.equal(a.map((x) => Array.from(x.indices)), c.map((x) => Array.from(x.indices)));
  // unshuffled: same order every epoch, but each epoch's augmentation differs
  const u1 = await collect(make({ shuffle: false }), 0), u2 = await collect(make({ shuffle: false }), 1);
  assert.equal(u1.flatMap((x) => Array.from(x.indices)), Array.from({ length: N }, (_, i) => i));
  assert.equal(u1.map((x) => x.indices), u2.map((x) => x.indices));
  assert.not.ok(Buffer.from(u1[0].x1.buffer).equals(Buffer.from(u2[0].x1.buffer)));
});

t('a prefetched run equals an on-demand run bit for bit, whatever the timing', async () => {
  const onDemand = await collect(make({ prefetch: 0 }), 3);
  sameBatches(onDemand, await collect(make({ prefetch: 2 }), 3));
  sameBatches(onDemand, await collect(make({ prefetch: 3, chunk: 1 }), 3, 0, new Rng(1)));
  sameBatches(onDemand, await collect(make({ prefetch: 1, chunk: 2 }), 3, 2));
});

t('prefetch prepares ahead: a slow consumer never waits; stats count it', async () => {
  // 5 ms of CPU per sample, 15 ms per batch: on demand the consumer would wait ≥ 15 ms
  const slow = (s: { frames: number }) => { const end = performance.now() + 5; while (performance.now() < end); return [Float32Array.of(s.frames)]; };
  const loader = make({ prefetch: 2, transform: slow, shuffle: false, chunk: 1 });
  const it = loader.epoch(0);
  await it.next();
  await new Promise((r) => setTimeout(r, 60)); // the "GPU step"
  const t0 = performance.now();
  const second = await it.next();
  const waited = performance.now() - t0;
  assert.ok(waited < 10, `waited ${waited} ms for a prefetched batch`);
  assert.equal(Array.from((second.value as Batch).indices), [3, 4, 5]);
  await it.return(undefined);
  const s = loader.stats();
  assert.is(s.batches, 2);
  assert.ok(s.prepareMs >= 30 && s.waitMs >= 0, JSON.stringify(s)); // ≥ two batches prepared
  loader.resetStats();
  assert.equal(loader.stats(), { batches: 0, prepareMs: 0, waitMs: 0 });
});

t('eval transform: one deterministic view per sample, no x2', async () => {
  const [b] = await collect(new Loader(ds, { batchSize: 4, shuffle: false, transform: 'eval' }), 0);
  assert.is(b.x2, undefined);
  const want = evalView(ds.get(2), { T_in: T, V, M, T_out: 64 });
  assert.ok(Buffer.from(b.x1.buffer, 2 * views * 4, views * 4).equals(Buffer.from(want.buffer)));
  const tr = await collect(new Loader(ds, { batchSize: 4, transform: 'train-eval', T: 32 }), 0);
  assert.is(tr[0].x1.length, 4 * 3 * 32 * V * M);
  assert.is(tr[0].x2, undefined);
});

t('custom transforms, early break, close()', async () => {
  const loader = new Loader(ds, { batchSize: 4, shuffle: false, transform: (s) => [Float32Array.of(s.frames, s.label)] });
  const batches = await collect(loader, 0);
  assert.equal(Array.from(batches[0].x1), [20, 0, 25, 1, 30, 2, 35, 0]);
  // break after one batch: abandoned batches must not surface as unhandled rejections
  for await (const b of make({ prefetch: 3 }).epoch(0)) { assert.is(b.size, 3); break; }
  await new Promise((r) => setTimeout(r, 10));
  loader.close();
  await assert.not.throws(() => loader.stats());
  try {
    await loader.epoch(0).next();
    assert.unreachable('closed loader served a batch');
  } catch (e) {
    assert.match((e as Error).message, /after close/);
  }
  const bad = new Loader(ds, { batchSize: 2, transform: (s) => [new Float32Array(s.frames)] });
  try {
    await collect(bad, 0);
    assert.unreachable('mismatched view lengths accepted');
  } catch (e) {
    assert.match((e as Error).message, /transform gave/);
  }
});

t.run();
