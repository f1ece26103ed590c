/**
 * Sensor imperfections, applied in camera space to one body's valid frames: white noise that is
 * larger in depth and at the hands (as Kinect's), slow drift per joint (temporal jitter), rare
 * one-frame spikes, and dropped joints (zeros for a few frames, as a lost track).
 */
import type { Random } from './random.js';

export interface NoiseLevel {
  sigma: number;        // white noise per coordinate (m)
  drift: number;        // amplitude of the slow per-joint wobble (m)
  spikeRate: number;    // probability per joint and frame of a one-frame glitch
  spikeSize: number;    // its standard deviation (m)
  dropRate: number;     // probability per sample of some joints being lost for a while
}

export const DEFAULT_NOISE: Readonly<NoiseLevel> = { sigma: 0.006, drift: 0.01, spikeRate: 0.002, spikeSize: 0.05, dropRate: 0.25 };

// Extra noise at the extremities (NTU 0-based): hands, tips and thumbs are tracked worst.
const JOINT_NOISE = new Float64Array(25).fill(1);
for (const j of [7, 11]) JOINT_NOISE[j] = 2;
for (const j of [21, 22, 23, 24]) JOINT_NOISE[j] = 3;
for (const j of [6, 10, 15, 19]) JOINT_NOISE[j] = 1.5;

/** seq: frames × V × 3 camera-space coordinates, modified in place. */
export function addSensorNoise(seq: Float64Array, frames: number, V: number, r: Random, level: NoiseLevel, scale = 1): void {
  if (scale <= 0) return;
  const sigma = level.sigma * scale, drift = level.drift * scale;
  const spikeRate = level.spikeRate * scale, spikeSize = level.spikeSize * scale;
  const osc = new Float64Array(12); // per axis two oscillators (cos, sin), advanced by rotation
  for (let v = 0; v < V; v++) {
    const k = v < 25 ? JOINT_NOISE[v] : 1;
    // drift: per axis, two slow sinusoids with random periods (1–4 s at 30 fps) and phases,
    // stepped by a rotation per frame rather than evaluating sin (this loop runs ~10⁸ times)
    const w1 = (2 * Math.PI) / r.uniform(30, 120), w2 = (2 * Math.PI) / r.uniform(30, 120);
    const c1 = Math.cos(w1), s1 = Math.sin(w1), c2 = Math.cos(w2), s2 = Math.sin(w2);
    for (let i = 0; i < 6; i++) { const ph = r.uniform(0, 2 * Math.PI); osc[2 * i] = Math.cos(ph); osc[2 * i + 1] = Math.sin(ph); }
    const amp = drift * 0.5;
    for (let t = 0; t < frames; t++) {
      const o = (t * V + v) * 3;
      for (let c = 0; c < 3; c++) {
        const a = 4 * c;
        const depth = c === 2 ? 1.5 : 1;
        seq[o + c] += amp * (osc[a + 1] + osc[a + 3]) + sigma * k * depth * fastNormal(r);
        const x1 = osc[a], y1 = osc[a + 1], x2 = osc[a + 2], y2 = osc[a + 3];
        osc[a] = x1 * c1 - y1 * s1; osc[a + 1] = y1 * c1 + x1 * s1;
        osc[a + 2] = x2 * c2 - y2 * s2; osc[a + 3] = y2 * c2 + x2 * s2;
      }
      if (r.next() < spikeRate) for (let c = 0; c < 3; c++) seq[o + c] += r.normal(0, spikeSize);
    }
  }
}

/**
 * An approximately standard normal from four uniforms (Irwin–Hall, rescaled): enough for sensor
 * noise and several times cheaper than Box–Muller; bounded at ±3.5σ, which a sensor also is.
 */
function fastNormal(r: Random): number {
  return (r.next() + r.next() + r.next() + r.next() - 2) * 1.7320508075688772;
}

/** Zero a few joints for a few consecutive frames. */
export function dropJoints(seq: Float64Array, frames: number, V: number, r: Random, level: NoiseLevel, scale = 1): void {
  if (!r.chance(level.dropRate * scale)) return;
  const count = r.int(1, 3);
  for (let i = 0; i < count; i++) {
    const v = r.int(0, V - 1), len = r.int(2, 8), start = r.int(0, Math.max(0, frames - len));
    for (let t = start; t < Math.min(frames, start + len); t++) seq.fill(0, (t * V + v) * 3, (t * V + v) * 3 + 3);
  }
}
