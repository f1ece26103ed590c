/**
 * Which kernel variant runs on this adapter: the one place that decides.
 *
 * Every tunable kernel family is declared below with its choices, its default per adapter class
 * (software — llvmpipe, lavapipe, SwiftShader: a CPU, where barriers and gathers are dear — or
 * hardware) and whether `tune` measures it per shape. An op asks `kernelSetting(family)` for the
 * family-wide setting and `tunedEntry(family, shapeClass)` for a per-shape winner of the tuning
 * cache (src/gpu/tuning.ts); no op reads the adapter's type itself. A setting comes from, in
 * order of precedence:
 *   forced  `forceKernel` (tests, the tuner), then `--kernel family=value` / `I2MD_KERNELS`;
 *   tuned   the cache's entry for this shape class (families with `tuned: true`; an entry the
 *           forced setting rules out is not used);
 *   default the family's default for this adapter class (and limits).
 * `node dist/train.js info --kernels` prints what each family runs here and why; docs/tuning.md
 * describes the families and the cache.
 */
import { host } from './host.js';
import type { DeviceSummary } from './device.js';
import { cachedEntry, tunedEntries, type TunedEntry } from './tuning.js';
import { UserError } from '../util/errors.js';

export type AdapterClass = 'software' | 'hardware';
export type SettingSource = 'default' | 'forced';

export interface FamilyDecl {
  /** What the family computes and where its variants live. */
  what: string;
  /** The values a family-wide setting may take ('*': any variant name the family's module knows). */
  choices: readonly string[] | '*';
  /** The default for an adapter class and its limits. */
  default(cls: AdapterClass, limits: Record<string, number>): string;
  /** How the default refines by shape (for `info --kernels`), where it does. */
  byShape?: string;
  /** Whether `tune` measures it per shape class (its winners live in the tuning cache). */
  tuned: boolean;
}

const wgChoices = ['8', '16', '32', '64', '128', '256', '512', '1024'];

/** The tunable families. The order is the order `info --kernels` prints. */
export const kernelFamilies = {
  matmul: {
    what: 'matrix products (src/ops/matmul/variants.ts)',
    choices: '*',
    default: () => 'auto',
    byShape: 'software: register blocks (reg4x4 / reg8x8) or uniform windows (ubo8x8, k-major ubok16x16[n4]) by a cost model; hardware: vec4 shared-memory tiles (t4_128 / t4_64r4 / t4_128x64 / t4_64) by size and limits',
    tuned: true,
  },
  topk: {
    what: 'top-k mask workgroup size (src/ops/topk.ts)',
    choices: wgChoices.slice(2),
    default: (cls) => (cls === 'software' ? '32' : '256'),
    tuned: true,
  },
  contrastive: {
    what: 'queue products of InfoNCE / CMD (src/ops/contrastive.ts): tiles = shared-memory split-K kernels, gemm = matmul',
    choices: ['tiles', 'gemm'],
    default: (cls) => (cls === 'software' ? 'gemm' : 'tiles'),
    byShape: 'tiles: the split-K chunking (GROUPS) and the subgroup row pass (SG) may be tuned per shape',
    tuned: true,
  },
  tconv: {
    what: 'temporal convolution passes (src/ops/tconv/variants.ts): gemm = tiled implicit GEMM, direct = register-blocked kernels, cols = im2col + matmul',
    choices: ['gemm', 'direct', 'cols'],
    default: (cls) => (cls === 'software' ? 'direct' : 'gemm'),
    byShape: 'software default: a 1×1 stride-1 forward / input gradient of at least 8 / 1.5 MFLOP goes through cols',
    tuned: true,
  },
  graphconv: {
    what: 'graph aggregation and its gradients (src/ops/graphconv/variants.ts): flat = one output per invocation, reg = register blocks',
    choices: ['flat', 'reg'],
    default: (cls) => (cls === 'software' ? 'reg' : 'flat'),
    tuned: true,
  },
  graphsparse: {
    what: 'graph aggregation over a known support, ST-GCN\'s partition (src/ops/graphconv/support.ts): sparse = generated kernels that compute only its entries, dense = the graphconv kernels on the whole adjacency',
    choices: ['sparse', 'dense'],
    default: (cls) => (cls === 'software' ? 'sparse' : 'dense'),
    tuned: false,
  },
  batchnorm: {
    what: 'batch-norm per-channel reductions, workgroup size (src/ops/batchnorm.ts)',
    choices: wgChoices.slice(0, 6),
    default: (cls) => (cls === 'software' ? '8' : '256'),
    tuned: false,
  },
  pool: {
    what: 'global average pooling forward, workgroup size (src/ops/pool.ts)',
    choices: wgChoices.slice(0, 6),
    default: (cls) => (cls === 'software' ? '8' : '64'),
    tuned: false,
  },
  ema: {
    what: 'momentum-encoder update, parameter pairs per dispatch (src/optim/ema.ts)',
    choices: ['1', '4', '8'],
    default: (_, limits) => (limits.maxStorageBuffersPerShaderStage >= 16 ? '8' : limits.maxStorageBuffersPerShaderStage >= 8 ? '4' : '1'),
    tuned: false,
  },
  sgd: {
    what: 'SGD update, parameters per dispatch (src/optim/sgd.ts)',
    choices: ['1', '4', '5'],
    default: (_, limits) => (limits.maxStorageBuffersPerShaderStage >= 15 ? '5' : limits.maxStorageBuffersPerShaderStage >= 12 ? '4' : '1'),
    tuned: false,
  },
} satisfies Record<string, FamilyDecl>;

