/**
 * What the small-set readers share: strict parsing of whitespace-separated numeric text, and
 * packing variable-length sequences into a fixed-T (3, T, V, M) ArrayDataset.
 */
import { ArrayDataset } from './dataset.js';
import { FormatError, printable } from '../util/errors.js';

/** One recording before packing: xyz in (F, M, V, 3) order, as the text files store it. */
export interface Sequence {
  name: string;
  label: number;
  frames: number;
  xyz: Float32Array;
}

/** A file a reader could not use, and why; reported rather than fatal in a folder of many. */
export interface SkippedFile { file: string; reason: string }

/** A small set read whole: the dataset, its standard split and what was left out. */
export interface ReadSet {
  dataset: ArrayDataset;
  train: Int32Array;
  test: Int32Array;
  skipped: SkippedFile[];
  /** Per sequence, the group the split is drawn from (subject, view, …), for inspect. */
  groups?: number[];
}

/**
 * Parses text of `fields` numbers per line (blank lines ignored, CRLF tolerated); only the first
 * `keep` fields of each line are kept. Errors name the 1-based line and field.
 */
export function parseNumberLines(text: string, file: string, fields: number, keep = fields): { values: Float32Array; lines: number } {
  const rows = text.split('\n');
  const values = new Float32Array(rows.length * keep);
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const line = rows[i].trim();
    if (line === '') continue;
    const parts = line.split(/[\s,]+/);
    if (parts.length !== fields) throw new FormatError(file, `line ${i + 1}`, `expected ${fields} numbers, found ${parts.length}`);
    for (let k = 0; k < keep; k++) {
      // checked after the cast to float32: 1e39 is finite as a double and Infinity once stored
      const v = Math.fround(Number(parts[k]));
      if (!Number.isFinite(v)) throw new FormatError(file, `line ${i + 1}, field ${k + 1}`, `expected a finite number, found '${printable(parts[k], 30)}'`);
      values[n * keep + k] = v;
    }
    n++;
  }
  return { values: values.subarray(0, n * keep), lines: n };
}

/** Groups `lines` joint lines into frames of V joints; the count must divide exactly. */
export function framesFromJointLines(lines: number, V: number, file: string): number {
  if (lines === 0) throw new FormatError(file, 'line 1', `empty sequence: expected at least one frame of ${V} joint lines`);
  if (lines % V !== 0) throw new FormatError(file, `line ${lines}`, `${lines} joint lines is not a whole number of ${V}-joint frames (the last frame has ${lines % V} joints)`);
  return lines / V;
}

/**
 * Writes one sequence into a (3, T, V, M) sample. Longer sequences are subsampled uniformly
 * (keeping the whole motion, as the fixed-T pipelines of the literature do); shorter ones are
 * zero-padded. Returns the valid frame count.
 */
export function packInto(out: Float32Array, xyz: Float32Array, F: number, T: number, V: number, M: number): number {
  const used = Math.min(F, T);
  for (let t = 0; t < used; t++) {
    const src = F > T ? Math.floor((t * F) / T) : t;
    for (let m = 0; m < M; m++) {
      for (let v = 0; v < V; v++) {
        const s = ((src * M + m) * V + v) * 3;
        for (let c = 0; c < 3; c++) out[((c * T + t) * V + v) * M + m] = xyz[s + c];
      }
    }
  }
  return used;
}

/** Packs sequences into one ArrayDataset of fixed T (the longest, unless given). */
export function packSequences(seqs: Sequence[], V: number, M: number, numClasses: number, layout: string, T?: number): ArrayDataset {
  const frames = T ?? seqs.reduce((a, s) => Math.max(a, s.frames), 1);
  const per = 3 * frames * V * M;
  const data = new Float32Array(seqs.length * per);
  const counts = new Int32Array(seqs.length);
  const labels = new Int32Array(seqs.length);
  seqs.forEach((s, i) => {
    counts[i] = packInto(data.subarray(i * per, (i + 1) * per), s.xyz, s.frames, frames, V, M);
    labels[i] = s.label;
  });
  return new ArrayDataset(data, counts, labels, frames, V, M, numClasses, layout, seqs.map((s) => s.name));
}

export function rowsWhere(n: number, keep: (i: number) => boolean): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) out.push(i);
  return Int32Array.from(out);
}

/** The message of a per-file failure, for a skip report. */
export function reasonOf(e: unknown): string { return e instanceof Error ? e.message : String(e); }

/**
 * A dataset whose samples are parsed from their files on demand (raw NTU / PKU-MMD folders, too
 * big to hold): only names and labels live in memory.
 */
export class LazyDataset {
  readonly size: number;
  constructor(
    readonly names: string[], readonly labelArray: Int32Array,
    readonly T: number, readonly V: number, readonly M: number,
    readonly numClasses: number, readonly layout: string,
    private readonly load: (i: number) => { data: Float32Array; frames: number },
  ) { this.size = labelArray.length; }
  get(i: number): { data: Float32Array; frames: number; label: number; name: string } {
    const s = this.load(i);
    return { data: s.data, frames: s.frames, label: this.labelArray[i], name: this.names[i] };
  }
  labels(): Int32Array { return this.labelArray; }
}
