/**
 * The tunable work split of the graph aggregation (kernel family `graphconv` of src/gpu/policy.ts,
 * docs/tuning.md).
 * Per pass — the forward aggregation, its input gradient, the adjacency gradient — which kernels
 * of kernels/graphconv/aggregate.wgsl run it and how they split the work:
 *   flat  `aggregate` (one invocation per output, WG of them per workgroup) and `adj_grad` (256
 *         lanes, rows staged in workgroup memory; GROUPS: the workgroups its slicing aims for);
 *   reg   `agg_reg` / `adj_reg`: TR rows × TW columns per invocation, RWG lanes; for the adjacency
 *         gradient GROUPS is the workgroups its batch slicing aims for.
 * Every variant computes the same sums; only the adjacency gradient's slicing (and flat vs reg)
 * changes the order of additions. Without a valid tuned entry the op gets
 * `defaultGraphVariant`: the policy's setting (default: reg on software adapters, else flat).
 */
import { G } from '../../tensor/tensor.js';
import { sizeClass } from '../../gpu/tuning.js';
import { kernelSetting, tunedEntry } from '../../gpu/policy.js';
import type { Overrides } from '../../gpu/kernels.js';

/** The three passes of the aggregation: each has its own tuned entry. */
export type GraphPass = 'fwd' | 'dx' | 'dadj';

/** The sizes of one aggregation: x (N, C, T, V), K adjacency matrices (V × V). */
export interface GraphDims { N: number; C: number; T: number; V: number; K: number }

export type GraphVariant =
  | { name: string; path: 'flat'; WG: number; GROUPS: number }
  | { name: string; path: 'reg'; TR: number; TW: number; RWG: number; GROUPS: number };

/** Flat: the aggregate kernels' workgroup size and the adjacency gradient's workgroup target. */
export const FLAT_WG = 256, FLAT_GROUPS = 256;
/**
 * Reg: 8 × 8 outputs per invocation, 64 lanes; the adjacency gradient aims for 48 workgroups of
 * 8 lanes (`ADJ_RWG`): each lane then sums 8× the rows, and its workgroup sum costs llvmpipe one
 * SIMD group instead of 8 switching at the barrier (docs/bench.md#software-adapters). 48 is one
 * slice at V 25, K 3 — no slice sum to dispatch — where the work is small (the demo's shapes);
 * the paper's are sliced by the lane-sum cap.
 */
export const REG = { TR: 8, TW: 8, RWG: 64, ADJ_RWG: 8, GROUPS: 48 } as const;
/** Floats of `adj_reg`'s workgroup array `red` (kernels/graphconv/aggregate.wgsl): RWG · TR · TW must fit. */
const ADJ_RED = 4096;
/** `adj_grad` stages two 32 × 64 float tiles and `adj_reg` sums through `red`: 16 KiB each. */
const ADJ_WORKGROUP_BYTES = 16384;

/** The tuning cache's key: the pass and the sizes (N, C, T, V rounded up to powers of two; K exact), e.g. `fwd:n128c64t16v32k3`. */
export function graphShapeClass(pass: GraphPass, d: GraphDims): string {
  return `${pass}:n${sizeClass(d.N)}c${sizeClass(d.C)}t${sizeClass(d.T)}v${sizeClass(d.V)}k${d.K}`;
}

/** The names show the knobs that matter for the pass (the adjacency gradient's GROUPS, the aggregation's workgroup size). */
const flat = (pass: GraphPass, WG: number, GROUPS: number): GraphVariant =>
  ({ name: pass === 'dadj' ? `flatg${GROUPS}` : `flatw${WG}`, path: 'flat', WG, GROUPS });
const reg = (pass: GraphPass, TR: number, TW: number, RWG: number, GROUPS: number): GraphVariant =>
  ({ name: `reg${TR}x${TW}w${RWG}${pass === 'dadj' ? `g${GROUPS}` : ''}`, path: 'reg', TR, TW, RWG, GROUPS });

