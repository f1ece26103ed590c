/**
 * The autotuning cache: for each adapter, for each kernel family, for each shape class, the
 * variant `node dist/train.js tune` measured fastest (a name, the WGSL override constants that
 * make it, the times it was chosen from). Ops reach it through the kernel policy
 * (src/gpu/policy.ts `tunedEntry`) before falling back to their default, so a tuned machine and an
 * untuned one run the same code, and a cache that is missing, corrupt or from another adapter
 * changes nothing.
 *
 * File: `~/.cache/i2md-webgpu/tuning.json`, or `I2MD_TUNING_FILE` (`off` disables the cache).
 * Read lazily on the first lookup, once; a file that cannot be parsed (or entries that are not
 * well formed) is ignored with one warning. Written atomically (temp file + rename), merged with
 * what the file holds at that moment, so tuning one adapter never drops another's entries.
 * Layout and how a family plugs in: docs/tuning.md.
 */
import { host } from './host.js';
import type { DeviceSummary } from './device.js';
import type { Overrides } from './kernels.js';

/** What tells two adapters apart: a tuned variant is only trusted on the adapter that measured it. */
export interface AdapterIdentity {
  vendor: string; architecture: string; device: string; description: string;
  backend: string; featureLevel: string;
  /** The WebGPU implementation (the Dawn build of the `webgpu` package); the OS driver is in `description`. */
  driver: string;
}

/** One tuned choice: the variant and the measurements it won. */
export interface TunedEntry {
  variant: string;
  /** WGSL override constants (or, for host-side knobs, named numbers) that make the variant. */
  overrides: Overrides;
  /** Median ms of every variant measured, by name. */
  ms?: Record<string, number>;
  /** The variant the op picks without the cache, and default ms / winner ms. */
  defaultVariant?: string;
  speedup?: number;
  /** The exact shape measured, e.g. "1024x1024x1024". */
  shape?: string;
  at?: string;
}

interface AdapterEntry { adapter: AdapterIdentity; kernels: Record<string, Record<string, TunedEntry>> }
export interface TuningFile { version: 1; adapters: Record<string, AdapterEntry> }

/** Where the cache lives ('' when disabled with I2MD_TUNING_FILE=off). */
export function tuningFilePath(): string { return host.tuningFilePath(); }
const driver = (): string => host.driver();

type SummaryLike = Pick<DeviceSummary, 'vendor' | 'architecture' | 'device' | 'description' | 'backend'> & { featureLevel?: string };

export function adapterIdentity(s: SummaryLike): AdapterIdentity {
  return { vendor: s.vendor, architecture: s.architecture, device: s.device, description: s.description,
    backend: s.backend, featureLevel: s.featureLevel ?? '', driver: driver() };
}

/** The identity as one string (the key of the file's `adapters` map). */
export function adapterKey(id: AdapterIdentity): string {
  return [id.vendor, id.architecture, id.device, id.description, id.backend, id.featureLevel, id.driver].join(' | ');
}

/** Sizes rounded up to a power of two: shapes in one class share a tuned variant. */
export const sizeClass = (x: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

// ---------------------------------------------------------------- state

let loaded: { path: string; file: TuningFile } | undefined;
let warned = false;
/** Per summary object: its key (identity is computed once per device). */
const keys = new WeakMap<object, string>();

const emptyFile = (): TuningFile => ({ version: 1, adapters: {} });

function warnOnce(msg: string): void {
  if (warned) return;
  warned = true;
  console.warn(`warning: ${msg}`);
}

const isNumberMap = (x: unknown): x is Record<string, number> =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'number' && Number.isFinite(v));

function validEntry(e: unknown): e is TunedEntry {
  const x = e as TunedEntry;
  return typeof x === 'object' && x !== null && typeof x.variant === 'string' && isNumberMap(x.overrides);
}