export type KernelFamily = keyof typeof kernelFamilies;
export const familyNames = Object.keys(kernelFamilies) as KernelFamily[];

// ---------------------------------------------------------------- the adapter

type AdapterFacts = Pick<DeviceSummary, 'software' | 'limits'>;
let adapter: AdapterFacts | undefined;
/** Binds the policy to the device's summary (binding a device to the engine does it: src/tensor/tensor.ts useGpu). */
export function usePolicyAdapter(summary: AdapterFacts): void { adapter = summary; }

function current(): AdapterFacts {
  if (!adapter) throw new Error('kernel policy: no device bound (call initEngine first)');
  return adapter;
}

/** The adapter's class: what every default is chosen for. */
export function adapterClass(summary: Pick<DeviceSummary, 'software'> = current()): AdapterClass {
  return summary.software ? 'software' : 'hardware';
}

// ---------------------------------------------------------------- forcing

const forcedByCode = new Map<KernelFamily, string>();
let fromEnv: { text: string; map: Map<KernelFamily, string> } | undefined;

function checkChoice(family: string, value: string, where: string): asserts family is KernelFamily {
  const decl = (kernelFamilies as Record<string, FamilyDecl>)[family];
  if (!decl) throw new UserError(`${where}: unknown kernel family '${family}' (${familyNames.join(', ')})`, 2);
  if (decl.choices !== '*' && !decl.choices.includes(value)) {
    throw new UserError(`${where}: '${value}' is not a choice of ${family} (${decl.choices.join(', ')})`, 2);
  }
}

/** Parses `family=value,family=value` (the form of I2MD_KERNELS and of repeated --kernel flags). */
export function parseKernelSettings(text: string, where: string): Map<KernelFamily, string> {
  const out = new Map<KernelFamily, string>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UserError(`${where}: expected family=value, got '${part}'`, 2);
    const family = part.slice(0, eq).trim(), value = part.slice(eq + 1).trim();
    checkChoice(family, value, where);
    out.set(family, value);
  }
  return out;
}

function envSettings(): Map<KernelFamily, string> {
  const text = host.env('I2MD_KERNELS') ?? '';
  if (fromEnv?.text !== text) fromEnv = { text, map: parseKernelSettings(text, 'I2MD_KERNELS') };
  return fromEnv.map;
}

/** Forces a family's setting until cleared with undefined (tests, benchmarks, the tuner). */
export function forceKernel(family: KernelFamily, value: string | undefined): void {
  if (value === undefined) { forcedByCode.delete(family); return; }
  checkChoice(family, value, 'forceKernel');
  forcedByCode.set(family, value);
}

