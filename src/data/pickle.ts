/**
 * The label files of the ST-GCN family are Python pickles of `(sample_names, labels)`; PyTorch
 * checkpoints hold one too (src/data/torch-checkpoint.ts). Unpickling can run arbitrary code, so
 * this reader interprets only an allow-list of opcodes and, per kind of file (a `PickleProfile`),
 * of globals and of what REDUCE, BUILD and persistent ids may build — numpy scalar reconstruction
 * for PKU-MMD's float64 labels; tensors rebuilt from storages and ordered dicts for checkpoints.
 * It calls nothing and imports nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { FormatError } from '../util/errors.js';

/** Every pickle opcode by byte, so a rejected one is named. */
const opcodeNames: Record<number, string> = {};
for (const [name, ch] of Object.entries({
  MARK: '(', STOP: '.', POP: '0', POP_MARK: '1', DUP: '2', FLOAT: 'F', INT: 'I', BININT: 'J', BININT1: 'K',
  LONG: 'L', BININT2: 'M', NONE: 'N', PERSID: 'P', BINPERSID: 'Q', REDUCE: 'R', STRING: 'S', BINSTRING: 'T',
  SHORT_BINSTRING: 'U', UNICODE: 'V', BINUNICODE: 'X', APPEND: 'a', BUILD: 'b', GLOBAL: 'c', DICT: 'd',
  EMPTY_DICT: '}', APPENDS: 'e', GET: 'g', BINGET: 'h', INST: 'i', LONG_BINGET: 'j', LIST: 'l', EMPTY_LIST: ']',
  OBJ: 'o', PUT: 'p', BINPUT: 'q', LONG_BINPUT: 'r', SETITEM: 's', TUPLE: 't', EMPTY_TUPLE: ')', SETITEMS: 'u',
  BINFLOAT: 'G', PROTO: '\x80', NEWOBJ: '\x81', EXT1: '\x82', EXT2: '\x83', EXT4: '\x84', TUPLE1: '\x85',
  TUPLE2: '\x86', TUPLE3: '\x87', NEWTRUE: '\x88', NEWFALSE: '\x89', LONG1: '\x8a', LONG4: '\x8b',
  BINBYTES: 'B', SHORT_BINBYTES: 'C', SHORT_BINUNICODE: '\x8c', BINUNICODE8: '\x8d', BINBYTES8: '\x8e',
  EMPTY_SET: '\x8f', ADDITEMS: '\x90', FROZENSET: '\x91', NEWOBJ_EX: '\x92', STACK_GLOBAL: '\x93',
  MEMOIZE: '\x94', FRAME: '\x95', BYTEARRAY8: '\x96', NEXT_BUFFER: '\x97', READONLY_BUFFER: '\x98',
})) opcodeNames[ch.charCodeAt(0)] = name;

/**
 * Values a pickle can hold here. Tuples are arrays; numpy scalars become plain numbers; a profile
 * may build objects of its own (`PickleObject`: torch tensors and storages).
 */
export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | Map<PickleValue, PickleValue> | PickleGlobal | NumpyDtype | PickleObject;
/** A global the profile allowed, by 'module name' (never imported: REDUCE asks the profile what it builds). */
export class PickleGlobal { constructor(readonly name: string) {} }
class NumpyDtype { byteOrder = '<'; constructor(readonly code: string) {} }
/** Base of the objects a profile builds. */
export abstract class PickleObject {}
const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

type Fail = (what: string) => never;

/** What a kind of pickle file may contain beyond plain data, and what it is called in errors. */
export interface PickleProfile {
  /** 'a label file', 'a PyTorch checkpoint' */
  what: string;
  /** The globals GLOBAL / STACK_GLOBAL may name, as 'module name'. */
  globals: ReadonlySet<string>;
  /** What REDUCE of an allowed global with these arguments builds (it is never called). */
  reduce(fn: string, args: PickleValue[], fail: Fail, at: number): PickleValue;
  /** BUILD: applies a state to an object, or refuses. */
  build(obj: PickleValue, state: PickleValue, fail: Fail): void;
  /** BINPERSID: what a persistent id stands for (torch storages); absent: the opcode is refused. */
  persistentLoad?(pid: PickleValue, fail: Fail): PickleValue;
}

