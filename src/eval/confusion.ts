/**
 * Confusion matrices of a classifier's test predictions: counts (true class × predicted class),
 * per-class recall and the pairs most often confused — what the report draws and lists.
 */
export interface Confusion {
  classes: number;
  counts: Int32Array;       // (classes, classes), row = true class, column = predicted class
  perClass: number[];       // recall of each class (NaN for a class with no test sample)
  accuracy: number;
}

export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes?: number): Confusion {
  if (labels.length !== predictions.length) throw new Error(`confusion: ${labels.length} labels but ${predictions.length} predictions`);
  let C = classes ?? 0;
  for (let i = 0; i < labels.length; i++) C = Math.max(C, labels[i] + 1, predictions[i] + 1);
  const counts = new Int32Array(C * C);
  let hit = 0, n = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i], p = predictions[i];
    if (y < 0 || p < 0) continue;
    counts[y * C + p]++;
    n++;
    if (y === p) hit++;
  }
  const perClass = Array.from({ length: C }, (_, c) => {
    let row = 0;
    for (let j = 0; j < C; j++) row += counts[c * C + j];
    return row ? counts[c * C + c] / row : NaN;
  });
  return { classes: C, counts, perClass, accuracy: n ? hit / n : NaN };
}

/** The `limit` largest off-diagonal cells: (true, predicted, count), most frequent first. */
export function topConfusions(m: Confusion, limit = 10): { truth: number; predicted: number; count: number }[] {
  const out: { truth: number; predicted: number; count: number }[] = [];
  for (let y = 0; y < m.classes; y++) for (let p = 0; p < m.classes; p++) {
    const k = m.counts[y * m.classes + p];
    if (y !== p && k > 0) out.push({ truth: y, predicted: p, count: k });
  }
  out.sort((a, b) => b.count - a.count || a.truth - b.truth || a.predicted - b.predicted);
  return out.slice(0, limit);
}
