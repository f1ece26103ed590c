/**
 * Building blocks for joint-angle trajectories: smooth ramps, bumps and holds over the phase
 * s ∈ [0, 1] of a sequence, and the per-sample parameters every action receives.
 */
import type { Pose } from './skeleton.js';

/** Per-sample knobs an action reads; drawn by the generator so every sample moves differently. */
export interface ActionParams {
  amp: number;        // amplitude scale (subject style × sample), about 0.75–1.25
  cycles: number;     // repetitions of a periodic action (from the action's range)
  phase: number;      // start phase of periodic motion, in cycles (0–0.25)
  v: Float64Array;    // four action-specific variations, each uniform in [−1, 1]
}

export interface Action {
  name: string;
  persons: 1 | 2;
  frames: [number, number];       // base duration range (frames at 30 fps, before tempo)
  cycles?: [number, number];      // repetitions range for periodic actions
  gap?: number;                   // two-person actions: distance between the two pelvises (m)
  /** Fills the pose of `person` (0 = actor, 1 = partner) at phase s; the pose starts at rest. */
  pose(p: Pose, s: number, a: ActionParams, person: 0 | 1): void;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** 0 → 1 smoothly (smoothstep) between a and b. */
export function ramp(s: number, a: number, b: number): number {
  const x = clamp01((s - a) / (b - a));
  return x * x * (3 - 2 * x);
}

/** 0 → 1 → 0 between a and b (sin² bump), 0 outside. */
export function bump(s: number, a: number, b: number): number {
  if (s <= a || s >= b) return 0;
  const x = Math.sin(Math.PI * (s - a) / (b - a));
  return x * x;
}

/** Rises over [a, b], holds at 1, falls over [c, d]. */
export function hold(s: number, a: number, b: number, c: number, d: number): number {
  return ramp(s, a, b) * (1 - ramp(s, c, d));
}

/** The usual envelope: get into the action, do it, return to rest. */
export const envelope = (s: number): number => hold(s, 0, 0.15, 0.85, 1);

/** Phase inside the active part of the sequence (between the envelope's ramps), 0..1. */
export const activePhase = (s: number): number => clamp01((s - 0.1) / 0.8);

/** sin of the repetition phase: `cycles` full periods over the active part. */
export function osc(s: number, a: ActionParams, offset = 0): number {
  return Math.sin(2 * Math.PI * (a.cycles * activePhase(s) + a.phase + offset));
}

/** 0..1 raised-cosine repetitions (starts and ends at 0 for whole cycles). */
export function reps(s: number, a: ActionParams, offset = 0): number {
  return 0.5 - 0.5 * Math.cos(2 * Math.PI * (a.cycles * activePhase(s) + offset));
}

/** Fraction of the current repetition, 0..1. */
export function repFrac(s: number, a: ActionParams): number {
  const x = a.cycles * activePhase(s);
  return x - Math.floor(x);
}

/** Guard position of the arms (fists up in front of the chest), scaled by w. */
export function guard(p: Pose, w: number): void {
  p.lShFlex += 35 * w; p.rShFlex += 35 * w; p.lShAbd += 10 * w; p.rShAbd += 10 * w;
  p.lElbow += 110 * w; p.rElbow += 110 * w;
}