/** Label pickles: numpy scalars (PKU-MMD's float64 labels) are the only objects. */
export const labelProfile: PickleProfile = {
  what: 'a label file',
  globals: new Set(['numpy.core.multiarray scalar', 'numpy._core.multiarray scalar', 'numpy dtype']),
  reduce(fn, a, fail, at) {
    if (fn === 'numpy dtype') {
      if (typeof a[0] !== 'string') fail('numpy.dtype expects a type code string');
      return new NumpyDtype(a[0] as string);
    }
    if (!(a[0] instanceof NumpyDtype) || !(a[1] instanceof Uint8Array)) fail('numpy scalar expects (dtype, bytes)');
    return numpyScalar(a[0] as NumpyDtype, a[1] as Uint8Array, fail, at);
  },
  build(obj, state, fail) {
    if (!(obj instanceof NumpyDtype) || !Array.isArray(state)) fail('BUILD is only allowed on a numpy dtype');
    const order = (state as PickleValue[])[1];
    if (typeof order === 'string') (obj as NumpyDtype).byteOrder = order;
  },
};

/** Decodes the raw bytes of a numpy scalar of the given dtype. */
function numpyScalar(dtype: NumpyDtype, raw: Uint8Array, fail: Fail, at: number): number {
  if (dtype.byteOrder === '>') fail(`big-endian numpy scalar (dtype ${dtype.code}) at byte ${at} is not supported`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const need: Record<string, number> = { f8: 8, f4: 4, i8: 8, i4: 4, i2: 2, i1: 1, u8: 8, u4: 4, u2: 2, u1: 1, b1: 1 };
  const code = dtype.code.replace(/^[<=|]/, '');
  if (!(code in need)) fail(`numpy scalar of dtype '${dtype.code}' is not supported (expected a number type)`);
  if (raw.length !== need[code]) fail(`numpy ${code} scalar needs ${need[code]} bytes, found ${raw.length}`);
  switch (code) {
    case 'f8': return v.getFloat64(0, true);
    case 'f4': return v.getFloat32(0, true);
    case 'i8': return Number(v.getBigInt64(0, true));
    case 'u8': return Number(v.getBigUint64(0, true));
    case 'i4': return v.getInt32(0, true);
    case 'u4': return v.getUint32(0, true);
    case 'i2': return v.getInt16(0, true);
    case 'u2': return v.getUint16(0, true);
    case 'i1': return v.getInt8(0);
    default: return v.getUint8(0);
  }
}

/** Interprets a pickle with the allow-listed opcodes only, and the profile's globals and objects. */
export function unpickle(bytes: Uint8Array, file: string, profile: PickleProfile = labelProfile): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let opAt = 0;
  const fail = (what: string): never => { throw new FormatError(file, `byte ${opAt}`, what); };
  const need = (n: number): number => {
    if (pos + n > bytes.length) fail(`truncated pickle: ${opcodeNames[bytes[opAt]]} needs ${n} more bytes, the file ends at byte ${bytes.length}`);
    const at = pos; pos += n; return at;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) fail(`${opcodeNames[bytes[opAt]]} found an empty stack or a mark (malformed pickle)`);
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail(`${opcodeNames[bytes[opAt]]} without a preceding MARK`);
    const items = stack.splice(i) as PickleValue[];
    items.shift();
    return items;
  };
  const top = (): PickleValue => { const v = stack[stack.length - 1]; if (v === undefined || v === MARK) fail('empty stack'); return v as PickleValue; };
  const text = (n: number): string => {
    const at = need(n);
    try { return utf8.decode(bytes.subarray(at, at + n)); } catch { return fail('string is not valid UTF-8'); }
  };
  const size = (n: number | bigint): number => {
    const v = Number(n);
    if (v > bytes.length - pos) fail(`length ${v} runs past the end of the file (${bytes.length} bytes)`);
    return v;
  };
  const memoGet = (i: number): PickleValue => { if (!memo.has(i)) fail(`memo entry ${i} was never stored`); return memo.get(i)!; };
  const asList = (v: PickleValue, op: string): PickleValue[] => { if (!Array.isArray(v)) fail(`${op} on something that is not a list`); return v as PickleValue[]; };
  const asMap = (v: PickleValue, op: string): Map<PickleValue, PickleValue> => { if (!(v instanceof Map)) fail(`${op} on something that is not a dict`); return v as Map<PickleValue, PickleValue>; };
  const globalOf = (module: string, name: string): PickleGlobal => {
    const full = `${module} ${name}`;
    if (!profile.globals.has(full)) fail(`global ${module}.${name} is not allowed in ${profile.what} (nothing is imported or executed)`);
    return new PickleGlobal(full);
  };

  for (;;) {
    if (pos >= bytes.length) { opAt = pos; fail('truncated pickle: no STOP opcode'); }
    opAt = pos;
    const op = bytes[pos++];
    switch (op) {
      case 0x80: need(1); break;                                   // PROTO
      case 0x95: need(8); break;                                   // FRAME: framing is only a hint for readers
      case 0x28: stack.push(MARK); break;                          // MARK
      case 0x2e: {                                                 // STOP
        const v = pop();
        return v;
      }
      case 0x5d: stack.push([]); break;                            // EMPTY_LIST
      case 0x61: { const v = pop(); asList(top(), 'APPEND').push(v); break; }
      case 0x65: { const items = popMark(); const l = asList(top(), 'APPENDS'); for (const it of items) l.push(it); break; }   // no spread: 10⁵ items would overflow the call stack
      case 0x7d: stack.push(new Map()); break;                     // EMPTY_DICT
      case 0x73: { const v = pop(); const k = pop(); asMap(top(), 'SETITEM').set(k, v); break; }
      case 0x75: {                                                 // SETITEMS
        const items = popMark(); const d = asMap(top(), 'SETITEMS');
        if (items.length % 2) fail('SETITEMS with an odd number of items');
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x74: stack.push(popMark()); break;                     // TUPLE
      case 0x85: stack.push([pop()]); break;                       // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; }
      case 0x4a: stack.push(view.getInt32(need(4), true)); break;  // BININT
      case 0x4b: stack.push(bytes[need(1)]); break;                // BININT1
      case 0x4d: stack.push(view.getUint16(need(2), true)); break; // BININT2
      case 0x8a: {                                                 // LONG1: little-endian two's complement
        const n = bytes[need(1)]; const at = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]);
        if (n > 0 && bytes[at + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT is big-endian
      case 0x58: { const n = size(view.getUint32(need(4), true)); stack.push(text(n)); break; }        // BINUNICODE
      case 0x8c: { const n = size(bytes[need(1)]); stack.push(text(n)); break; }                      // SHORT_BINUNICODE
      case 0x8d: { const n = size(view.getBigUint64(need(8), true)); stack.push(text(n)); break; }    // BINUNICODE8
      case 0x43: { const n = size(bytes[need(1)]); const at = need(n); stack.push(bytes.slice(at, at + n)); break; }                  // SHORT_BINBYTES
      case 0x42: { const n = size(view.getUint32(need(4), true)); const at = need(n); stack.push(bytes.slice(at, at + n)); break; }   // BINBYTES
      case 0x71: memo.set(bytes[need(1)], top()); break;           // BINPUT
      case 0x72: memo.set(view.getUint32(need(4), true), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break;                // MEMOIZE
      case 0x68: stack.push(memoGet(bytes[need(1)])); break;       // BINGET
      case 0x6a: stack.push(memoGet(view.getUint32(need(4), true))); break; // LONG_BINGET
      case 0x4e: stack.push(null); break;                          // NONE
      case 0x88: stack.push(true); break;                          // NEWTRUE
      case 0x89: stack.push(false); break;                         // NEWFALSE
      case 0x63: {                                                 // GLOBAL: "module\nname\n"
        const end1 = bytes.indexOf(0x0a, pos); const end2 = end1 < 0 ? -1 : bytes.indexOf(0x0a, end1 + 1);
        if (end2 < 0) fail('truncated GLOBAL (expected "module\\nname\\n")');
        const module = new TextDecoder('latin1').decode(bytes.subarray(pos, end1));
        const name = new TextDecoder('latin1').decode(bytes.subarray(end1 + 1, end2));
        pos = end2 + 1;
        stack.push(globalOf(module, name));
        break;
      }
      case 0x93: {                                                 // STACK_GLOBAL
        const name = pop(); const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('STACK_GLOBAL expects two strings');
        stack.push(globalOf(module as string, name as string));
        break;
      }
      case 0x52: {                                                 // REDUCE: what the profile builds for an allowed global
        const args = pop(); const fn = pop();
        if (!(fn instanceof PickleGlobal) || !Array.isArray(args)) fail('REDUCE expects an allowed global and an argument tuple');
        stack.push(profile.reduce((fn as PickleGlobal).name, args as PickleValue[], fail, opAt));
        break;
      }
      case 0x62: {                                                 // BUILD: as the profile allows
        const state = pop();
        profile.build(top(), state, fail);
        break;
      }
      case 0x29: stack.push([]); break;                            // EMPTY_TUPLE
      case 0x51: {                                                 // BINPERSID: only where the profile resolves ids
        if (!profile.persistentLoad) fail(`opcode BINPERSID (0x51) is not allowed in ${profile.what}`);
        stack.push(profile.persistentLoad!(pop(), fail));
        break;
      }
      default:
        fail(`opcode ${opcodeNames[op] ?? 'unknown'} (0x${op.toString(16).padStart(2, '0')}) is not allowed in ${profile.what} (nothing is executed)`);
    }
  }
}

export interface LabelFile { names: string[]; labels: number[] }

/** Reads `(sample_names, labels)`; labels may be ints or numpy scalars (made integer). */
export function readLabelPickle(path: string): LabelFile {
  return labelsFromValue(unpickle(readFileSync(path), path), path);
}

export function labelsFromValue(v: PickleValue, file: string): LabelFile {
  if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[0]) || !Array.isArray(v[1])) {
    throw new FormatError(file, 'top level', 'expected a 2-tuple (sample_names: list[str], labels: list[int])');
  }
  const [names, labels] = v as [PickleValue[], PickleValue[]];
  if (names.length !== labels.length) throw new FormatError(file, 'top level', `${names.length} sample names but ${labels.length} labels`);
  const outNames = names.map((n, i) => {
    if (typeof n !== 'string') throw new FormatError(file, `sample_names[${i}]`, 'expected a string');
    return n;
  });
  const outLabels = labels.map((l, i) => {
    const x = typeof l === 'bigint' ? Number(l) : l;
    if (typeof x !== 'number' || !Number.isFinite(x) || Math.round(x) !== x) throw new FormatError(file, `labels[${i}]`, `expected an integer label, found ${String(l)}`);
    return x;
  });
  return { names: outNames, labels: outLabels };
}

