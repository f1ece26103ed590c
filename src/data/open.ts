/**
 * One entry point for every format a user brings: detects the format from the path and returns
 * the standard splits as SkeletonDatasets (large arrays are read by seeking, never whole).
 */
import { FiniteCheckedDataset, withoutBadSamples, checkLabels } from './finite.js';
import { existsSync, statSync, readFileSync } from 'node:fs';
import { join, basename } from 'node:path';
import type { SkeletonDataset, Sample } from './dataset.js';
import { SubsetDataset } from './dataset.js';
import { FormatError, UserError, decoding } from '../util/errors.js';
import { NpyFile, toNumbers } from './npy.js';
import { readLabelPickle } from './pickle.js';
import { readNpz } from './npz.js';
import { indexNtuFolder, isNtuFolder, ntuDataset, readNameList, type NtuBenchmark, isNtuTrain } from './ntu.js';
import { isPkuFolder, openPku } from './pku.js';
import { uclaDir, readUcla } from './ucla.js';
import { isMsrFolder, readMsr } from './msr.js';
import { isGtuFolder, readGtu } from './gtu.js';
import { readPyskl } from './pyskl.js';
import type { ReadSet, SkippedFile } from './sequences.js';
import { NormalizedDataset, normalizeInPlace } from './normalized.js';
import type { Normalization } from '../skeleton/normalize.js';

export const FORMATS = ['auto', 'npy', 'npz', 'ntu', 'pku', 'ucla', 'msr', 'gtu', 'pyskl'] as const;
export type DataFormat = (typeof FORMATS)[number];

export interface OpenOptions { frames?: number; benchmark?: string; missing?: string; strict?: boolean;
  /** leave samples with NaN/±Inf coordinates out (scanned at open) instead of stopping at the first */
  skipBad?: boolean;
  /** how to normalise the skeletons (default: the format's, DEFAULT_NORMALIZATION) */
  normalize?: Normalization }
export interface DatasetInfo { format: Exclude<DataFormat, 'auto'>; path: string; layout: string; benchmark?: string; skipped: SkippedFile[]; notes: string[];
  /** the normalisation the samples carry (applied now, at `prepare`, or by the NTU reader) */
  normalize: Normalization }

/**
 * Each format's default normalisation (docs/data.md says why). Raw NTU folders always get the
 * standard NTU preprocessing of their reader (per-frame centring and view alignment); arrays
 * from other pipelines are taken as they were preprocessed there.
 */
export const DEFAULT_NORMALIZATION: Record<Exclude<DataFormat, 'auto'>, Normalization> = {
  npy: 'none', npz: 'none', ntu: 'align-frame', pku: 'centre-first', ucla: 'centre-first', msr: 'centre-first', gtu: 'centre-first',
  // PYSKL's annotations come out of its own preprocessing (NTU: centred and aligned)
  pyskl: 'none',
};
export interface OpenedDataset { train?: SkeletonDataset; test?: SkeletonDataset; all: SkeletonDataset; info: DatasetInfo }

/** The project's own prepared-folder description (meta.json). */
export interface PreparedMeta { layout: string; numClasses: number; T: number; V: number; M: number; format: string; benchmark?: string;
  /** the normalisation `prepare` applied (absent in folders written before it existed: none) */
  normalize?: Normalization }

/** An (N, 3, T, V, M) float32 .npy read row by row, with labels and valid-frame counts. */
export class NpyDataset implements SkeletonDataset {
  readonly size: number; readonly T: number; readonly V: number; readonly M: number;
  constructor(readonly file: NpyFile, readonly labelArray: Int32Array, readonly numClasses: number, readonly layout: string,
    private readonly frameCounts?: Int32Array, readonly names?: string[]) {
    const s = file.shape;
    if (s.length !== 5 || s[1] !== 3) throw new FormatError(file.file, 'header', `expected shape (N, 3, T, V, M), found (${s.join(', ')})`);
    [this.size, , this.T, this.V, this.M] = s;
  }
  get(i: number): Sample {
    const data = this.file.readRowF32(i);
    return { data, frames: this.frameCounts ? this.frameCounts[i] : lastNonZeroFrame(data, this.T, this.V, this.M), label: this.labelArray[i], name: this.names?.[i] };
  }
  labels(): Int32Array { return this.labelArray; }
}

