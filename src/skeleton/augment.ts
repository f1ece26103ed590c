/**
 * Per-view augmentation of docs/method.md#augmentation (the official CMD recipe), on one sample
 * (C=3, T_in, V, M) float32 in C order, index ((c·T + t)·V + v)·M + m:
 *   1. temporal crop of the valid frames, resized to T_out frames by linear interpolation
 *      (PyTorch `F.interpolate(bilinear, align_corners=False)` along time, i.e. half-pixel centres);
 *   2. exactly one of: joint masking (p = 0.25), joint linear corruption (p = 0.25), shear (p = 0.5).
 * Frames at or beyond the valid count are padding and are never read.
 */
import type { Sample } from '../data/dataset.js';
import type { Rng } from '../util/random.js';

export interface AugmentOptions {
  T_in: number;                   // frames stored per sample (the dataset's T)
  V: number;
  M: number;
  T_out?: number;                 // frames per view (default 64)
  scaleRange?: [number, number];  // crop scale ~ U[lo, hi) (default [0.1, 1))
  minCrop?: number;               // shortest crop before clamping to the valid frames (default 64)
  jointCount?: number;            // joints masked / corrupted (default round(jointFraction·V), at most V)
  jointFraction?: number;         // default 0.6: 15 of NTU's 25 joints, 12 of a 20-joint layout
  corruptions?: readonly Corruption[]; // which of the three may follow the crop (default all)
  shearAmplitude?: number;        // shear entries ~ U(−s, s) (default 1)
}

export type Corruption = 'mask' | 'linear' | 'shear';
/** The official draw: mask with p 0.25, linear 0.25, shear 0.5 — relative weights 1 : 1 : 2. */
const CORRUPTION_WEIGHT: Record<Corruption, number> = { mask: 1, linear: 1, shear: 2 };

export const DEFAULT_T_OUT = 64;
export const DEFAULT_MIN_CROP = 64;
export const DEFAULT_JOINT_COUNT = 15;
export const DEFAULT_JOINT_FRACTION = 0.6;

/** Joints the mask and the random-linear corruption touch: the count if given, else a fraction of V. */
export function corruptedJoints(V: number, opts: Pick<AugmentOptions, 'jointCount' | 'jointFraction'> = {}): number {
  const n = opts.jointCount ?? Math.round((opts.jointFraction ?? DEFAULT_JOINT_FRACTION) * V);
  return Math.max(0, Math.min(n, V));
}
export const PRETRAIN_SCALE: [number, number] = [0.1, 1];
export const TRAIN_EVAL_SCALE: [number, number] = [0.5, 1];
export const TEST_KEEP = 0.95;

const C = 3;

/** Valid frames, kept within 1 … T_in so a bad count never reads padding or out of range. */
function clampFrames(nf: number, T_in: number): number {
  return Math.min(Math.max(Math.floor(nf), 1), T_in);
}

/**
 * Resamples frames [start, start+L) of x to T_out frames: src = max(0, (i+0.5)·L/T_out − 0.5),
 * i0 = ⌊src⌋, i1 = min(i0+1, L−1), w = src − i0, y = (1−w)·x[i0] + w·x[i1].
 */
export function resampleWindow(
  x: Float32Array, T_in: number, V: number, M: number, start: number, L: number, T_out: number,
): Float32Array {
  if (L < 1 || start < 0 || start + L > T_in) throw new Error(`resampleWindow: window [${start}, ${start + L}) outside 0…${T_in}`);
  const VM = V * M;
  const out = new Float32Array(C * T_out * VM);
  const ratio = L / T_out;
  for (let i = 0; i < T_out; i++) {
    const src = Math.max(0, (i + 0.5) * ratio - 0.5);
    const i0 = Math.floor(src);
    const i1 = Math.min(i0 + 1, L - 1);
    const w = src - i0;
    for (let c = 0; c < C; c++) {
      const a = (c * T_in + start + i0) * VM;
      const b = (c * T_in + start + i1) * VM;
      const o = (c * T_out + i) * VM;
      for (let j = 0; j < VM; j++) out[o + j] = (1 - w) * x[a + j] + w * x[b + j];
    }
  }
  return out;
}

/**
 * Random temporal crop + resize: scale ~ U[lo, hi), L = min(max(⌊nf·scale⌋, minCrop), nf),
 * start ~ U{0 … nf−L}. Draws exactly two numbers from rng (scale, then start).
 */
export function cropResize(
  x: Float32Array, T_in: number, V: number, M: number, nf: number,
  scaleRange: [number, number], T_out: number, rng: Rng, minCrop = DEFAULT_MIN_CROP,
): Float32Array {
  const n = clampFrames(nf, T_in);
  const scale = rng.uniform(scaleRange[0], scaleRange[1]);
  const L = Math.min(Math.max(Math.floor(n * scale), minCrop), n);
  const start = rng.int(n - L + 1);
  return resampleWindow(x, T_in, V, M, start, L, T_out);
}

/**
 * Evaluation crop: drops bias = ⌊(1−keep)·nf/2⌋ frames at each end (the official `int(...)`),
 * then resizes to T_out. No randomness.
 */
export function centreCrop(
  x: Float32Array, T_in: number, V: number, M: number, nf: number, keep = TEST_KEEP, T_out = DEFAULT_T_OUT,
): Float32Array {
  if (!(keep > 0 && keep <= 1)) throw new Error(`centreCrop: keep must be in (0, 1], got ${keep}`);
  const n = clampFrames(nf, T_in);
  const bias = Math.floor(((1 - keep) * n) / 2);
  return resampleWindow(x, T_in, V, M, bias, n - 2 * bias, T_out);
}

