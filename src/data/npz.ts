/**
 * `.npz` archives (CTR-GCN's NTU60_CS.npz): a zip of .npy entries. Stored entries are read by
 * seeking inside the zip; deflated ones are inflated into memory (Node's limit then applies).
 */
import { inflateRawSync } from 'node:zlib';
import type { SkeletonDataset, Sample } from './dataset.js';
import { FormatError, UserError, printable, decoding } from '../util/errors.js';
import { FileRegion, MemorySource, NpyFile, toNumbers } from './npy.js';
import { checkLabels } from './finite.js';

/** More classes than any skeleton benchmark has: a label or one-hot width past it is a corrupt file. */
const MAX_CLASSES = 65536;

export interface ZipEntry { name: string; method: number; compressedSize: number; size: number; localHeader: number }

/** Reads the central directory (zip64 aware: numpy writes large members with zip64 sizes). */
export function listZip(src: FileRegion, file: string): ZipEntry[] {
  const tailLen = Math.min(src.length, 65557);
  const tail = src.read(src.length - tailLen, tailLen);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new FormatError(file, `byte ${src.length}`, 'not a zip/.npz archive (no end-of-central-directory record)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === 0x07064b50) {
    const z64 = Number(tv.getBigUint64(eocd - 12, true));
    if (z64 + 56 > src.length) throw new FormatError(file, `byte ${eocd}`, `zip64 end-of-central-directory offset ${z64} is past the end of the file`);
    const rec = src.read(z64, 56);
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rv.getUint32(0, true) !== 0x06064b50) throw new FormatError(file, `byte ${z64}`, 'bad zip64 end-of-central-directory record');
    count = Number(rv.getBigUint64(32, true));
    cdSize = Number(rv.getBigUint64(40, true));
    cdOffset = Number(rv.getBigUint64(48, true));
  }
  if (cdOffset + cdSize > src.length) throw new FormatError(file, `byte ${src.length}`, `zip central directory (bytes ${cdOffset}…${cdOffset + cdSize}) runs past the end of the file`);
  const cd = src.read(cdOffset, cdSize);
  if (cd.length < cdSize) throw new FormatError(file, `byte ${cdOffset}`, 'truncated zip central directory');
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const out: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== 0x02014b50) throw new FormatError(file, `byte ${cdOffset + p}`, `bad zip central directory entry ${k}`);
    const method = v.getUint16(p + 10, true);
    let compressedSize = v.getUint32(p + 20, true);
    let size = v.getUint32(p + 24, true);
    const nameLen = v.getUint16(p + 28, true), extraLen = v.getUint16(p + 30, true), commentLen = v.getUint16(p + 32, true);
    let localHeader = v.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new FormatError(file, `byte ${cdOffset + p}`, `zip central directory entry ${k} runs past the directory`);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
    // zip64 extra field: the 8-byte values appear in order for the fields that were 0xFFFFFFFF.
    let e = p + 46 + nameLen;
    const end = e + extraLen;
    while (e + 4 <= end) {
      const id = v.getUint16(e, true), len = v.getUint16(e + 2, true);
      if (e + 4 + len > end) throw new FormatError(file, `byte ${cdOffset + e}`, `zip extra field of entry ${k} runs past the entry`);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) { size = Number(v.getBigUint64(q, true)); q += 8; }
        if (compressedSize === 0xffffffff) { compressedSize = Number(v.getBigUint64(q, true)); q += 8; }
        if (localHeader === 0xffffffff) { localHeader = Number(v.getBigUint64(q, true)); q += 8; }
        if (q > e + 4 + len) throw new FormatError(file, `byte ${cdOffset + e}`, `zip64 extra field of entry ${k} is shorter than the sizes it stands for`);
      }
      e += 4 + len;
    }
    out.push({ name, method, compressedSize, size, localHeader });
    p = end + commentLen;
  }
  return out;
}

/** Opens every .npy member of an .npz by name (without the .npy suffix). */
export function openNpz(path: string): Map<string, NpyFile> {
  const src = new FileRegion(path);
  try {
    const members = new Map<string, NpyFile>();
    for (const e of listZip(src, path)) {
      if (!e.name.endsWith('.npy')) continue;
      const lh = src.read(e.localHeader, 30);
      const lv = new DataView(lh.buffer, lh.byteOffset, lh.byteLength);
      if (lh.length < 30 || lv.getUint32(0, true) !== 0x04034b50) throw new FormatError(path, `byte ${e.localHeader}`, `bad zip local header for ${e.name}`);
      const dataStart = e.localHeader + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
      const where = `${path}:${printable(e.name)}`;
      if (dataStart + e.compressedSize > src.length) throw new FormatError(path, `byte ${e.localHeader}`, `${printable(e.name)}: ${e.compressedSize} bytes of data from byte ${dataStart} run past the end of the ${src.length}-byte file`);
      // the stated size must be exactly what the member's .npy header describes: a larger one would read the zip's own records as data
      if (e.method === 0) {
        if (e.compressedSize !== e.size) throw new FormatError(path, `byte ${e.localHeader}`, `${printable(e.name)}: a stored member with compressed size ${e.compressedSize} but size ${e.size}`);
        members.set(e.name.slice(0, -4), new NpyFile(new FileRegion(path, dataStart, e.size), where, true));
      } else if (e.method === 8) {
        if (e.size > 2 ** 31) throw new UserError(`${where}: a compressed member of ${e.size} bytes is too large to inflate in memory; re-save with np.savez (not savez_compressed) so it can be read by seeking`);
        // capped at the stated size (+1 to see a lie): a zip bomb stops there instead of filling memory
        let raw: Buffer;
        try { raw = inflateRawSync(src.read(dataStart, e.compressedSize), { maxOutputLength: e.size + 1 }); } catch (err) {
          const code = (err as { code?: string }).code;
          throw new FormatError(path, `byte ${dataStart}`, code === 'ERR_BUFFER_TOO_LARGE' ? `${printable(e.name)} inflates past its stated size of ${e.size} bytes` : `${printable(e.name)}: corrupt deflate stream (${printable((err as Error).message)})`);
        }
        if (raw.length !== e.size) throw new FormatError(path, `byte ${dataStart}`, `${printable(e.name)} inflates to ${raw.length} bytes, not its stated ${e.size}`);
        members.set(e.name.slice(0, -4), new NpyFile(new MemorySource(raw), where, true));
      } else throw new FormatError(path, `byte ${e.localHeader}`, `${printable(e.name)}: zip compression method ${e.method} is not supported (expected stored or deflate)`);
    }
    return members;
  } finally { src.close(); }
}