/** What the op runs without the cache: the policy's setting, `reg` (the default on software adapters) or `flat`. */
export function defaultGraphVariant(pass: GraphPass): GraphVariant {
  return kernelSetting('graphconv').value === 'reg' ? reg(pass, REG.TR, REG.TW, pass === 'dadj' ? REG.ADJ_RWG : REG.RWG, REG.GROUPS) : flat(pass, FLAT_WG, FLAT_GROUPS);
}

/** The overrides that make a variant (what the cache stores): PATH 0 flat, 1 reg; only the knobs of the pass. */
export function graphOverrides(pass: GraphPass, v: GraphVariant): Overrides {
  const o: Overrides = v.path === 'flat' ? { PATH: 0, WG: v.WG } : { PATH: 1, TR: v.TR, TW: v.TW, RWG: v.RWG };
  if (pass === 'dadj') { o.GROUPS = v.GROUPS; if (v.path === 'flat') delete o.WG; }
  return o;
}

const int = (x: number | undefined, lo: number, hi: number): x is number => Number.isInteger(x) && x! >= lo && x! <= hi;

/**
 * The variant the overrides make for this pass and shape, or undefined when the kernels cannot
 * run it within `limits`: per-invocation arrays of 8 (TR, TW ≤ 8), `adj_reg`'s lane sums through
 * a workgroup array of 4096 floats (RWG · TR · TW must fit), 16 KiB of
 * workgroup memory for either adjacency-gradient kernel, grids within the per-dimension limit.
 */
export function graphFromOverrides(pass: GraphPass, d: GraphDims, o: Overrides, limits: Record<string, number>): GraphVariant | undefined {
  const maxWg = Math.min(limits.maxComputeInvocationsPerWorkgroup ?? 256, limits.maxComputeWorkgroupSizeX ?? 256);
  const maxDim = limits.maxComputeWorkgroupsPerDimension ?? 65535;
  if (pass === 'dadj' && (!int(o.GROUPS, 1, 65535) || (limits.maxComputeWorkgroupStorageSize ?? 0) < ADJ_WORKGROUP_BYTES)) return undefined;
  const groups = o.GROUPS as number;   // checked above for the adjacency gradient, the only pass that uses it
  if (o.PATH === 0) {
    if (pass === 'dadj') return maxWg >= 256 ? flat(pass, FLAT_WG, groups) : undefined;   // adj_grad's 256 lanes are fixed
    return int(o.WG, 1, maxWg) ? flat(pass, o.WG, FLAT_GROUPS) : undefined;
  }
  if (o.PATH !== 1) return undefined;
  const { TR, TW, RWG } = o;
  if (!int(TR, 1, 8) || !int(TW, 1, 8) || !int(RWG, 1, maxWg)) return undefined;
  const nwb = Math.ceil(d.V / TW);
  if (pass === 'dadj' && RWG * TR * TW > ADJ_RED) return undefined;
  if ((pass === 'dx' ? nwb : d.K * nwb) > maxDim) return undefined;
  return reg(pass, TR, TW, RWG, pass === 'dadj' ? groups : REG.GROUPS);
}

/**
 * The variant of this pass at this shape: the tuned one (`train.js tune --only graphconv`) when
 * the cache has a valid entry for this adapter, else the default. A forced setting
 * (src/gpu/policy.ts) rules out a tuned entry of the other path.
 */
export function graphVariant(pass: GraphPass, d: GraphDims): GraphVariant {
  const g = G();
  const tuned = tunedEntry('graphconv', graphShapeClass(pass, d));
  const v = tuned && graphFromOverrides(pass, d, tuned.overrides, g.limits);
  const { value, source } = kernelSetting('graphconv');
  if (v && (source === 'default' || v.path === value)) return v;
  return defaultGraphVariant(pass);
}