/** Valid frames of a zero-padded sample: one past the last frame with a non-zero coordinate. */
export function lastNonZeroFrame(data: Float32Array, T: number, V: number, M: number): number {
  for (let t = T - 1; t > 0; t--) for (let c = 0; c < 3; c++) {
    const base = (c * T + t) * V * M;
    for (let k = 0; k < V * M; k++) if (data[base + k] !== 0) return t + 1;
  }
  return 1;
}

/** Rows of several datasets of one shape, end to end (train + test as `all`). */
export class ConcatDataset implements SkeletonDataset {
  readonly size: number; readonly T: number; readonly V: number; readonly M: number; readonly numClasses: number; readonly layout: string;
  constructor(readonly parts: SkeletonDataset[]) {
    const a = parts[0];
    this.T = a.T; this.V = a.V; this.M = a.M; this.layout = a.layout;
    this.numClasses = Math.max(...parts.map((p) => p.numClasses));
    this.size = parts.reduce((n, p) => n + p.size, 0);
  }
  get(i: number): Sample {
    for (const p of this.parts) { if (i < p.size) return p.get(i); i -= p.size; }
    throw new RangeError(`row ${i} outside the dataset`);
  }
  labels(): Int32Array {
    const out = new Int32Array(this.size); let o = 0;
    for (const p of this.parts) { out.set(p.labels(), o); o += p.size; }
    return out;
  }
}

const DATA_NAMES = (s: string) => [`${s}_data_joint.npy`, `${s}_data.npy`, `${s}_position.npy`];
const SPLITS = [['train'], ['val', 'test']];

function guessLayout(V: number): string { return V === 25 ? 'ntu25' : V === 20 ? 'ucla20' : V === 17 ? 'coco17' : `v${V}`; }

/** One split of a folder of preprocessed arrays, or undefined when the folder has none. */
function openArraySplit(dir: string, prefixes: string[], meta?: PreparedMeta): NpyDataset | undefined {
  for (const prefix of prefixes) {
    const dataPath = DATA_NAMES(prefix).map((n) => join(dir, n)).find((p) => existsSync(p));
    if (!dataPath) continue;
    const npy = NpyFile.open(dataPath);
    if (npy.dtype !== '<f4') throw new FormatError(dataPath, 'header', `expected float32 ('<f4') skeleton data, found '${npy.dtype}'`);
    let labels: number[], names: string[] | undefined, labelPath: string;
    const pkl = join(dir, `${prefix}_label.pkl`), lnpy = join(dir, `${prefix}_label.npy`);
    if (existsSync(pkl)) { const l = readLabelPickle(pkl); labels = l.labels; names = l.names; labelPath = pkl; }
    else if (existsSync(lnpy)) {
      const f = NpyFile.open(lnpy);
      if (f.shape.length > 2 || (f.shape.length === 2 && f.shape[1] !== 1)) throw new FormatError(lnpy, 'header', `expected labels of shape (N,) or (N, 1), found (${f.shape.join(', ')})`);
      labels = toNumbers(f.readAll()); labelPath = lnpy; f.close();
    } else throw new UserError(`${dir}: ${basename(dataPath)} has no labels (expected ${prefix}_label.pkl or ${prefix}_label.npy)`);
    if (labels.length !== npy.rows) throw new FormatError(labelPath, 'top level', `${labels.length} labels but ${npy.rows} samples in ${dataPath}`);
    let frames: Int32Array | undefined;
    const nf = join(dir, `${prefix}_num_frame.npy`);
    if (existsSync(nf)) {
      const f = NpyFile.open(nf);
      frames = Int32Array.from(toNumbers(f.readAll())); f.close();
      if (frames.length !== npy.rows) throw new FormatError(nf, 'header', `${frames.length} frame counts but ${npy.rows} samples in ${dataPath}`);
    }
    checkLabels(labels, labelPath, meta?.numClasses);
    const numClasses = meta?.numClasses ?? labels.reduce((a, b) => Math.max(a, b), 0) + 1;
    return new NpyDataset(npy, Int32Array.from(labels), numClasses, meta?.layout ?? guessLayout(npy.shape[3]), frames, names);
  }
  return undefined;
}