/** x (N, T, 150 = 2 bodies × 25 joints × xyz) with one-hot y, read row by row into (3, T, 25, 2). */
export class NpzSkeletonDataset implements SkeletonDataset {
  readonly size: number; readonly T: number; readonly V = 25; readonly M = 2;
  readonly numClasses: number; readonly layout = 'ntu25';
  private readonly labelArray: Int32Array;
  constructor(private readonly x: NpyFile, y: NpyFile, file: string, xName: string, yName: string) {
    if (x.shape.length !== 3 || x.shape[2] !== 150) throw new FormatError(file, xName, `expected shape (N, T, 150), found (${x.shape.join(', ')})`);
    this.size = x.shape[0]; this.T = x.shape[1];
    const ys = y.shape;
    if (ys[0] !== this.size) throw new FormatError(file, `${xName} / ${yName}`, `${this.size} samples in ${xName} but ${ys[0]} labels in ${yName}`);
    const yv = toNumbers(y.readAll());
    if (ys.length === 2) {
      if (ys[1] < 1 || ys[1] > MAX_CLASSES) throw new FormatError(file, yName, `one-hot labels of ${ys[1]} classes (expected 1 … ${MAX_CLASSES})`);
      this.numClasses = ys[1];
      this.labelArray = new Int32Array(this.size);
      for (let i = 0; i < this.size; i++) {
        let best = 0;
        for (let k = 0; k < ys[1]; k++) {
          const v = yv[i * ys[1] + k];
          if (!Number.isFinite(v)) throw new FormatError(file, `${yName} row ${i}`, `value ${v} in a one-hot row`);
          if (v > yv[i * ys[1] + best]) best = k;
        }
        if (!(yv[i * ys[1] + best] > 0)) throw new FormatError(file, `${yName} row ${i}`, 'a one-hot row with no positive entry (no class)');
        this.labelArray[i] = best;
      }
    } else {
      if (ys.length !== 1) throw new FormatError(file, yName, `expected labels of shape (N,) or one-hot (N, classes), found (${ys.join(', ')})`);
      checkLabels(yv, `${file}:${yName}`, MAX_CLASSES);
      this.labelArray = Int32Array.from(yv);
      this.numClasses = this.labelArray.reduce((a, b) => Math.max(a, b), 0) + 1;
    }
  }
  get(i: number): Sample {
    const row = this.x.readRowF32(i);
    const T = this.T, V = 25, M = 2;
    const data = new Float32Array(3 * T * V * M);
    let frames = 0;
    for (let t = 0; t < T; t++) {
      let any = false;
      for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) for (let c = 0; c < 3; c++) {
        const x = row[t * 150 + (m * V + v) * 3 + c];
        if (x !== 0) any = true;
        data[((c * T + t) * V + v) * M + m] = x;
      }
      if (any) frames = t + 1;
    }
    return { data, frames: Math.max(frames, 1), label: this.labelArray[i] };
  }
  labels(): Int32Array { return this.labelArray; }
}

/** The train/test sets of a CTR-GCN style .npz. */
export function readNpz(path: string): { train?: NpzSkeletonDataset; test?: NpzSkeletonDataset } {
  return decoding(path, 'zip structure', () => readNpzUnguarded(path));
}

function readNpzUnguarded(path: string): { train?: NpzSkeletonDataset; test?: NpzSkeletonDataset } {
  const m = openNpz(path);
  const pair = (x: string, y: string) => {
    const xf = m.get(x), yf = m.get(y);
    if (!xf) return undefined;
    if (!yf) throw new FormatError(path, x, `has ${x} but no ${y}`);
    return new NpzSkeletonDataset(xf, yf, path, x, y);
  };
  const train = pair('x_train', 'y_train'), test = pair('x_test', 'y_test');
  if (!train && !test) throw new FormatError(path, 'members', `expected x_train/y_train or x_test/y_test, found ${[...m.keys()].join(', ') || 'no .npy members'}`);
  return { train, test };
}