/** Zeroes `count` distinct random joints (capped at V) in every frame and person; in place. */
export function jointMask(x: Float32Array, T: number, V: number, M: number, rng: Rng, count = DEFAULT_JOINT_COUNT): Float32Array {
  const joints = rng.choose(V, Math.min(count, V));
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < T; t++) {
      for (const v of joints) x.fill(0, ((c * T + t) * V + v) * M, ((c * T + t) * V + v + 1) * M);
    }
  }
  return x;
}

/**
 * Replaces each point p of `count` random joints by R·p, one 3×3 matrix R (row-major, entries
 * U(−1, 1)) for all of them; in place. The official code multiplies row vectors (pᵀR); with
 * i.i.d. entries both conventions give the same distribution, and R·p matches `shear`.
 * Draws: the joints first, then R's nine entries row by row.
 */
export function jointLinear(x: Float32Array, T: number, V: number, M: number, rng: Rng, count = DEFAULT_JOINT_COUNT): Float32Array {
  const joints = rng.choose(V, Math.min(count, V));
  const R = new Float64Array(9);
  for (let i = 0; i < 9; i++) R[i] = rng.uniform(-1, 1);
  const jointSet = new Uint8Array(V);
  for (const v of joints) jointSet[v] = 1;
  applyMatrix(x, T, V, M, R, jointSet);
  return x;
}

/** The shear matrix S = [[1,a,b],[c,1,d],[e,f,1]] (row-major), a…f ~ U(−s, s) (s = 1 officially) drawn in that order. */
export function randomShear(rng: Rng, amplitude = 1): Float64Array {
  const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => rng.uniform(-amplitude, amplitude));
  return Float64Array.of(1, a, b, c, 1, d, e, f, 1);
}

/** p ← S·p for every point, with S from `randomShear` (or given, for tests); in place. */
export function shear(x: Float32Array, T: number, V: number, M: number, rng: Rng, S: ArrayLike<number> = randomShear(rng)): Float32Array {
  applyMatrix(x, T, V, M, S, undefined);
  return x;
}

/** p ← R·p for the joints flagged in `only` (all when undefined); R row-major 3×3. */
function applyMatrix(x: Float32Array, T: number, V: number, M: number, R: ArrayLike<number>, only: Uint8Array | undefined): void {
  const plane = T * V * M; // stride between the x, y and z channels
  for (let t = 0; t < T; t++) {
    for (let v = 0; v < V; v++) {
      if (only && !only[v]) continue;
      for (let m = 0; m < M; m++) {
        const i = (t * V + v) * M + m;
        const px = x[i], py = x[plane + i], pz = x[2 * plane + i];
        x[i] = R[0] * px + R[1] * py + R[2] * pz;
        x[plane + i] = R[3] * px + R[4] * py + R[5] * pz;
        x[2 * plane + i] = R[6] * px + R[7] * py + R[8] * pz;
      }
    }
  }
}

/** Which corruption a uniform draw u ∈ [0, 1) picks among those allowed (official weights); undefined for none. */
export function pickCorruption(u: number, allowed: readonly Corruption[] = ['mask', 'linear', 'shear']): Corruption | undefined {
  const list = (['mask', 'linear', 'shear'] as const).filter((c) => allowed.includes(c));
  const total = list.reduce((a, c) => a + CORRUPTION_WEIGHT[c], 0);
  let acc = 0;
  for (const c of list) { acc += CORRUPTION_WEIGHT[c] / total; if (u < acc) return c; }
  return list[list.length - 1];
}

/** One pre-training view: crop-resize with scale U[0.1, 1), then exactly one of the allowed corruptions. */
export function augmentView(sample: Sample, opts: AugmentOptions, rng: Rng): Float32Array {
  const T_out = opts.T_out ?? DEFAULT_T_OUT;
  const { V, M } = opts;
  const y = cropResize(sample.data, opts.T_in, V, M, sample.frames, opts.scaleRange ?? PRETRAIN_SCALE, T_out, rng, opts.minCrop ?? DEFAULT_MIN_CROP);
  const count = corruptedJoints(V, opts);
  switch (pickCorruption(rng.next(), opts.corruptions)) {
    case 'mask': return jointMask(y, T_out, V, M, rng, count);
    case 'linear': return jointLinear(y, T_out, V, M, rng, count);
    case 'shear': return shear(y, T_out, V, M, rng, randomShear(rng, opts.shearAmplitude ?? 1));
    default: return y;
  }
}

/** The two views of one sample, drawn one after the other from rng (independent draws). */
export function twoViews(sample: Sample, opts: AugmentOptions, rng: Rng): [Float32Array, Float32Array] {
  const v1 = augmentView(sample, opts, rng);
  const v2 = augmentView(sample, opts, rng);
  return [v1, v2];
}

/** The linear-evaluation training view: crop-resize with scale U[0.5, 1), no corruption. */
export function trainEvalView(sample: Sample, opts: AugmentOptions, rng: Rng): Float32Array {
  return cropResize(sample.data, opts.T_in, opts.V, opts.M, sample.frames, opts.scaleRange ?? TRAIN_EVAL_SCALE,
    opts.T_out ?? DEFAULT_T_OUT, rng, opts.minCrop ?? DEFAULT_MIN_CROP);
}

/** The test view: centre crop keeping 95% of the valid frames, resized; deterministic. */
export function evalView(sample: Sample, opts: AugmentOptions): Float32Array {
  return centreCrop(sample.data, opts.T_in, opts.V, opts.M, sample.frames, TEST_KEEP, opts.T_out ?? DEFAULT_T_OUT);
}
