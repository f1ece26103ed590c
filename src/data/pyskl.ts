/**
 * PYSKL / MMAction2 skeleton annotations: one pickle of
 *   {split: {name: [frame_dir, …]}, annotations: [{frame_dir, label, total_frames,
 *    keypoint (M, T, V, C) float, keypoint_score (M, T, V)?, …}, …]}
 * — NTU-60/120 3D (`ntu60_3danno.pkl`), 2D HRNet keypoints, Kinetics-skeleton, FineGYM as PYSKL
 * distributes them. Read with the safe pickle interpreter of src/data/pickle.ts under a profile
 * that allows exactly what numpy arrays pickle to (numpy's `_reconstruct`, `ndarray`, `dtype`,
 * and `_codecs.encode` for protocol 2's byte strings): arrays are decoded from their raw bytes,
 * nothing is imported or called.
 *
 * Samples are packed to (3, T, V, M) on read (the annotation arrays stay as loaded): T is the
 * longest sequence (or `frames`), longer ones are subsampled uniformly, M is the largest person
 * count. 2D keypoints (C = 2) get the keypoint score as third channel (0 without scores), as
 * PYSKL's GCN pipelines feed them. The joints must fit a built-in layout (25: ntu25, 20: ucla20,
 * 17: coco17, the COCO keypoints of 2D estimators); any other count is refused naming them. The split is the file's:
 * `<benchmark>_train` / `<benchmark>_val` (xsub, xview, xset …, default the first it has).
 */
import { readFileSync } from 'node:fs';
import { unpickle, PickleGlobal, PickleObject, type PickleProfile, type PickleValue } from './pickle.js';
import { FormatError, UserError } from '../util/errors.js';
import type { SkeletonDataset, Sample } from './dataset.js';
import { layoutNames, getLayout } from '../skeleton/layouts.js';

class Dtype extends PickleObject { order = '<'; constructor(readonly code: string) { super(); } }
class NdArray extends PickleObject { shape: number[] = []; dtype?: Dtype; raw?: Uint8Array }

const RECONSTRUCT = ['numpy.core.multiarray _reconstruct', 'numpy._core.multiarray _reconstruct'];

/** What a PYSKL annotation pickle may build: numpy arrays and dtypes, protocol 2's latin-1 bytes. */
export const pysklProfile: PickleProfile = {
  what: 'a PYSKL annotation file',
  globals: new Set([...RECONSTRUCT, 'numpy ndarray', 'numpy dtype', '_codecs encode',
    'numpy.core.multiarray scalar', 'numpy._core.multiarray scalar']),
  reduce(fn, a, fail) {
    if (RECONSTRUCT.includes(fn)) {
      if (!(a[0] instanceof PickleGlobal) || a[0].name !== 'numpy ndarray') fail('_reconstruct builds numpy arrays only');
      return new NdArray();
    }
    if (fn === 'numpy dtype') {
      if (typeof a[0] !== 'string') fail('numpy.dtype expects a type code string');
      return new Dtype(a[0] as string);
    }
    if (fn === '_codecs encode') {
      if (typeof a[0] !== 'string' || a[1] !== 'latin1') fail('_codecs.encode is allowed for latin1 byte strings only');
      return Uint8Array.from(a[0] as string, (ch) => ch.charCodeAt(0));
    }
    // a numpy scalar (a label saved as np.int64): decoded by its dtype
    const [dt, raw] = a;
    if (!(dt instanceof Dtype) || !(raw instanceof Uint8Array)) fail('numpy scalar expects (dtype, bytes)');
    return decode(dt as Dtype, raw as Uint8Array, fail)[0];
  },
  build(obj, state, fail) {
    if (obj instanceof Dtype && Array.isArray(state)) {
      if (typeof state[1] === 'string') obj.order = state[1];
      return;
    }
    if (!(obj instanceof NdArray) || !Array.isArray(state) || state.length !== 5) fail('BUILD is allowed on numpy arrays and dtypes only');
    const [, shape, dtype, fortran, raw] = state as PickleValue[];
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number')) fail('numpy array shape is not a tuple of sizes');
    if (!(dtype instanceof Dtype)) fail('numpy array without a dtype');
    if (fortran === true) fail('Fortran-ordered numpy arrays are not supported');
    if (!(raw instanceof Uint8Array)) fail('numpy array data is not raw bytes (object arrays are not supported)');
    const a = obj as NdArray;
    a.shape = shape as number[]; a.dtype = dtype as Dtype; a.raw = raw as Uint8Array;
  },
};

