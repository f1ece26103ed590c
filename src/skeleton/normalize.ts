/**
 * Normalisation of real skeletons before anything learns from them. Raw camera coordinates put
 * the subject ~3 m deep and wherever they stood in the room, so the position dominates every
 * distance and every feature; the standard preprocessing of each dataset family removes it:
 *
 *   none          keep the camera coordinates;
 *   centre-first  subtract body 0's centre joint of the first frame from every frame (the
 *                 translation-only preprocessing of SGN-style pipelines; movement through the room
 *                 — walking, stepping — stays visible);
 *   centre-frame  subtract body 0's centre joint of each frame from that frame (the 2s-AGCN /
 *                 ST-GCN-family preprocessing; the body stays at the origin, global movement is lost);
 *   align         centre-first, then one rotation for the whole sequence so body 0's hip→spine
 *                 bone of the first frame points along +z and the horizontal part of its
 *                 right-minus-left shoulder line along +x (view alignment);
 *   align-frame   centre-frame with the same rotation: what the NTU reader and the 2s-AGCN
 *                 `pre_normalization` do.
 *
 * Works on one packed sample (3, T, V, M) in C order, in place; frames ≥ the valid count are
 * padding and stay as they are, and absent joints (all three coordinates exactly 0, how every
 * reader marks a missing body) stay at zero.
 */
import { UserError } from '../util/errors.js';
import type { Layout } from './layouts.js';

export const NORMALIZATIONS = ['none', 'centre-first', 'centre-frame', 'align', 'align-frame'] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

/** The joints normalisation needs, 0-based: the body centre and the bones that fix the view. */
export interface BodyAnchors { centre: number; hip: number; spine: number; leftShoulder: number; rightShoulder: number }

export function parseNormalization(value: unknown, flag = '--normalize'): Normalization {
  if ((NORMALIZATIONS as readonly unknown[]).includes(value)) return value as Normalization;
  throw new UserError(`${flag} ${String(value)}: expected one of ${NORMALIZATIONS.join(', ')}`);
}

const translates = (n: Normalization): 'first' | 'frame' | undefined =>
  n === 'centre-first' || n === 'align' ? 'first' : n === 'centre-frame' || n === 'align-frame' ? 'frame' : undefined;
const rotates = (n: Normalization): boolean => n === 'align' || n === 'align-frame';

/** The anchors of a layout, or a one-line error naming what the mode needs. */
export function anchorsOf(layout: Layout, mode: Normalization): BodyAnchors | undefined {
  if (mode === 'none') return undefined;
  if (!layout.anchors) {
    if (rotates(mode)) throw new UserError(`--normalize ${mode}: the ${layout.name} layout names no hip, spine and shoulder joints to align with (use centre-first or centre-frame)`);
    return { centre: layout.centre, hip: layout.centre, spine: layout.centre, leftShoulder: layout.centre, rightShoulder: layout.centre };
  }
  return layout.anchors;
}

