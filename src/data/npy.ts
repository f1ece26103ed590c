/**
 * NumPy `.npy` reading (by seeking: the big NTU arrays are several GB, past Node's Buffer limit)
 * and writing (byte-identical to numpy's version 1.0 output, so files open in numpy unchanged).
 */
import { openSync, readSync, writeSync, closeSync, fstatSync } from 'node:fs';
import { FormatError, printable } from '../util/errors.js';
import { ioError } from '../util/atomic.js';

export * from './npy-format.js';
import { itemSize, product, parseNpyHeader, encodeNpyHeader, type NpyDtype, type NpyHeader } from './npy-format.js';

export type NumericArray = Float32Array | Float64Array | Int32Array | BigInt64Array;

function typedView(dtype: NpyDtype, bytes: Uint8Array): NumericArray {
  // Copy when misaligned: typed arrays need offsets that are multiples of the element size.
  const size = itemSize(dtype);
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
    this.rowBytes = this.rowElements * itemSize(this.header.dtype);
    const expected = this.header.dataOffset + product(shape) * itemSize(this.header.dtype);
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