/** IEEE half → number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The values of raw little-endian numpy data of a number dtype, as float32. */
function decode(dt: Dtype, raw: Uint8Array, fail: (w: string) => never): Float32Array {
  if (dt.order === '>') fail(`big-endian numpy data (dtype ${dt.code}) is not supported`);
  const code = dt.code.replace(/^[<=|]/, '');
  const size: Record<string, number> = { f2: 2, f4: 4, f8: 8, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, i8: 8, u8: 8, b1: 1 };
  if (!(code in size)) fail(`numpy dtype '${dt.code}' is not a number type`);
  const n = raw.length / size[code];
  if (!Number.isInteger(n)) fail(`${raw.length} bytes is not a whole number of ${code} values`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * size[code];
    out[i] = code === 'f4' ? v.getFloat32(o, true) : code === 'f2' ? half(v.getUint16(o, true)) : code === 'f8' ? v.getFloat64(o, true)
      : code === 'i8' ? Number(v.getBigInt64(o, true)) : code === 'u8' ? Number(v.getBigUint64(o, true))
        : code === 'i4' ? v.getInt32(o, true) : code === 'u4' ? v.getUint32(o, true) : code === 'i2' ? v.getInt16(o, true)
          : code === 'u2' ? v.getUint16(o, true) : code === 'i1' ? v.getInt8(o) : v.getUint8(o);
  }
  return out;
}


interface Annotation { name: string; label: number; M: number; T: number; C: number; keypoint: Float32Array; score?: Float32Array }

class PysklDataset implements SkeletonDataset {
  readonly size: number;
  private readonly labelArray: Int32Array;
  constructor(private readonly anns: Annotation[], readonly T: number, readonly V: number, readonly M: number, readonly numClasses: number, readonly layout: string) {
    this.size = anns.length;
    this.labelArray = Int32Array.from(anns, (a) => a.label);
  }
  labels(): Int32Array { return this.labelArray; }
  /** (M, F, V, C) → (3, T, V, M): frames subsampled uniformly when longer than T, zero-padded otherwise. */
  get(i: number): Sample {
    const a = this.anns[i], { T, V, M } = this;
    const out = new Float32Array(3 * T * V * M);
    const used = Math.min(a.T, T);
    for (let t = 0; t < used; t++) {
      const src = a.T > T ? Math.floor((t * a.T) / T) : t;
      for (let m = 0; m < a.M; m++) for (let v = 0; v < V; v++) {
        const k = ((m * a.T + src) * V + v);
        for (let c = 0; c < 3; c++) {
          const x = c < a.C ? a.keypoint[k * a.C + c] : (a.score ? a.score[k] : 0);
          out[((c * T + t) * V + v) * M + m] = x;
        }
      }
    }
    return { data: out, frames: used, label: a.label, name: a.name };
  }
}

const field = (m: Map<PickleValue, PickleValue>, key: string): PickleValue | undefined => m.get(key);