/** Runs fn (sync or async) with a family forced to a value, then restores what was forced before. */
export function withKernel<T>(family: KernelFamily, value: string, fn: () => T): T {
  const before = forcedByCode.get(family);
  forceKernel(family, value);
  const restore = () => forceKernel(family, before);
  let out: T;
  try { out = fn(); } catch (e) { restore(); throw e; }
  if (out instanceof Promise) return out.finally(restore) as T;
  restore();
  return out;
}

export interface KernelSetting { value: string; source: SettingSource }

/** The family-wide setting on this adapter: forced, else the default for its class. */
export function kernelSetting(family: KernelFamily): KernelSetting {
  const forced = forcedByCode.get(family) ?? envSettings().get(family);
  if (forced !== undefined) return { value: forced, source: 'forced' };
  return { value: defaultSetting(family), source: 'default' };
}

/** The family's default on this adapter, whatever is forced (what a forced choice that cannot run falls back to). */
export function defaultSetting(family: KernelFamily): string {
  const a = current();
  return (kernelFamilies[family] as FamilyDecl).default(adapterClass(a), a.limits);
}

/** A numeric setting (workgroup sizes, slots per dispatch). */
export const kernelNumber = (family: KernelFamily): number => Number(kernelSetting(family).value);

/** What `info --kernels` prints for one family: its setting here and why, its choices, its tuned shapes. */
export interface KernelReport {
  family: KernelFamily; what: string; value: string; source: SettingSource | 'forced (I2MD_KERNELS / --kernel)';
  choices: string; byShape?: string; tunedShapes?: number;
}

/** Every family's setting on this adapter and why (default / forced), with the tuning cache's shapes for it. */
export function kernelReport(summary?: Pick<DeviceSummary, 'vendor' | 'architecture' | 'device' | 'description' | 'backend'>): KernelReport[] {
  const tuned = summary ? tunedEntries(summary) : {};
  return familyNames.map((family) => {
    const decl = kernelFamilies[family] as FamilyDecl;
    const s = kernelSetting(family);
    const byEnv = s.source === 'forced' && !forcedByCode.has(family);
    return {
      family, what: decl.what, value: s.value, source: byEnv ? 'forced (I2MD_KERNELS / --kernel)' : s.source,
      choices: decl.choices === '*' ? 'auto or a variant name' : decl.choices.join(', '),
      byShape: decl.byShape, tunedShapes: decl.tuned ? Object.keys(tuned[family] ?? {}).length : undefined,
    };
  });
}

// ---------------------------------------------------------------- per-shape tuned entries

/** Entries the tuner forces while it measures, by family; they win over the cache. */
const tunerForced = new Map<string, TunedEntry>();
let bypass = false;
let seen: Record<string, Set<string>> | undefined;

/**
 * The tuned entry of `family` for this shape class on this adapter: the tuner's forced entry,
 * else the cache's (undefined when there is none, or while the tuner bypasses the cache). The op
 * checks the entry's overrides against its limits and its forced setting before using it.
 */
export function tunedEntry(family: string, shapeClass: string, summary?: object): TunedEntry | undefined {
  if (seen) (seen[family] ??= new Set()).add(shapeClass);
  const f = tunerForced.get(family);
  if (f) return f;
  if (bypass) return undefined;
  return cachedEntry(family, shapeClass, summary ?? adapter);
}

/** One override constant of the tuned entry, e.g. `tunedConstant('topk', cls, 'WG')`. */
export function tunedConstant(family: string, shapeClass: string, name: string, summary?: object): number | undefined {
  return tunedEntry(family, shapeClass, summary)?.overrides[name];
}

/** Makes every lookup of `family` return `entry` until cleared (the tuner measures a variant through the ops' own path). */
export function forceVariant(family: string, entry: TunedEntry | undefined): void {
  if (entry) tunerForced.set(family, entry); else tunerForced.delete(family);
}

/** While on, lookups ignore the cache (the tuner's reference run is the defaults). */
export function bypassTuningCache(on: boolean): void { bypass = on; }

/**
 * Starts (true) or ends (false) recording which shape classes the ops look up; ending returns
 * them by family, so the tuner learns which class an op really asks for.
 */
export function recordLookups(on: boolean): Record<string, string[]> {
  const out = Object.fromEntries(Object.entries(seen ?? {}).map(([f, s]) => [f, [...s]]));
  seen = on ? {} : undefined;
  return out;
}
