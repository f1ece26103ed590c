/**
 * The finite guard's check — kernels/finite.wgsl: sticky per-tensor flags that record the first
 * step at which a tensor held a NaN or ±Inf, with no read-back of the tensors themselves. A flag
 * is 0 while its tensor stayed finite, else 4·step + code (code 1 NaN, 2 +Inf, 3 −Inf), so one
 * small read tells which tensor broke first and how. Steps up to 2²² keep the code exact in f32.
 */
import { Tensor, G } from '../tensor/tensor.js';

const WG = 256;
const SLOTS = 15;   // tensors the params carry; `main` checks the first 7, `main15` all
export const FINITE_MAX_STEP = 2 ** 22 - 1;

/**
 * Sets `flags[slots[j]]` for every `tensors[j]` holding a non-finite value at `step`, unless that
 * flag is already set. No gradient; tensors are checked 15 per dispatch where a stage may bind 16
 * storage buffers, else 7 (`perDispatch` forces one, for tests); the caller sorts them by size if
 * they differ much: a dispatch covers the longest of its group.
 */
export function finiteFlags(tensors: readonly Tensor[], slots: readonly number[], flags: Tensor, step: number, perDispatch?: 7 | 15): void {
  if (tensors.length !== slots.length) throw new Error(`finiteFlags: ${tensors.length} tensors for ${slots.length} slots`);
  if (!Number.isInteger(step) || step < 0 || step > FINITE_MAX_STEP) throw new Error(`finiteFlags: step ${step} outside 0 … ${FINITE_MAX_STEP}`);
  for (const s of slots) if (!(Number.isInteger(s) && s >= 0 && s < flags.size)) throw new Error(`finiteFlags: slot ${s} outside the ${flags.size} flags`);
  const g = G();
  const per = perDispatch ?? (g.limits.maxStorageBuffersPerShaderStage >= 16 ? 15 : 7);
  const kernel = g.kernel('finite', per === 15 ? 'main15' : 'main');
  for (let at = 0; at < tensors.length; at += per) {
    const buffers: Record<string, GPUBuffer> = { flags: flags.buffer };
    const params: Record<string, number> = { step };
    let longest = 0;
    for (let j = 0; j < SLOTS; j++) {
      const t = j < per ? tensors[at + j] : undefined;
      if (j < per) buffers[`x${j}`] = t && t.size > 0 ? t.buffer : g.placeholder;
      params[`n${j}`] = t ? t.size : 0;
      params[`s${j}`] = t ? slots[at + j] : 0;
      longest = Math.max(longest, t?.size ?? 0);
    }
    if (longest > 0) g.dispatch(kernel, buffers, params, Math.ceil(longest / WG));
  }
}

/** What a flag value says: undefined for 0, else the step and the kind of value. */
export function decodeFlag(v: number): { step: number; value: 'NaN' | 'Infinity' | '-Infinity' } | undefined {
  if (v === 0) return undefined;
  const code = v % 4;
  return { step: (v - code) / 4, value: code === 1 ? 'NaN' : code === 2 ? 'Infinity' : '-Infinity' };
}

// ---- float64 reference

/** finiteFlags on plain arrays, in place on `flags`. */
export function finiteFlagsRef(tensors: readonly ArrayLike<number>[], slots: readonly number[], flags: Float64Array, step: number): void {
  tensors.forEach((x, j) => {
    if (flags[slots[j]] !== 0) return;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (Number.isFinite(v)) continue;
      flags[slots[j]] = 4 * step + (Number.isNaN(v) ? 1 : v > 0 ? 2 : 3);
      return;
    }
  });
}