/** Parses the file's text; throws on anything that is not a tuning file. Malformed entries are dropped (counted). */
export function parseTuningFile(text: string): { file: TuningFile; dropped: number } {
  const raw = JSON.parse(text) as TuningFile;
  if (typeof raw !== 'object' || raw === null || raw.version !== 1 || typeof raw.adapters !== 'object' || raw.adapters === null) {
    throw new Error('not a version-1 tuning file');
  }
  const file = emptyFile();
  let dropped = 0;
  for (const [key, a] of Object.entries(raw.adapters)) {
    if (typeof a !== 'object' || a === null || typeof a.kernels !== 'object' || a.kernels === null || typeof a.adapter !== 'object') { dropped++; continue; }
    const kernels: AdapterEntry['kernels'] = {};
    for (const [family, shapes] of Object.entries(a.kernels)) {
      if (typeof shapes !== 'object' || shapes === null) { dropped++; continue; }
      kernels[family] = {};
      for (const [shape, e] of Object.entries(shapes)) {
        if (validEntry(e)) kernels[family][shape] = e; else dropped++;
      }
    }
    file.adapters[key] = { adapter: a.adapter, kernels };
  }
  return { file, dropped };
}

/** Reads the cache file: {} when missing, disabled or unreadable (the latter with one warning). */
function readFile(path: string): TuningFile {
  if (!path || !host.files.exists(path)) return emptyFile();
  try {
    const { file, dropped } = parseTuningFile(host.files.readText(path));
    if (dropped > 0) warnOnce(`tuning cache ${path}: ${dropped} malformed entr${dropped === 1 ? 'y' : 'ies'} ignored`);
    return file;
  } catch (e) {
    warnOnce(`tuning cache ${path} is unreadable (${(e as Error).message}); ignoring it (re-run \`train.js tune\` to rebuild it)`);
    return emptyFile();
  }
}

let loadedEnv: string | undefined;
function state(): { path: string; file: TuningFile } {
  // lookups happen per dispatch: the path is recomputed only when the variable changes (tests)
  const env = host.env('I2MD_TUNING_FILE');
  if (!loaded || env !== loadedEnv) {
    const path = tuningFilePath();
    if (!loaded || loaded.path !== path) loaded = { path, file: readFile(path) };
    loadedEnv = env;
  }
  return loaded;
}

/** Forgets what was read (and the one-warning latch), so the next lookup reads the file again. */
export function resetTuningCache(): void { loaded = undefined; warned = false; }

function keyOf(adapter: SummaryLike): string {
  let k = keys.get(adapter);
  if (k === undefined) { k = adapterKey(adapterIdentity(adapter)); keys.set(adapter, k); }
  return k;
}

const hasIdentity = (a: object): a is SummaryLike => typeof (a as SummaryLike).description === 'string' && typeof (a as SummaryLike).backend === 'string';

// ---------------------------------------------------------------- lookup

/**
 * The cache's entry of `family` for this shape class on this adapter, or undefined. `adapter` is a
 * device summary; an object without the identity fields (a test asking "what would a hardware
 * adapter pick") gets none. Ops ask through src/gpu/policy.ts, which adds the tuner's forcing.
 */
export function cachedEntry(family: string, shapeClass: string, adapter?: object): TunedEntry | undefined {
  if (!adapter || !hasIdentity(adapter)) return undefined;
  return state().file.adapters[keyOf(adapter)]?.kernels[family]?.[shapeClass];
}

// ---------------------------------------------------------------- store

/** Every entry of one adapter (for printing). */
export function tunedEntries(adapter: SummaryLike): Record<string, Record<string, TunedEntry>> {
  return state().file.adapters[keyOf(adapter)]?.kernels ?? {};
}

/** Records a tuned variant in memory (lookups see it at once); `saveTuning` writes it. */
export function storeTuned(family: string, shapeClass: string, entry: TunedEntry, adapter: SummaryLike): void {
  const file = state().file;
  const key = keyOf(adapter);
  const a = file.adapters[key] ??= { adapter: adapterIdentity(adapter), kernels: {} };
  (a.kernels[family] ??= {})[shapeClass] = entry;
}

/**
 * Writes the entries of `adapter` into the cache file atomically, over what the file holds now
 * (other adapters' entries, and families this run did not tune, stay). Returns the path ('' when
 * the cache is disabled).
 */
export function saveTuning(adapter: SummaryLike): string {
  const { path, file } = state();
  if (!path) return '';
  const key = keyOf(adapter);
  const mine = file.adapters[key];
  const onDisk = readFile(path);
  if (mine) {
    const a = onDisk.adapters[key] ??= { adapter: mine.adapter, kernels: {} };
    a.adapter = mine.adapter;
    for (const [family, shapes] of Object.entries(mine.kernels)) a.kernels[family] = { ...a.kernels[family], ...shapes };
  }
  host.files.writeAtomic(path, JSON.stringify(onDisk, null, 1) + '\n');
  loaded = { path, file: onDisk };
  return path;
}
