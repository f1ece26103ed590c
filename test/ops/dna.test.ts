import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import { dnaAggregate, dnaFromCandidates, clusterLoss, dnaRef } from '../../src/ops/dna.js';
import { infoNCERef, normalizeRowsRef, queueSimRef } from '../../src/ops/contrastive.js';
import { topkRef } from '../../src/ops/topk.js';

const t = suite('ops/dna');
t.before(async () => { await engine(); });

/**
 * Keys (N, d) and a queue (d, K) of unit columns where row r has `planted[r]` columns close to its
 * key with similarities spread over ≈ [0.2, 0.95] — so at δ = 0.5 the neighbour count differs per
 * row (row with 0 plants: no neighbours).
 */
function scene(n: number, d: number, k: number, planted: number[], seed: number) {
  const keys = normalizeRowsRef(randn(n * d, seed), n, d);
  const cols = normalizeRowsRef(randn(k * d, seed + 1), k, d);  // (K, d)
  const noise = randn(k * d, seed + 2);
  let j = 0;
  planted.forEach((count, r) => {
    for (let i = 0; i < count && j < k; i++, j++) {
      const a = 0.3 + 2.5 * (i / Math.max(1, count - 1));  // weight of the key vs the noise
      const v = Array.from({ length: d }, (_, c) => a * keys[r * d + c] + 0.35 * noise[j * d + c]);
      const norm = Math.hypot(...v);
      v.forEach((x, c) => (cols[j * d + c] = x / norm));
    }
  });
  const queue = new Float64Array(d * k);
  for (let s = 0; s < k; s++) for (let c = 0; c < d; c++) queue[c * k + s] = cols[s * d + c];
  return { keys, queue };
}

async function check(n: number, d: number, k: number, planted: number[], kDna: number, delta: number, tauAgg = 0.1) {
  const { keys, queue } = scene(n, d, k, planted, 3);
  const want = dnaRef(keys, queue, n, d, k, kDna, delta, tauAgg);
  // the aggregation kernel alone (candidates from the reference), then the whole op (top-k on the GPU)
  const w = queueSimRef(keys, queue, n, d, k);
  const top = topkRef(w, k, kDna).mask;
  const parts = [
    tidy(() => dnaFromCandidates(Tensor.from(keys, [n, d]), Tensor.from(queue, [d, k]), Tensor.from(w, [n, k]), Tensor.from(top, [n, k]), delta, tauAgg)),
    tidy(() => dnaAggregate(Tensor.from(keys, [n, d]), Tensor.from(queue, [d, k]), { kDna, delta, tauAgg })),
  ];
  for (const got of parts) {
    assert.equal([...await got.mask.read()], [...want.mask], 'neighbour mask');
    assertClose(await got.c.read(), want.c, 1e-5, 'c');
    got.c.dispose(); got.mask.dispose();
  }
  const counts = Array.from({ length: n }, (_, r) => want.mask.slice(r * k, (r + 1) * k).reduce((a, b) => a + b, 0));
  return { counts, keys, c: want.c };
}

t('zero neighbours: c = k′ and an empty mask', async () => {
  const { counts, keys, c } = await check(3, 16, 50, [0, 0, 0], 16, 0.99);
  assert.equal(counts, [0, 0, 0]);
  assertClose(c, keys, 1e-12);
});

t('some neighbours: the count adapts per row (δ = 0.5, k_dna = 16)', async () => {
  const { counts } = await check(4, 16, 100, [20, 6, 0, 12], 16, 0.5);
  assert.ok(counts[2] === 0 && counts[0] > 0 && counts[1] > 0 && counts[3] > 0, `counts ${counts}`);
  assert.ok(new Set(counts).size >= 3, `counts should differ: ${counts}`);
  assert.ok(counts.every((x) => x <= 16));
});

t('all candidates above δ: exactly k_dna neighbours per row (K = 300, d = 128, N = 5)', async () => {
  const { counts } = await check(5, 128, 300, [30, 30, 30, 30, 30], 16, -2);
  assert.equal(counts, [16, 16, 16, 16, 16]);
});

t('k_dna above K takes every slot ≥ δ; k_dna = 1', async () => {
  const all = await check(2, 8, 7, [7, 0], 16, -2);
  assert.equal(all.counts, [7, 7]);
  const one = await check(3, 8, 40, [10, 10, 0], 1, 0.5);
  assert.equal(one.counts.slice(0, 2), [1, 1]);
});

t('cluster loss = InfoNCE(q′, c, Q′) with the neighbours masked out of the negatives', async () => {
  const n = 4, d = 16, k = 100;
  const { keys, queue } = scene(n, d, k, [20, 6, 0, 12], 3);
  const qc = normalizeRowsRef(randn(n * d, 9), n, d).map((v, i) => v + 0.5 * keys[i]);
  const ref = dnaRef(keys, queue, n, d, k, 16, 0.5, 0.1);
  const res = tidy(() => clusterLoss(Tensor.from(qc, [n, d]), Tensor.from(keys, [n, d]), Tensor.from(queue, [d, k]), { kDna: 16, delta: 0.5 }));
  const want = infoNCERef(qc, ref.c, queue, n, d, k, 0.07, ref.mask);
  assertClose([await res.loss.item()], [want], 1e-5);
  assert.ok(Math.abs(want - infoNCERef(qc, ref.c, queue, n, d, k, 0.07)) > 1e-3, 'the mask must change the loss');
});

t.run();
