/**
 * Non-finite coordinates in the input are refused where they enter: a NaN or ±Inf would poison
 * BatchNorm's statistics and every weight it reaches. Each sample is checked the first time it
 * is read (a prepared NTU array is gigabytes: a scan at open would read it all once more); with
 * `skipBad` every split is scanned when the dataset is opened and the bad samples left out.
 */
import type { SkeletonDataset, Sample } from './dataset.js';
import { SubsetDataset } from './dataset.js';
import { FormatError, decoding } from '../util/errors.js';

/** Index of the first NaN/±Inf value, or −1. */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** "y of joint 4, frame 12, person 1" for flat index k of a (3, T, V, M) sample. */
function where(k: number, T: number, V: number, M: number): string {
  const m = k % M, v = Math.floor(k / M) % V, t = Math.floor(k / (M * V)) % T, c = Math.floor(k / (M * V * T));
  return `${'xyz'[c] ?? `channel ${c}`} of joint ${v + 1}, frame ${t + 1}, person ${m + 1}`;
}

/** Why sample `i` of `d` (its data given) is bad, or undefined when every value is finite. */
function problem(d: SkeletonDataset, s: Sample): string | undefined {
  const k = firstNonFinite(s.data);
  return k < 0 ? undefined : `${where(k, d.T, d.V, d.M)} is ${s.data[k]}`;
}

/** A dataset whose samples are checked for NaN/±Inf on their first read. */
export class FiniteCheckedDataset implements SkeletonDataset {
  readonly size: number; readonly T: number; readonly V: number; readonly M: number;
  readonly numClasses: number; readonly layout: string;
  private readonly ok: Uint8Array;
  /** `file` and `what` ('train sample', …) name the sample in the error. */
  constructor(readonly base: SkeletonDataset, readonly file: string, readonly what = 'sample') {
    this.size = base.size; this.T = base.T; this.V = base.V; this.M = base.M;
    this.numClasses = base.numClasses; this.layout = base.layout;
    this.ok = new Uint8Array(base.size);
  }
  get(i: number): Sample {
    const s = decoding(this.file, `${this.what} ${i}`, () => this.base.get(i));
    if (!this.ok[i]) {
      const bad = problem(this.base, s);
      if (bad) throw new FormatError(this.file, `${this.what} ${i}${s.name ? ` (${s.name})` : ''}`, `${bad}; --skip-bad leaves such samples out`);
      this.ok[i] = 1;
    }
    return s;
  }
  labels(): Int32Array { return this.base.labels(); }
}

/**
 * Every sample of `d` read once; the finite ones kept. Returns the dataset (itself when nothing
 * was bad) and a reason per sample left out.
 */
export function withoutBadSamples(d: SkeletonDataset, file: string, what = 'sample'): { dataset: SkeletonDataset; skipped: { file: string; reason: string }[] } {
  const keep: number[] = [], skipped: { file: string; reason: string }[] = [];
  for (let i = 0; i < d.size; i++) {
    const s = d.get(i);
    const bad = problem(d, s);
    if (bad) skipped.push({ file, reason: `${file}: ${what} ${i}${s.name ? ` (${s.name})` : ''}: ${bad} (skipped)` });
    else keep.push(i);
  }
  return { dataset: skipped.length ? new SubsetDataset(d, Int32Array.from(keep)) : d, skipped };
}

/**
 * Class labels as the engine indexes them: whole numbers in 0 … numClasses − 1 (an Int32Array
 * would wrap 2³¹ to a negative and a fraction to its floor silently). `numClasses` absent: any
 * whole number below 2³¹ − 1.
 */
export function checkLabels(labels: ArrayLike<number | bigint>, file: string, numClasses?: number): void {
  const top = numClasses ?? 2 ** 31 - 1;
  for (let i = 0; i < labels.length; i++) {
    const v = Number(labels[i]);
    if (!(Number.isInteger(v) && v >= 0 && v < top)) {
      throw new FormatError(file, `label ${i}`, `${String(labels[i])} is not a class index in 0 … ${top - 1}`);
    }
  }
}
