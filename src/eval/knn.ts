/**
 * k-NN evaluation on L2-normalised features (docs/method.md#knn): 1-NN by cosine similarity, and
 * k-NN (default 20) with similarity-weighted votes, weights exp(sim / τ) as in instance-
 * discrimination papers (τ = 0.1). Features are small (N × D on the CPU), so this stays in
 * plain TypeScript where every step is easy to check.
 */
export interface KnnResult { top1: number; knn: number; k: number }

export function l2NormalizeRows(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j] * inv;
  }
  return out;
}

/** Accuracy of 1-NN and weighted k-NN of test rows against train rows (features need not be normalised). */
export function knnEvaluate(
  train: Float32Array, trainLabels: Int32Array, test: Float32Array, testLabels: Int32Array, d: number,
  { k = 20, temperature = 0.1 }: { k?: number; temperature?: number } = {},
): KnnResult {
  const nTr = trainLabels.length, nTe = testLabels.length;
  const a = l2NormalizeRows(train, nTr, d), b = l2NormalizeRows(test, nTe, d);
  const numClasses = Math.max(...trainLabels, ...testLabels) + 1;
  const kk = Math.min(k, nTr);
  let hit1 = 0, hitK = 0;
  const sims = new Float64Array(nTr);
  const order = new Int32Array(nTr);
  for (let i = 0; i < nTe; i++) {
    for (let j = 0; j < nTr; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += b[i * d + c] * a[j * d + c];
      sims[j] = s;
      order[j] = j;
    }
    // ties → lower train index, so results do not depend on sort stability
    const sorted = Array.from(order).sort((p, q) => sims[q] - sims[p] || p - q);
    if (trainLabels[sorted[0]] === testLabels[i]) hit1++;
    const votes = new Float64Array(numClasses);
    for (let r = 0; r < kk; r++) votes[trainLabels[sorted[r]]] += Math.exp(sims[sorted[r]] / temperature);
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
    if (best === testLabels[i]) hitK++;
  }
  return { top1: hit1 / nTe, knn: hitK / nTe, k: kk };
}
