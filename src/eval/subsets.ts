/**
 * Labelled subsets for semi-supervised evaluation (docs/method.md#evaluation): a class-stratified random
 * fraction of the training set. Each class gets its share of round(fraction·N) rows by largest
 * remainder, at least one row per class whenever the subset has room for every class (1% of a
 * small set would otherwise drop rare classes entirely and the number would mean little); when
 * it has fewer rows than classes, the classes that get a row are drawn at random. The same
 * (labels, fraction, seed) always gives the same rows.
 */
import { Rng } from '../util/random.js';

const SUBSET_STREAM = 0x5b5e7;

/** Rows (ascending) of a class-stratified random subset holding round(fraction·N) labelled rows. */
export function labelSubset(labels: Int32Array, fraction: number, seed: number): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`label fraction must be in (0, 1], got ${fraction}`);
  const byClass = rowsByClass(labels);
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const labelled = classes.reduce((s, c) => s + byClass.get(c)!.length, 0);
  if (labelled === 0) return new Int32Array(0);
  const n = Math.min(labelled, Math.max(1, Math.round(fraction * labelled)));
  const rng = Rng.derive(seed, SUBSET_STREAM);
  const take = quotas(classes.map((c) => byClass.get(c)!.length), n, rng);
  const out: number[] = [];
  classes.forEach((c, i) => {
    const rows = Int32Array.from(byClass.get(c)!);
    const pick = Rng.derive(seed, SUBSET_STREAM, c).shuffle(rows);
    for (let k = 0; k < take[i]; k++) out.push(pick[k]);
  });
  return Int32Array.from(out).sort();
}

/**
 * How many rows each class gets: proportional shares q_c = n·N_c/N, floored, raised to 1 when
 * n ≥ classes, then corrected one row at a time towards the shares (largest gap first, lower
 * class on ties) until the total is exactly n. Never more than a class holds.
 */
export function quotas(counts: number[], n: number, rng: Rng): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  const C = counts.length;
  if (n < C) {
    // fewer rows than classes: one row for each of n random classes
    const out = new Array<number>(C).fill(0);
    for (const i of rng.choose(C, n)) out[i] = 1;
    return out;
  }
  const share = counts.map((k) => (n * k) / total);
  const base = share.map((q, i) => Math.min(counts[i], Math.max(1, Math.floor(q))));
  let sum = base.reduce((a, b) => a + b, 0);
  while (sum > n) {
    let best = -1;
    for (let i = 0; i < C; i++) if (base[i] > 1 && (best < 0 || base[i] - share[i] > base[best] - share[best])) best = i;
    base[best]--; sum--;
  }
  while (sum < n) {
    let best = -1;
    for (let i = 0; i < C; i++) if (base[i] < counts[i] && (best < 0 || share[i] - base[i] > share[best] - base[best])) best = i;
    base[best]++; sum++;
  }
  return base;
}

export interface Coverage {
  rows: number;             // rows in the subset
  classes: number;          // classes present in the full labelled set
  covered: number;          // classes with at least one row in the subset
  missing: number[];        // classes with none
  perClass: Record<number, number>;
  minPerClass: number; maxPerClass: number;
}

/** Which classes a subset covers and how many rows each has. */
export function subsetCoverage(labels: Int32Array, rows: Int32Array): Coverage {
  const present = [...rowsByClass(labels).keys()].sort((a, b) => a - b);
  const perClass: Record<number, number> = {};
  for (const c of present) perClass[c] = 0;
  for (const r of rows) if (labels[r] >= 0) perClass[labels[r]]++;
  const counts = present.map((c) => perClass[c]);
  return {
    rows: rows.length, classes: present.length, covered: counts.filter((k) => k > 0).length,
    missing: present.filter((c) => perClass[c] === 0), perClass,
    minPerClass: counts.length ? Math.min(...counts) : 0, maxPerClass: counts.length ? Math.max(...counts) : 0,
  };
}

export function describeCoverage(c: Coverage): string {
  const miss = c.missing.length ? `; no sample of class ${c.missing.slice(0, 10).join(', ')}${c.missing.length > 10 ? ', …' : ''}` : '';
  return `${c.rows} labelled samples, ${c.covered}/${c.classes} classes covered (${c.minPerClass}–${c.maxPerClass} per class)${miss}`;
}

function rowsByClass(labels: Int32Array): Map<number, number[]> {
  const m = new Map<number, number[]>();
  labels.forEach((y, i) => {
    if (y < 0) return;   // unlabelled rows never enter a labelled subset
    let list = m.get(y);
    if (!list) m.set(y, (list = []));
    list.push(i);
  });
  return m;
}