/** Builds bytes as CPython's C pickler does: a frame closes at an object boundary once ≥ 64 KiB. */
class PickleBuilder {
  private cur: number[] = [];
  private out: Uint8Array[] = [];
  private memoCount = 0;
  framing = false;
  constructor(readonly protocol: 3 | 4) {}
  write(...bs: number[]): void { for (const b of bs) this.cur.push(b); }
  writeBytes(b: Uint8Array): void { for (const x of b) this.cur.push(x); }
  /** Called where the C pickler finishes saving an object. */
  boundary(): void { if (this.framing && this.cur.length >= 65536) this.commit(); }
  commit(): void {
    if (this.cur.length === 0) return;
    if (this.framing && this.cur.length >= 4) {
      const h = new Uint8Array(9); h[0] = 0x95; new DataView(h.buffer).setBigUint64(1, BigInt(this.cur.length), true);
      this.out.push(h);
    }
    this.out.push(Uint8Array.from(this.cur));
    this.cur = [];
  }
  memoize(): void {
    const i = this.memoCount++;
    if (this.protocol === 4) this.write(0x94);
    else if (i < 256) this.write(0x71, i);
    else this.write(0x72, i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, (i >>> 24) & 0xff);
  }
  str(s: string): void {
    const b = Buffer.from(s, 'utf-8');
    if (this.protocol === 4 && b.length < 256) this.write(0x8c, b.length);
    else this.write(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, (b.length >>> 24) & 0xff);
    this.writeBytes(b);
    this.memoize();
    this.boundary();
  }
  int(v: number): void {
    if (v >= 0 && v <= 0xff) this.write(0x4b, v);
    else if (v >= 0 && v <= 0xffff) this.write(0x4d, v & 0xff, v >> 8);
    else if (v >= -0x80000000 && v <= 0x7fffffff) this.write(0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    else throw new RangeError(`label ${v} does not fit a 32-bit int`);
    this.boundary();
  }
  list<T>(items: T[], save: (x: T) => void): void {
    this.write(0x5d);
    this.memoize();
    if (items.length === 1) { save(items[0]); this.write(0x61); }
    else if (items.length > 1) {
      for (let i = 0; i < items.length; i += 1000) {
        this.write(0x28);
        for (const x of items.slice(i, i + 1000)) save(x);
        this.write(0x65);
      }
    }
    this.boundary();
  }
  finish(): Uint8Array {
    this.commit();
    return Buffer.concat(this.out);
  }
}

/** Pickles `(names, labels)` byte for byte as CPython 3.8+ `pickle.dump(..., protocol)` does. */
export function pickleLabels(names: string[], labels: ArrayLike<number>, protocol: 3 | 4 = 4): Uint8Array {
  if (names.length !== labels.length) throw new Error(`pickleLabels: ${names.length} names but ${labels.length} labels`);
  const b = new PickleBuilder(protocol);
  b.write(0x80, protocol);
  b.commit(); // PROTO precedes the first frame
  b.framing = protocol === 4;
  b.list(names, (s) => b.str(s));
  b.list(Array.from(labels), (v) => b.int(v));
  b.write(0x86);
  b.memoize();
  b.boundary();
  b.write(0x2e);
  return b.finish();
}

export function writeLabelPickle(path: string, names: string[], labels: ArrayLike<number>, protocol: 3 | 4 = 4): void {
  writeFileSync(path, pickleLabels(names, labels, protocol));
}