/** What format a path holds, judged from names and the first bytes. */
export function detectFormat(path: string): Exclude<DataFormat, 'auto'> {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or folder`);
  if (statSync(path).isFile()) {
    if (path.endsWith('.npz')) return 'npz';
    if (/\.pkl$/i.test(path)) return 'pyskl';
    throw new UserError(`${path}: a single file is not a dataset (give the folder, an .npz, or a PYSKL .pkl)`);
  }
  if (existsSync(join(path, 'meta.json')) || SPLITS.flat().some((s) => DATA_NAMES(s).some((n) => existsSync(join(path, n))))) return 'npy';
  if (isNtuFolder(path)) return 'ntu';
  if (isGtuFolder(path)) return 'gtu';
  if (isMsrFolder(path)) return 'msr';
  if (uclaDir(path)) return 'ucla';
  if (isPkuFolder(path)) return 'pku';
  // any other folder of .json files: read as NW-UCLA by content, or refused naming a file and why
  if (uclaDir(path, true)) return 'ucla';
  throw new UserError(`${path}: unrecognised dataset folder (expected *_data_joint.npy arrays, an .npz, .skeleton files, gtu3d, MSR Action3D, NW-UCLA all_sqe or PKU-MMD)`);
}

function fromReadSet(r: ReadSet, format: DatasetInfo['format'], path: string, benchmark: string, normalize: Normalization): OpenedDataset {
  normalizeInPlace(r.dataset, normalize);
  return {
    all: r.dataset, train: new SubsetDataset(r.dataset, r.train), test: new SubsetDataset(r.dataset, r.test),
    info: { format, path, layout: r.dataset.layout, benchmark, skipped: r.skipped, notes: [], normalize },
  };
}

/** Wraps every split of an opened dataset so its samples are normalised on read. */
function normalizedOnRead(o: OpenedDataset, mode: Normalization): OpenedDataset {
  if (mode === 'none') return o;
  const wrap = (d?: SkeletonDataset) => d && new NormalizedDataset(d, mode);
  return { all: wrap(o.all)!, train: wrap(o.train), test: wrap(o.test), info: { ...o.info, normalize: mode } };
}

/**
 * Opens a dataset (see the formats in docs/data.md) with every sample checked for NaN/±Inf on
 * its first read, or, with `skipBad`, every split scanned now and its bad samples left out.
 */
export function openDataset(path: string, format: DataFormat = 'auto', opts: OpenOptions = {}): OpenedDataset {
  const o = decoding(path, 'structure', () => openUnchecked(path, format, opts));
  if (!opts.skipBad) {
    const wrap = (d: SkeletonDataset | undefined, what: string) => d && new FiniteCheckedDataset(d, path, what);
    return { ...o, all: wrap(o.all, 'sample')!, train: wrap(o.train, 'train sample'), test: wrap(o.test, 'test sample') };
  }
  const skipped = [...o.info.skipped];
  const clean = (d: SkeletonDataset | undefined, what: string) => {
    if (!d) return d;
    const r = withoutBadSamples(d, path, what);
    skipped.push(...r.skipped);
    return r.dataset;
  };
  const train = clean(o.train, 'train sample'), test = clean(o.test, 'test sample');
  // `all` is the splits together where there are splits; its own rows are scanned only without them
  const all = train && test ? new ConcatDataset([train, test]) : train ?? test ?? clean(o.all, 'sample')!;
  return { all, train, test, info: { ...o.info, skipped } };
}

function openUnchecked(path: string, format: DataFormat, opts: OpenOptions): OpenedDataset {
  if (opts.missing !== undefined && !existsSync(opts.missing)) throw new UserError(`--missing ${opts.missing}: no such file`);
  const fmt = format === 'auto' ? detectFormat(path) : format;
  const norm = opts.normalize ?? DEFAULT_NORMALIZATION[fmt];
  const small = { frames: opts.frames, strict: opts.strict };
  switch (fmt) {
    case 'npy': {
      const metaPath = join(path, 'meta.json');
      let meta: PreparedMeta | undefined;
      if (existsSync(metaPath)) {
        try { meta = JSON.parse(readFileSync(metaPath, 'utf-8')) as PreparedMeta; } catch (e) { throw new FormatError(metaPath, 'JSON', `malformed meta.json (${(e as Error).message})`); }
      }
      const train = openArraySplit(path, SPLITS[0], meta), test = openArraySplit(path, SPLITS[1], meta);
      if (!train && !test) throw new UserError(`${path}: no {train,val}_data_joint.npy (or train_data.npy / train_position.npy)`);
      const parts = [train, test].filter((d): d is NpyDataset => d !== undefined);
      const done = meta?.normalize ?? 'none';
      const opened: OpenedDataset = { train, test, all: parts.length === 1 ? parts[0] : new ConcatDataset(parts),
        info: { format: 'npy', path, layout: parts[0].layout, benchmark: meta?.benchmark, skipped: [], notes: [], normalize: done } };
      if (opts.normalize === undefined || opts.normalize === done) return opened;
      if (done !== 'none') throw new UserError(`--normalize ${opts.normalize}: ${path} was prepared with --normalize ${done}; prepare it again from the raw data to change it`);
      return normalizedOnRead(opened, opts.normalize);
    }
    case 'npz': {
      const { train, test } = readNpz(path);
      const parts = [train, test].filter((d): d is NonNullable<typeof d> => d !== undefined);
      return normalizedOnRead({ train, test, all: parts.length === 1 ? parts[0] : new ConcatDataset(parts),
        info: { format: 'npz', path, layout: 'ntu25', skipped: [], notes: [], normalize: 'none' } }, norm);
    }
    case 'ntu': {
      if (norm !== 'align-frame') throw new UserError(`--normalize ${norm}: raw NTU RGB+D folders always get the standard NTU preprocessing (align-frame: per-frame centring on SpineMid and view alignment)`);
      const benchmark = (opts.benchmark ?? 'xsub') as NtuBenchmark;
      if (!['xsub', 'xview', 'xset'].includes(benchmark)) throw new UserError(`--benchmark ${benchmark}: NTU benchmarks are xsub, xview, xset`);
      const index = indexNtuFolder(path, opts.missing ? readNameList(opts.missing) : undefined);
      const all = ntuDataset(index, opts.frames ?? 300);
      const train: number[] = [], test: number[] = [];
      index.ids.forEach((id, i) => (isNtuTrain(id, benchmark) ? train : test).push(i));
      const notes = index.excluded ? [`${index.excluded} samples excluded by ${opts.missing}`] : [];
      return { all, train: new SubsetDataset(all, Int32Array.from(train)), test: new SubsetDataset(all, Int32Array.from(test)),
        info: { format: 'ntu', path, layout: 'ntu25', benchmark, skipped: [], notes, normalize: 'align-frame' } };
    }
    case 'pku': {
      const benchmark = opts.benchmark ?? 'xsub';
      if (benchmark !== 'xsub' && benchmark !== 'xview') throw new UserError(`--benchmark ${benchmark}: PKU-MMD benchmarks are xsub, xview`);
      const p = openPku(path, { frames: opts.frames, benchmark });
      return normalizedOnRead({ all: p.all, train: p.train && new SubsetDataset(p.all, p.train), test: p.test && new SubsetDataset(p.all, p.test),
        info: { format: 'pku', path, layout: 'ntu25', benchmark, skipped: [], notes: p.splitFile ? [] : ['no split file found: no train/test split'], normalize: 'none' } }, norm);
    }
    case 'ucla': return fromReadSet(readUcla(path, small), 'ucla', path, 'xview', norm);
    case 'msr': return fromReadSet(readMsr(path, small), 'msr', path, 'xsub', norm);
    case 'pyskl': {
      const p = readPyskl(path, { benchmark: opts.benchmark, frames: opts.frames });
      const notes = p.benchmarks.length ? [`splits in the file: ${p.benchmarks.join(', ')}`] : ['no split in the file: no train/test split'];
      return normalizedOnRead({ all: p.all, train: p.train && new SubsetDataset(p.all, p.train), test: p.test && new SubsetDataset(p.all, p.test),
        info: { format: 'pyskl', path, layout: p.all.layout, benchmark: p.benchmark, skipped: [], notes, normalize: 'none' } }, norm);
    }
    case 'gtu': return fromReadSet(readGtu(path, small), 'gtu', path, 'holdout10', norm);
  }
}
