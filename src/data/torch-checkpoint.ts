/**
 * Reading PyTorch checkpoints (`torch.save`, the zip format of PyTorch ≥ 1.6: `<name>/data.pkl`,
 * `<name>/data/<key>` raw storages, `<name>/version`) without Python, the way the official CMD code
 * writes them (`{'epoch', 'state_dict', 'optimizer'}` as `checkpoint.pth.tar`).
 *
 * The pickle goes through the allow-list reader of src/data/pickle.ts with a profile that knows
 * only what a state dict needs: `collections.OrderedDict` (an empty one, filled by SETITEMS; the
 * `_metadata` its BUILD sets is dropped), `torch._utils._rebuild_tensor_v2` /
 * `_rebuild_parameter` (recorded, not called), the typed storage classes, and persistent ids of
 * the form ('storage', <storage class>, key, location, numel). Everything else — any other global,
 * INST/OBJ/NEWOBJ, BINPERSID of another shape — is refused by name; nothing is imported or
 * executed. Storages are read from the zip by seeking, only for the tensors asked for.
 * The legacy (pre-1.6) format is refused with the command that converts it.
 */
import { FormatError, UserError } from '../util/errors.js';
import { FileRegion } from './npy.js';
import { listZip, type ZipEntry } from './npz.js';
import { unpickle, PickleGlobal, PickleObject, type PickleProfile, type PickleValue } from './pickle.js';
import type { TensorMap, Tensor as SafeTensor } from './safetensors.js';

/** The storage classes a tensor may be rebuilt from, with their element size and how they load. */
const STORAGES: Record<string, { bytes: number; dtype: 'F32' | 'I64' | 'I32'; from: 'f32' | 'f64' | 'f16' | 'i64' | 'i32' }> = {
  FloatStorage: { bytes: 4, dtype: 'F32', from: 'f32' },
  DoubleStorage: { bytes: 8, dtype: 'F32', from: 'f64' },
  HalfStorage: { bytes: 2, dtype: 'F32', from: 'f16' },
  LongStorage: { bytes: 8, dtype: 'I64', from: 'i64' },
  IntStorage: { bytes: 4, dtype: 'I32', from: 'i32' },
};

class StorageRef extends PickleObject {
  constructor(readonly kind: string, readonly key: string, readonly numel: number) { super(); }
}
/** A tensor as the pickle describes it: a view (offset, size, stride) of a storage. */
export class TensorRef extends PickleObject {
  constructor(readonly storage: StorageRef, readonly offset: number, readonly size: number[], readonly stride: number[]) { super(); }
}

const isInt = (v: PickleValue): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const intList = (v: PickleValue): v is number[] => Array.isArray(v) && v.every(isInt);

const torchProfile: PickleProfile = {
  what: 'a PyTorch checkpoint',
  globals: new Set([
    'collections OrderedDict', 'torch._utils _rebuild_tensor_v2', 'torch._utils _rebuild_parameter',
    ...Object.keys(STORAGES).map((s) => `torch ${s}`),
  ]),
  reduce(fn, args, fail) {
    if (fn === 'collections OrderedDict') {
      if (args.length !== 0) fail('collections.OrderedDict is only rebuilt empty (its items follow as SETITEMS)');
      return new Map();
    }
    if (fn === 'torch._utils _rebuild_tensor_v2') {
      const [storage, offset, size, stride] = args;
      if (!(storage instanceof StorageRef) || !isInt(offset) || !intList(size) || !intList(stride) || size.length !== stride.length) {
        fail('_rebuild_tensor_v2 expects (storage, offset, size, stride, …)');
      }
      return new TensorRef(storage as StorageRef, offset as number, size as number[], stride as number[]);
    }
    if (fn === 'torch._utils _rebuild_parameter') {
      if (!(args[0] instanceof TensorRef)) fail('_rebuild_parameter expects a tensor');
      return args[0];
    }
    return fail(`${fn.replace(' ', '.')} cannot be called (a storage class is only a persistent id's type)`);
  },
  build(obj, state, fail) {
    // an OrderedDict state dict carries `_metadata` (module versions) as its attribute state
    if (!(obj instanceof Map) || !(state instanceof Map)) fail('BUILD is only allowed on an ordered dict (its _metadata)');
  },
  persistentLoad(pid, fail) {
    if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage') fail('a persistent id must be (\'storage\', type, key, location, numel)');
    const [, type, key, , numel] = pid as PickleValue[];
    if (!(type instanceof PickleGlobal) || !type.name.startsWith('torch ')) fail('a storage\'s type must be a torch storage class');
    if (typeof key !== 'string' || !/^\w+$/.test(key)) fail(`storage key ${JSON.stringify(key)} is not a plain name`);
    if (!isInt(numel)) fail('a storage\'s size must be a non-negative integer');
    return new StorageRef((type as PickleGlobal).name.slice(6), key as string, numel as number);
  },
};

