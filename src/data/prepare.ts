/**
 * Converts any readable format into the project's prepared folder, one sample at a time so memory
 * stays bounded however large the input:
 *   {train,val}_data_joint.npy (float32 N,3,T,V,M) · {train,val}_num_frame.npy (int64 N)
 *   {train,val}_label.pkl (protocol 4) · meta.json {layout, numClasses, T, V, M, format, benchmark, normalize}
 */
import { join } from 'node:path';
import type { SkeletonDataset } from './dataset.js';
import { UserError, FormatError } from '../util/errors.js';
import { NpyStreamWriter } from './npy.js';
import { writeLabelPickle } from './pickle.js';
import { openDataset, type DataFormat, type PreparedMeta } from './open.js';
import { reasonOf, type SkippedFile } from './sequences.js';
import { Progress } from '../util/progress.js';
import { makeOutputDir, writeFileAtomic } from '../util/atomic.js';
import type { Normalization } from '../skeleton/normalize.js';

export interface PrepareOptions {
  format: DataFormat; input: string; out: string;
  benchmark?: string; frames?: number; missing?: string; strict?: boolean;
  skipBad?: boolean;              // leave samples with NaN/Inf out (else each is a malformed sample: skipped, or fatal with strict)
  normalize?: Normalization;      // default: the format's (DEFAULT_NORMALIZATION), recorded in meta.json
  progress?: boolean; // a \r progress line on stderr
}
export interface PrepareResult { meta: PreparedMeta; counts: { train: number; val: number }; skipped: SkippedFile[] }

/** Writes one split; a sample whose file is malformed is skipped (or fatal with strict). */
function writeSplit(ds: SkeletonDataset, out: string, split: string, opts: PrepareOptions, skipped: SkippedFile[]): number {
  const rowShape = [3, ds.T, ds.V, ds.M];
  const data = new NpyStreamWriter(join(out, `${split}_data_joint.npy`), '<f4', rowShape, ds.size);
  const names: string[] = [], labels: number[] = [], frames: number[] = [];
  const progress = opts.progress ? new Progress(ds.size, `prepare ${split}`, { item: 'seq', rateUnit: 'seq/s' }) : undefined;
  try {
    for (let i = 0; i < ds.size; i++) {
      let s;
      try { s = ds.get(i); } catch (e) {
        if (opts.strict || !(e instanceof FormatError)) throw e;
        skipped.push({ file: e.file, reason: reasonOf(e) });
        continue;
      }
      data.append(s.data);
      names.push(s.name ?? `${split}_${i}`);
      labels.push(s.label);
      frames.push(s.frames);
      progress?.update(i + 1);
    }
  } finally { data.close(); progress?.done(); }
  const nf = new NpyStreamWriter(join(out, `${split}_num_frame.npy`), '<i8', [], frames.length);
  nf.append(frames); nf.close();
  writeLabelPickle(join(out, `${split}_label.pkl`), names, labels, 4);
  return labels.length;
}

export function prepareDataset(opts: PrepareOptions): PrepareResult {
  const opened = openDataset(opts.input, opts.format, { frames: opts.frames, benchmark: opts.benchmark, missing: opts.missing, strict: opts.strict, normalize: opts.normalize, skipBad: opts.skipBad });
  const { train, test, all, info } = opened;
  if (opts.frames !== undefined && all.T !== opts.frames && (info.format === 'npy' || info.format === 'npz')) {
    throw new UserError(`--frames ${opts.frames}: ${opts.input} is already fixed at T=${all.T}; resampling preprocessed arrays is not supported`);
  }
  makeOutputDir(opts.out, 'output');
  const skipped: SkippedFile[] = [...info.skipped];
  const counts = { train: 0, val: 0 };
  if (train || test) {
    if (train) counts.train = writeSplit(train, opts.out, 'train', opts, skipped);
    if (test) counts.val = writeSplit(test, opts.out, 'val', opts, skipped);
  } else counts.train = writeSplit(all, opts.out, 'train', opts, skipped);
  // a folder without samples is no dataset: no meta.json, and the command fails
  if (counts.train + counts.val === 0) throw new UserError(`${opts.input}: no samples were written to ${opts.out}${skipped.length ? ` (${skipped.length} skipped, e.g. ${skipped[0].reason})` : ''}`);
  const meta: PreparedMeta = { layout: all.layout, numClasses: all.numClasses, T: all.T, V: all.V, M: all.M, format: info.format, benchmark: info.benchmark, normalize: info.normalize };
  writeFileAtomic(join(opts.out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n', 'writing meta.json');
  return { meta, counts, skipped };
}
