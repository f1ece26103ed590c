/**
 * NumPy `.npy` reading (by seeking: the big NTU arrays are several GB, past Node's Buffer limit)
 * and writing (byte-identical to numpy's version 1.0 output, so files open in numpy unchanged).
 */
import { openSync, readSync, writeSync, closeSync, fstatSync } from 'node:fs';
import { FormatError, printable } from '../util/errors.js';
import { ioError } from '../util/atomic.js';

export type NpyDtype = '<f4' | '<f8' | '<i4' | '<i8';
const itemSizes: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyHeader {
  version: [number, number];
  dtype: NpyDtype;
  shape: number[];
  dataOffset: number; // byte offset of the first element, from the start of the .npy bytes
}

export function itemSize(dtype: NpyDtype): number { return itemSizes[dtype]; }
export function product(shape: readonly number[]): number { return shape.reduce((a, b) => a * b, 1); }

/** Parses the header from the first bytes of a .npy; `bytes` must hold at least the whole header. */
export function parseNpyHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new FormatError(file, 'byte 0', 'not a .npy file (expected the magic bytes \\x93NUMPY)');
  const major = bytes[6], minor = bytes[7];
  let headerLen: number, start: number;
  if (major === 1) { headerLen = bytes[8] | (bytes[9] << 8); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FormatError(file, 'byte 8', 'truncated .npy header length');
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24; start = 12;
  } else throw new FormatError(file, 'byte 6', `unsupported .npy version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  if (bytes.length < start + headerLen) throw new FormatError(file, `byte ${start}`, `truncated .npy header: expected ${headerLen} header bytes, found ${bytes.length - start}`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const where = `header (byte ${start})`;
  // a key given twice counts as numpy reads the dict literal: the last one wins
  const last = (re: RegExp) => [...text.matchAll(re)].at(-1);
  const descr = last(/'descr'\s*:\s*'([^']*)'/g);
  const order = last(/'fortran_order'\s*:\s*(True|False)/g);
  const shapeM = last(/'shape'\s*:\s*\(([^)]*)\)/g);
  if (!descr || !order || !shapeM) throw new FormatError(file, where, `malformed .npy header '${printable(text.trim())}' (expected keys descr, fortran_order, shape)`);
  let dtype = descr[1];
  if (dtype === '<f4' || dtype === '<f8' || dtype === '<i4' || dtype === '<i8') { /* supported */ }
  else if (dtype === '|i1' || dtype === '|u1') throw new FormatError(file, where, `dtype '${dtype}' is not supported (expected '<f4', '<f8', '<i4' or '<i8')`);
  else if (dtype.startsWith('>')) throw new FormatError(file, where, `big-endian dtype '${dtype}' is not supported (expected little-endian '<f4', '<f8', '<i4' or '<i8'; convert with arr.astype('<f4'))`);
  else throw new FormatError(file, where, `dtype '${printable(dtype, 20)}' is not supported (expected '<f4', '<f8', '<i4' or '<i8')`);
  if (order[1] === 'True') throw new FormatError(file, where, 'Fortran-order array is not supported (expected C order; save np.ascontiguousarray(arr))');
  const dims = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = dims.map((d) => {
    if (!/^\d+L?$/.test(d)) throw new FormatError(file, where, `malformed shape entry '${printable(d, 20)}' (expected a non-negative integer)`);
    const n = parseInt(d, 10);
    if (!Number.isSafeInteger(n)) throw new FormatError(file, where, `shape entry ${printable(d, 20)} is too large`);
    return n;
  });
  return { version: [major, minor], dtype: dtype as NpyDtype, shape, dataOffset: start + headerLen };
}

/** The header bytes numpy writes (version 1.0; 2.0 only when the dict needs more than 65535 bytes). */
export function encodeNpyHeader(dtype: NpyDtype, shape: readonly number[], minTotal = 0): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let prefix = 10;
  let total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  if (total - prefix > 0xffff) { prefix = 12; total = Math.ceil((prefix + dict.length + 1) / 64) * 64; }
  // The streaming writer reserves room for a header it will rewrite with the final row count.
  if (minTotal > total) total = Math.ceil(minTotal / 64) * 64;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  const headerLen = total - prefix;
  if (prefix === 10) { out[6] = 1; out[7] = 0; out[8] = headerLen & 0xff; out[9] = headerLen >> 8; }
  else { out[6] = 2; out[7] = 0; new DataView(out.buffer).setUint32(8, headerLen, true); }
  for (let i = 0; i < dict.length; i++) out[prefix + i] = dict.charCodeAt(i);
  out.fill(0x20, prefix + dict.length, total - 1);
  out[total - 1] = 0x0a;
  return out;
}

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array;

function typedView(dtype: NpyDtype, bytes: Uint8Array): NumericArray {
  // Copy when misaligned: typed arrays need offsets that are multiples of the element size.
  const size = itemSizes[dtype];
  const b = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const n = b.byteLength / size;
  switch (dtype) {
    case '<f4': return new Float32Array(b.buffer, b.byteOffset, n);
    case '<f8': return new Float64Array(b.buffer, b.byteOffset, n);
    case '<i4': return new Int32Array(b.buffer, b.byteOffset, n);
    case '<i8': return new BigInt64Array(b.buffer, b.byteOffset, n);
  }
}

/** Converts whatever numeric dtype into plain numbers (labels, frame counts). */
export function toNumbers(a: NumericArray): number[] {
  return Array.from(a as ArrayLike<number | bigint>, (v) => Number(v));
}

/** Where bytes come from: a file region (seekable) or memory (an inflated .npz entry). */
export interface ByteSource {
  readonly length: number;
  read(position: number, length: number): Uint8Array;
  close(): void;
}

export class FileRegion implements ByteSource {
  private fd: number;
  readonly length: number;
  constructor(readonly path: string, readonly base = 0, length?: number) {
    this.fd = openSync(path, 'r');
    this.length = length ?? fstatSync(this.fd).size - base;
  }
  read(position: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, this.base + position + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? out : out.subarray(0, done);
  }
  close(): void { if (this.fd >= 0) { closeSync(this.fd); this.fd = -1; } }
}

export class MemorySource implements ByteSource {
  constructor(readonly bytes: Uint8Array) {}
  get length(): number { return this.bytes.length; }
  read(position: number, length: number): Uint8Array { return this.bytes.subarray(position, Math.min(position + length, this.bytes.length)); }
  close(): void { /* nothing held */ }
}

/** An opened .npy: header parsed, rows (slices along the first axis) read on demand. */
export class NpyFile {
  readonly header: NpyHeader;
  readonly rowElements: number;
  readonly rowBytes: number;
  /** `exact`: the source must end where the data does (a zip member whose stated size disagrees with its shape is a lie). */
  constructor(readonly source: ByteSource, readonly file: string, exact = false) {
    const first = source.read(0, Math.min(source.length, 12));
    let need = 10;
    if (first.length >= 10 && first[6] === 1) need = 10 + (first[8] | (first[9] << 8));
    else if (first.length >= 12 && (first[6] === 2 || first[6] === 3)) need = 12 + new DataView(first.buffer, first.byteOffset).getUint32(8, true);
    this.header = parseNpyHeader(source.read(0, Math.min(need, source.length)), file);
    const shape = this.header.shape;
    this.rowElements = shape.length === 0 ? 1 : product(shape.slice(1));
    this.rowBytes = this.rowElements * itemSizes[this.header.dtype];
    const expected = this.header.dataOffset + product(shape) * itemSizes[this.header.dtype];
    if (source.length < expected) {
      throw new FormatError(file, `byte ${source.length}`, `truncated: shape (${shape.join(', ')}) of ${this.header.dtype} needs ${expected} bytes, the file has ${source.length}`);
    }
    if (exact && source.length !== expected) {
      throw new FormatError(file, 'header', `shape (${shape.join(', ')}) of ${this.header.dtype} needs ${expected} bytes, but the member holds ${source.length}`);
    }
  }
  static open(path: string): NpyFile { return new NpyFile(new FileRegion(path), path); }
  get shape(): number[] { return this.header.shape; }
  get dtype(): NpyDtype { return this.header.dtype; }
  get rows(): number { return this.header.shape.length === 0 ? 1 : this.header.shape[0]; }

  /** Rows [start, start+count) as a typed array of the file's dtype. */
  readRows(start: number, count: number): NumericArray {
    if (start < 0 || start + count > this.rows) throw new RangeError(`${this.file}: rows ${start}..${start + count} outside 0..${this.rows}`);
    const bytes = this.source.read(this.header.dataOffset + start * this.rowBytes, count * this.rowBytes);
    if (bytes.length < count * this.rowBytes) throw new FormatError(this.file, `row ${start + Math.floor(bytes.length / Math.max(this.rowBytes, 1))}`, `the data ends early (the file shrank, or its size lies)`);
    return typedView(this.dtype, bytes);
  }
  /** One row as float32 (converting f8/int rows). */
  readRowF32(i: number): Float32Array {
    const a = this.readRows(i, 1);
    if (a instanceof Float32Array) return a;
    return Float32Array.from(a as ArrayLike<number | bigint>, (v) => Number(v));
  }
  readAll(): NumericArray { return this.readRows(0, this.rows); }
  close(): void { this.source.close(); }
}

function encode(dtype: NpyDtype, data: ArrayLike<number> | NumericArray): Uint8Array {
  let typed: NumericArray;
  switch (dtype) {
    case '<f4': typed = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>, Number); break;
    case '<f8': typed = data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>, Number); break;
    case '<i4': typed = data instanceof Int32Array ? data : Int32Array.from(data as ArrayLike<number>, Number); break;
    case '<i8': typed = data instanceof BigInt64Array ? data : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(Math.round(Number(v)))); break;
  }
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

/**
 * Writes a .npy row by row. The row count may be an upper bound: `close()` rewrites the header
 * with the rows actually appended, in the same reserved space (a skipped bad file then costs no copy).
 */
export class NpyStreamWriter {
  private fd: number;
  private position: number;
  private headerBytes: number;
  private appended = 0;
  readonly rowElements: number;
  constructor(readonly path: string, readonly dtype: NpyDtype, readonly rowShape: readonly number[], readonly maxRows: number, private readonly scalar = false) {
    this.rowElements = product(rowShape);
    const header = this.headerFor(maxRows);
    this.headerBytes = header.length;
    try {
      this.fd = openSync(path, 'w');
      writeSync(this.fd, header, 0, header.length, 0);
    } catch (e) { throw ioError(e, path, 'creating the file'); }
    this.position = header.length;
  }
  private headerFor(rows: number, minTotal = 0): Uint8Array {
    return encodeNpyHeader(this.dtype, this.scalar ? [] : [rows, ...this.rowShape], minTotal);
  }
  get rows(): number { return this.appended; }
  /** Appends one or more whole rows. */
  append(data: ArrayLike<number> | NumericArray): void {
    const n = this.rowElements === 0 ? 0 : data.length / this.rowElements;
    if (!Number.isInteger(n)) throw new Error(`${this.path}: ${data.length} values is not a whole number of rows of ${this.rowElements}`);
    if (this.appended + n > this.maxRows) throw new Error(`${this.path}: more than the ${this.maxRows} rows reserved`);
    const bytes = encode(this.dtype, data);
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.position + done);
    } catch (e) { throw ioError(e, this.path, 'writing'); }
    this.position += bytes.length;
    this.appended += n;
  }
  close(): void {
    if (this.fd < 0) return;
    if (this.appended !== this.maxRows) {
      const header = this.headerFor(this.appended, this.headerBytes);
      if (header.length !== this.headerBytes) throw new Error(`${this.path}: header grew while rewriting`);
      writeSync(this.fd, header, 0, header.length, 0);
    }
    closeSync(this.fd);
    this.fd = -1;
  }
}
