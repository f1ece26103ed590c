/**
 * safetensors reader and writer (design formats.md, "Checkpoints"): 8-byte little-endian header
 * length N, N bytes of JSON `{"__metadata__": {…}, name: {dtype, shape, data_offsets}}`, then the
 * raw little-endian tensor bytes. The writer follows the reference (Rust) writer's byte layout —
 * compact JSON, header padded with spaces to a multiple of 8 — with tensors in name order, so a
 * checkpoint opens in PyTorch (`safetensors.torch.load_file`). Hosts are assumed little-endian
 * (every platform Node ships for).
 */
import { host } from '../gpu/host.js';
import { FormatError, UserError, printable } from '../util/errors.js';

export type Dtype = 'F32' | 'I64' | 'I32';
export type TensorData = Float32Array | BigInt64Array | Int32Array;
export interface Tensor { dtype: Dtype; shape: number[]; data: TensorData }
export type TensorMap = Record<string, Tensor>;

const BYTES: Record<Dtype, number> = { F32: 4, I64: 8, I32: 4 };
const ARRAY: Record<Dtype, new (n: number) => TensorData> = { F32: Float32Array, I64: BigInt64Array, I32: Int32Array };
const METADATA_KEY = '__metadata__';

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The file's bytes: header then data, tensors in name order. */
export function encodeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new Error(`safetensors metadata "${k}" must be a string`);
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === METADATA_KEY) throw new Error(`"${METADATA_KEY}" cannot name a tensor`);
    const { dtype, shape, data } = tensors[name];
    if (!(dtype in BYTES)) throw new Error(`tensor "${name}": unsupported dtype ${dtype}`);
    if (!(data instanceof ARRAY[dtype])) throw new Error(`tensor "${name}": dtype ${dtype} needs a ${ARRAY[dtype].name}`);
    if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`tensor "${name}": bad shape [${shape}]`);
    if (count(shape) !== data.length) throw new Error(`tensor "${name}": shape [${shape}] holds ${count(shape)} values, data has ${data.length}`);
    const end = offset + data.byteLength;
    header[name] = { dtype, shape, data_offsets: [offset, end] };
    offset = end;
  }
  const text = JSON.stringify(header);
  // padded with spaces to a multiple of 8 bytes (the reference writer's layout); TextEncoder, not Buffer, so a browser can write one
  const json = new TextEncoder().encode(text + ' '.repeat((8 - (new TextEncoder().encode(text).length % 8)) % 8));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** Writes through a temp file, flushes, then renames (host.files.writeAtomic): a reader never sees a half-written file. */
export function saveSafetensors(path: string, tensors: TensorMap, metadata?: Record<string, string>, doing = 'writing safetensors', note?: string): void {
  host.files.writeAtomic(path, encodeSafetensors(tensors, metadata), doing, note);
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** Parses safetensors bytes; `file` names the source in errors. */
export function parseSafetensors(bytes: Uint8Array, file: string): { tensors: TensorMap; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new FormatError(file, 'byte 0', `file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new FormatError(file, 'byte 0', `header length ${n} runs past the end of the ${bytes.length}-byte file`);
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes.buffer, bytes.byteOffset + 8, headerLen)));
  } catch (e) {
    throw new FormatError(file, 'header', `not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FormatError(file, 'header', 'expected a JSON object');

  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  // Null-prototype maps: a tensor named "__proto__" must stay a plain entry.
  const metadata: Record<string, string> = Object.create(null);
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors: TensorMap = Object.create(null);
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new FormatError(file, METADATA_KEY, 'expected an object of strings');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new FormatError(file, `${METADATA_KEY}.${k}`, `expected a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof entry !== 'object' || entry === null) throw new FormatError(file, where, 'expected {dtype, shape, data_offsets}');
    const { dtype, shape, data_offsets: offs } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) {
      throw new FormatError(file, where, `unknown dtype ${JSON.stringify(dtype)} (this engine reads F32, I64, I32)`);
    }
    if (!isIntArray(shape)) throw new FormatError(file, where, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!isIntArray(offs) || offs.length !== 2 || offs[0] > offs[1]) {
      throw new FormatError(file, where, `data_offsets ${JSON.stringify(offs)} is not [begin, end] with begin ≤ end`);
    }
    const [begin, end] = offs;
    if (end > dataLen) throw new FormatError(file, where, `data_offsets [${begin}, ${end}] run past the ${dataLen} data bytes`);
    const dt = dtype as Dtype;
    const want = count(shape) * BYTES[dt];
    if (end - begin !== want) {
      throw new FormatError(file, where, `data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dt} [${shape}] needs ${want}`);
    }
    spans.push({ name, begin, end });
    // Copy: the tensor's offset in the file need not be aligned for a typed-array view.
    const data = new ARRAY[dt](count(shape));
    new Uint8Array(data.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors[name] = { dtype: dt, shape, data };
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    const p = spans[i - 1], q = spans[i];
    if (q.begin < p.end) throw new FormatError(file, `tensor "${q.name}"`, `data_offsets [${q.begin}, ${q.end}] overlap tensor "${p.name}" [${p.begin}, ${p.end}]`);
  }
  return { tensors, metadata };
}

export function loadSafetensors(path: string): { tensors: TensorMap; metadata: Record<string, string> } {
  let bytes: Uint8Array;
  try {
    bytes = host.files.read(path);
  } catch (e) {
    throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseSafetensors(bytes, path);
}

/** Refuses weights holding NaN/±Inf (a model loaded from them would compute NaN everywhere, silently). */
export function assertFiniteTensors(file: string, tensors: TensorMap): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'F32') continue;
    const d = t.data as Float32Array;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) throw new FormatError(file, `tensor "${printable(name)}" element ${i}`, `${d[i]}: weights must be finite`);
    }
  }
}

/**
 * Checks a set of tensors against the names and shapes a model expects; throws one UserError
 * listing every missing, unexpected and mis-shaped tensor, so a user fixes them all at once.
 */
export function checkNames(
  found: Record<string, { shape: readonly number[] }>, expected: Record<string, readonly number[]>, what = 'checkpoint',
): void {
  // own properties only: `in` would find "__proto__" (and toString …) on any plain object
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  const missing = Object.keys(expected).filter((k) => !has(found, k)).sort();
  const unexpected = Object.keys(found).filter((k) => !has(expected, k)).sort();
  const misShaped = Object.keys(expected)
    .filter((k) => has(found, k) && !sameShape(found[k].shape, expected[k]))
    .sort()
    .map((k) => `${k}: found [${found[k].shape.join(', ')}], expected [${expected[k].join(', ')}]`);
  if (missing.length + unexpected.length + misShaped.length === 0) return;
  const lines = [`${what} does not match the model:`];
  if (missing.length) lines.push(`  missing (${missing.length}): ${missing.join(', ')}`);
  if (unexpected.length) lines.push(`  unexpected (${unexpected.length}): ${unexpected.join(', ')}`);
  if (misShaped.length) lines.push(`  wrong shape (${misShaped.length}):`, ...misShaped.map((s) => `    ${s}`));
  throw new UserError(lines.join('\n'));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
