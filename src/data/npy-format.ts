/**
 * The .npy format itself, free of file access (src/data/npy.ts reads and writes files with it;
 * the browser page parses an uploaded file's bytes with it): dtypes, the header numpy writes and
 * the parser of any version 1–3 header.
 */
import { FormatError, printable } from '../util/errors.js';

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