export interface TorchCheckpoint {
  /** The top-level object: ordered dicts as Maps, tensors as TensorRef (read them with `tensors`). */
  root: PickleValue;
  /** Reads the given tensors from the storages, contiguous, as safetensors tensors. */
  tensors(refs: Record<string, TensorRef>): TensorMap;
  close(): void;
}

/** True when the file starts like a zip archive. */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export function openTorchCheckpoint(path: string): TorchCheckpoint {
  let src: FileRegion;
  try { src = new FileRegion(path); } catch (e) { throw new UserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`); }
  try {
    const head = src.read(0, 4);
    if (!isZip(head)) {
      if (head[0] === 0x80) {
        throw new UserError(`${path}: a PyTorch checkpoint in the legacy format (before PyTorch 1.6, not a zip); this engine reads the zip format only. ` +
          `Re-save it with a newer PyTorch: python -c "import torch; torch.save(torch.load('${path}', map_location='cpu'), 'resaved.pth.tar')"`);
      }
      throw new FormatError(path, 'byte 0', 'not a PyTorch checkpoint (expected a zip archive written by torch.save)');
    }
    const entries = listZip(src, path);
    const pkl = entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name) || e.name === 'data.pkl');
    if (pkl.length !== 1) throw new FormatError(path, 'zip members', `expected one <name>/data.pkl, found ${pkl.length} (${entries.slice(0, 5).map((e) => e.name).join(', ')}…)`);
    const prefix = pkl[0].name.slice(0, -'data.pkl'.length);
    const byName = new Map(entries.map((e) => [e.name, e]));
    const root = unpickle(memberBytes(src, pkl[0], path), `${path}:${pkl[0].name}`, torchProfile);
    return {
      root,
      tensors: (refs) => readTensors(src, byName, prefix, refs, path),
      close: () => src.close(),
    };
  } catch (e) {
    src.close();
    throw e;
  }
}

function memberStart(src: FileRegion, e: ZipEntry, file: string): number {
  const lh = src.read(e.localHeader, 30);
  const lv = new DataView(lh.buffer, lh.byteOffset, lh.byteLength);
  if (lh.length < 30 || lv.getUint32(0, true) !== 0x04034b50) throw new FormatError(file, `byte ${e.localHeader}`, `bad zip local header for ${e.name}`);
  return e.localHeader + 30 + lv.getUint16(26, true) + lv.getUint16(28, true);
}

function memberBytes(src: FileRegion, e: ZipEntry, file: string): Uint8Array {
  if (e.method !== 0) throw new FormatError(file, e.name, `zip compression method ${e.method}: torch.save stores its members uncompressed`);
  const at = memberStart(src, e, file);
  const out = src.read(at, e.size);
  if (out.length !== e.size) throw new FormatError(file, e.name, `truncated: ${out.length} of ${e.size} bytes`);
  return out;
}

function readTensors(src: FileRegion, byName: Map<string, ZipEntry>, prefix: string, refs: Record<string, TensorRef>, file: string): TensorMap {
  const out: TensorMap = {};
  const cache = new Map<string, Uint8Array>();
  for (const [name, r] of Object.entries(refs)) {
    const kind = STORAGES[r.storage.kind];
    if (!kind) throw new UserError(`${file}: tensor "${name}" is stored as torch.${r.storage.kind}; this engine reads float, double, half, int and long tensors`);
    const member = `${prefix}data/${r.storage.key}`;
    let raw = cache.get(member);
    if (!raw) {
      const e = byName.get(member);
      if (!e) throw new FormatError(file, `tensor "${name}"`, `its storage ${member} is not in the archive`);
      raw = memberBytes(src, e, file);
      if (raw.length < r.storage.numel * kind.bytes) throw new FormatError(file, member, `${raw.length} bytes for ${r.storage.numel} elements of ${kind.bytes} bytes`);
      cache.set(member, raw);
    }
    out[name] = gather(raw, kind, r, name, file);
  }
  return out;
}

/** The tensor's elements (any strides) as a contiguous safetensors tensor. */
function gather(raw: Uint8Array, kind: (typeof STORAGES)[string], r: TensorRef, name: string, file: string): SafeTensor {
  const n = r.size.reduce((a, b) => a * b, 1);
  let last = r.offset;
  r.size.forEach((d, i) => { if (d > 0) last += (d - 1) * r.stride[i]; });
  if (n > 0 && last >= r.storage.numel) throw new FormatError(file, `tensor "${name}"`, `size [${r.size}] with strides [${r.stride}] from offset ${r.offset} reaches past its storage of ${r.storage.numel} elements`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read = (i: number): number | bigint => {
    const at = i * kind.bytes;
    switch (kind.from) {
      case 'f32': return view.getFloat32(at, true);
      case 'f64': return view.getFloat64(at, true);
      case 'f16': return half(view.getUint16(at, true));
      case 'i64': return view.getBigInt64(at, true);
      default: return view.getInt32(at, true);
    }
  };
  const data = kind.dtype === 'I64' ? new BigInt64Array(n) : kind.dtype === 'I32' ? new Int32Array(n) : new Float32Array(n);
  const idx = new Array(r.size.length).fill(0);
  for (let k = 0; k < n; k++) {
    let src = r.offset;
    for (let d = 0; d < idx.length; d++) src += idx[d] * r.stride[d];
    (data as unknown as (number | bigint)[])[k] = read(src);
    for (let d = idx.length - 1; d >= 0; d--) { if (++idx[d] < r.size[d]) break; idx[d] = 0; }
  }
  return { dtype: kind.dtype, shape: [...r.size], data };
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * The state dict of a checkpoint: `state_dict` of the top-level dict (what the official training
 * scripts save), else the top level itself when it is a dict of tensors (torch.save(model.state_dict())).
 * A leading `module.` (DataParallel) is dropped from every name. Returns the tensors read and the
 * epoch when the file records one.
 */
export function readTorchStateDict(path: string): { tensors: TensorMap; epoch?: number } {
  const ck = openTorchCheckpoint(path);
  try {
    const root = ck.root;
    if (!(root instanceof Map)) throw new FormatError(path, 'top level', 'expected a dict (a state dict, or {\'state_dict\': …})');
    const sd = root.has('state_dict') ? root.get('state_dict') : root;
    if (!(sd instanceof Map)) throw new FormatError(path, 'state_dict', 'expected a dict of tensors');
    const refs: Record<string, TensorRef> = {};
    for (const [k, v] of sd) {
      if (typeof k !== 'string') throw new FormatError(path, 'state_dict', `a key is not a string (${String(k)})`);
      if (!(v instanceof TensorRef)) throw new FormatError(path, `state_dict["${k}"]`, 'expected a tensor');
      refs[k.startsWith('module.') ? k.slice(7) : k] = v;
    }
    const epoch = root.get('epoch');
    return { tensors: ck.tensors(refs), epoch: typeof epoch === 'number' ? epoch : undefined };
  } finally {
    ck.close();
  }
}