/** Reads a PYSKL annotation pickle: every annotation, the file's splits, and the chosen benchmark's rows. */
export function readPyskl(path: string, opts: { benchmark?: string; frames?: number } = {}): { all: SkeletonDataset; train?: Int32Array; test?: Int32Array; benchmark?: string; benchmarks: string[] } {
  const top = unpickle(readFileSync(path), path, pysklProfile);
  if (!(top instanceof Map)) throw new FormatError(path, 'top level', 'expected a dict with "split" and "annotations" (PYSKL / MMAction2 format)');
  const list = field(top, 'annotations');
  if (!Array.isArray(list)) throw new FormatError(path, 'annotations', 'expected a list of annotation dicts');
  if (list.length === 0) throw new FormatError(path, 'annotations', 'empty: no sequences');
  let V = -1;
  const anns: Annotation[] = list.map((item, i) => {
    const where = `annotations[${i}]`;
    if (!(item instanceof Map)) throw new FormatError(path, where, 'expected a dict');
    const name = String(field(item, 'frame_dir') ?? `#${i}`);
    const label = field(item, 'label');
    if (typeof label !== 'number' || !Number.isInteger(label) || label < 0) throw new FormatError(path, `${where} (${name}).label`, `expected a class index ≥ 0, found ${String(label)}`);
    const kp = field(item, 'keypoint');
    if (!(kp instanceof NdArray) || kp.shape.length !== 4) throw new FormatError(path, `${where} (${name}).keypoint`, 'expected a numpy array (M, T, V, C)');
    const [M, T, v, C] = kp.shape;
    if (C !== 2 && C !== 3) throw new FormatError(path, `${where} (${name}).keypoint`, `expected 2 or 3 coordinates, found ${C}`);
    if (V >= 0 && v !== V) throw new FormatError(path, `${where} (${name}).keypoint`, `${v} joints, the earlier annotations have ${V}`);
    V = v;
    const fail = (w: string): never => { throw new FormatError(path, `${where} (${name}).keypoint`, w); };
    const keypoint = decode(kp.dtype!, kp.raw!, fail);
    if (keypoint.length !== M * T * v * C) fail(`${keypoint.length} values for shape (${kp.shape.join(', ')})`);
    const sc = field(item, 'keypoint_score');
    const score = sc instanceof NdArray ? decode(sc.dtype!, sc.raw!, fail) : undefined;
    return { name, label, M, T, C, keypoint, score };
  });
  const layout = layoutNames().find((n) => getLayout(n).V === V && n !== 'msr20');
  if (!layout) throw new UserError(`${path}: ${V}-joint keypoints have no built-in skeleton layout (the layouts are ${layoutNames().map((n) => `${n} (${getLayout(n).V})`).join(', ')})`);
  const T = opts.frames ?? Math.max(...anns.map((a) => a.T));
  const M = Math.max(...anns.map((a) => a.M));
  const numClasses = Math.max(...anns.map((a) => a.label)) + 1;
  const all = new PysklDataset(anns, T, V, M, numClasses, layout);
  // the split: name lists per <benchmark>_train / _val
  const split = field(top, 'split');
  const lists = split instanceof Map ? new Map([...split].filter(([k, v]) => typeof k === 'string' && Array.isArray(v)) as [string, PickleValue[]][]) : new Map<string, PickleValue[]>();
  const benchmarks = [...new Set([...lists.keys()].filter((k) => /_(train|val|test)$/.test(k)).map((k) => k.replace(/_(train|val|test)$/, '')))];
  if (!benchmarks.length) {
    if (opts.benchmark) throw new UserError(`--benchmark ${opts.benchmark}: ${path} has no split`);
    return { all, benchmarks };
  }
  const benchmark = opts.benchmark ?? benchmarks[0];
  if (!benchmarks.includes(benchmark)) throw new UserError(`--benchmark ${benchmark}: ${path} has the splits ${benchmarks.join(', ')}`);
  const index = new Map(anns.map((a, i) => [a.name, i]));
  const rows = (names: PickleValue[] | undefined) => Int32Array.from((names ?? []).map((n) => index.get(String(n))).filter((i): i is number => i !== undefined));
  return { all, benchmark, benchmarks, train: rows(lists.get(`${benchmark}_train`)), test: rows(lists.get(`${benchmark}_val`) ?? lists.get(`${benchmark}_test`)) };
}