/** Row-major 3×3 rotation (Rodrigues) taking the direction of `from` onto the unit vector `to`; identity when undefined. */
export function rotationOnto(from: readonly number[], to: readonly number[]): number[] {
  const I = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  const len = Math.hypot(from[0], from[1], from[2]);
  if (len < 1e-8) return I;
  const f = from.map((x) => x / len);
  const k = [f[1] * to[2] - f[2] * to[1], f[2] * to[0] - f[0] * to[2], f[0] * to[1] - f[1] * to[0]];
  const s = Math.hypot(k[0], k[1], k[2]);
  const c = f[0] * to[0] + f[1] * to[1] + f[2] * to[2];
  if (s < 1e-8) {
    if (c > 0) return I;
    // antiparallel: a half turn about any axis perpendicular to `to`
    const a = Math.abs(to[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const p = [a[1] * to[2] - a[2] * to[1], a[2] * to[0] - a[0] * to[2], a[0] * to[1] - a[1] * to[0]];
    const n = Math.hypot(p[0], p[1], p[2]);
    const [x, y, z] = p.map((v) => v / n);
    return [2 * x * x - 1, 2 * x * y, 2 * x * z, 2 * y * x, 2 * y * y - 1, 2 * y * z, 2 * z * x, 2 * z * y, 2 * z * z - 1];
  }
  const [x, y, z] = k.map((v) => v / s);
  const C = 1 - c;
  return [
    c + x * x * C, x * y * C - z * s, x * z * C + y * s,
    y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C,
  ];
}

const mul3 = (A: number[], B: number[]): number[] => {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += A[i * 3 + k] * B[k * 3 + j];
  return out;
};

/**
 * Normalises one (3, T, V, M) sample in place. `frames` is the valid count; `anchors` come from
 * `anchorsOf`. Body 0 gives the centre (a frame where its centre joint is absent uses the last
 * frame where it was present, and the first present one before that).
 */
export function normalizeSample(
  data: Float32Array, T: number, V: number, M: number, frames: number, mode: Normalization, anchors: BodyAnchors | undefined,
): Float32Array {
  if (mode === 'none' || !anchors) return data;
  const F = Math.min(Math.max(Math.floor(frames), 0), T);
  const plane = T * V * M;
  const at = (t: number, v: number, m: number) => (t * V + v) * M + m;
  const present = (t: number, v: number, m: number) => { const i = at(t, v, m); return data[i] !== 0 || data[plane + i] !== 0 || data[2 * plane + i] !== 0; };
  const point = (t: number, v: number, m = 0) => { const i = at(t, v, m); return [data[i], data[plane + i], data[2 * plane + i]]; };

  let first = -1;
  for (let t = 0; t < F && first < 0; t++) if (present(t, anchors.centre, 0)) first = t;
  if (first < 0) return data; // body 0 never shows its centre joint: nothing to anchor on
  const how = translates(mode)!;
  let centre = point(first, anchors.centre);
  const origin0 = centre;
  for (let t = 0; t < F; t++) {
    if (how === 'frame' && present(t, anchors.centre, 0)) centre = point(t, anchors.centre);
    const o = how === 'first' ? origin0 : centre;
    for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) {
      if (!present(t, v, m)) continue;
      const i = at(t, v, m);
      data[i] -= o[0]; data[plane + i] -= o[1]; data[2 * plane + i] -= o[2];
    }
  }
  if (!rotates(mode)) return data;
  // The rotation is fixed by the first frame where body 0 has its centre (after centring).
  const sub = (a: number[], b: number[]) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const R1 = rotationOnto(sub(point(first, anchors.spine), point(first, anchors.hip)), [0, 0, 1]);
  const rot = (R: number[], p: number[]) => [R[0] * p[0] + R[1] * p[1] + R[2] * p[2], R[3] * p[0] + R[4] * p[1] + R[5] * p[2], R[6] * p[0] + R[7] * p[1] + R[8] * p[2]];
  // Then a turn about z only, taking the shoulder line's xy projection onto +x: well defined even
  // when the line points along −x (MSR Action3D's x axis runs the other way round), where a
  // Rodrigues rotation onto +x would pick its axis from noise and flip the spine at random.
  const sh = rot(R1, sub(point(first, anchors.rightShoulder), point(first, anchors.leftShoulder)));
  const angle = Math.hypot(sh[0], sh[1]) < 1e-8 ? 0 : -Math.atan2(sh[1], sh[0]);
  const [ca, sa] = [Math.cos(angle), Math.sin(angle)];
  const R = mul3([ca, -sa, 0, sa, ca, 0, 0, 0, 1], R1);
  for (let t = 0; t < F; t++) for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) {
    if (!present(t, v, m)) continue;
    const i = at(t, v, m);
    const q = rot(R, [data[i], data[plane + i], data[2 * plane + i]]);
    data[i] = q[0]; data[plane + i] = q[1]; data[2 * plane + i] = q[2];
  }
  return data;
}
