/**
 * Random numbers on the GPU — kernel kernels/random.wgsl. Counter-based (Philox-4x32-10): element
 * i of a draw is a pure function of (seed, offset, i), so a draw is reproducible from two integers
 * and does not depend on how the work is split into workgroups. `GpuRng` hands out a fresh offset
 * per call (a call counter), which is all a checkpoint must store.
 *
 * The Philox maths is also written here in TypeScript (`philox4x32`, `uniformRef`, …): the tests
 * compare the GPU's bits with it, and dropout's tests rebuild its mask from it.
 */
import { Tensor, G } from '../tensor/tensor.js';

const WG = 256;
const BLOCK = 2 * WG;  // elements one sort_local workgroup sorts in workgroup memory
const TWO32 = 4294967296;

/** Purpose tags (counter word 3): the same (seed, offset) gives unrelated streams for each use. */
export const enum Tag { Uniform = 0, Normal = 1, Dropout = 2, Permutation = 3 }
const enum Op { Uniform = 0, Normal = 1, Dropout = 2 }

function split64(v: number): [number, number] {
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`random: seed/offset must be a non-negative safe integer, got ${v}`);
  return [v >>> 0, Math.floor(v / TWO32) >>> 0];
}

/** The uniform words that select a stream: key (seed) and counter words 1–3. */
function streamParams(seed: number, offset: number, tag: Tag): number[] {
  const [k0, k1] = split64(seed);
  const [c1, c2] = split64(offset);
  return [k0, k1, c1, c2, tag];
}

/** Uniform draws in [lo, hi) of the given shape. */
export function randomUniform(shape: readonly number[], seed: number, offset = 0, lo = 0, hi = 1): Tensor {
  return fillRaw(Op.Uniform, Tag.Uniform, shape, seed, offset, lo, hi);
}

/** Normal draws N(mean, std²) of the given shape (Box–Muller). */
export function randomNormal(shape: readonly number[], seed: number, offset = 0, mean = 0, std = 1): Tensor {
  return fillRaw(Op.Normal, Tag.Normal, shape, seed, offset, mean, std);
}

function fillRaw(op: Op, tag: Tag, shape: readonly number[], seed: number, offset: number, a: number, b: number): Tensor {
  const out = Tensor.empty(shape);
  mainDispatch(op, tag, G().placeholder, out, seed, offset, a, b);
  return out;
}

/** Records one dispatch of random.wgsl `main` (also used by dropout). */
export function mainDispatch(op: number, tag: Tag, x: GPUBuffer, out: Tensor, seed: number, offset: number, a: number, b: number): void {
  const g = G();
  const [k0, k1, c1, c2, t] = streamParams(seed, offset, tag);
  if (out.size === 0) return;
  g.dispatch(g.kernel('random', 'main'), { x, out: out.buffer },
    { n: out.size, op, key0: k0, key1: k1, ctr1: c1, ctr2: c2, tag: t, npad: 0, k: 0, j: 0, init: 0, a, b }, Math.ceil(out.size / 4 / WG));
}

/**
 * A uniformly random permutation of 0 … n−1 as an int32 tensor, computed on the GPU: each index
 * gets a random 32-bit key and the (key, index) pairs are bitonic-sorted (index breaks key ties,
 * so the order is total and the result always a permutation).
 */
export function randomPermutation(n: number, seed: number, offset = 0): Tensor {
  const g = G();
  const out = Tensor.empty([n], 'i32');
  if (n === 0) return out;
  let npad = BLOCK;
  while (npad < n) npad *= 2;
  const keys = Tensor.empty([npad], 'i32'), vals = Tensor.empty([npad], 'i32');
  const [k0, k1, c1, c2, t] = streamParams(seed, offset, Tag.Permutation);
  const blocks = npad / BLOCK;
  const local = g.kernel('random', 'sort_local'), global = g.kernel('random', 'sort_global');
  const params = (k: number, j: number, init: number) => ({ n, op: 0, key0: k0, key1: k1, ctr1: c1, ctr2: c2, tag: t, npad, k, j, init, a: 0, b: 0 });
  const sorted = { keys: keys.buffer, vals: vals.buffer };
  g.dispatch(local, sorted, params(0, 0, 1), blocks);
  for (let k = 2 * BLOCK; k <= npad; k *= 2) {
    for (let j = k / 2; j >= BLOCK; j /= 2) g.dispatch(global, sorted, params(k, j, 0), Math.ceil(npad / 2 / WG));
    g.dispatch(local, sorted, params(k, 0, 0), blocks);
  }
  g.copy(vals.buffer, 0, out.buffer, 0, n * 4);
  keys.dispose(); vals.dispose();
  return out;
}

/** The state of a `GpuRng`: its seed and how many draws it has handed out. */
export interface GpuRngState { seed: number; counter: number }

/**
 * A seed and a call counter: each draw uses offset = counter and advances it, so successive draws
 * are independent streams and a run restored from `state()` continues with the same numbers.
 */
export class GpuRng {
  constructor(readonly seed: number, private counter = 0) { split64(seed); }

  static fromState(s: GpuRngState): GpuRng { return new GpuRng(s.seed, s.counter); }
  state(): GpuRngState { return { seed: this.seed, counter: this.counter }; }

  /** Reserves the next stream: the (seed, offset) pair a kernel should draw from. */
  next(): { seed: number; offset: number } { return { seed: this.seed, offset: this.counter++ }; }

  uniform(shape: readonly number[], lo = 0, hi = 1): Tensor { const s = this.next(); return randomUniform(shape, s.seed, s.offset, lo, hi); }
  normal(shape: readonly number[], mean = 0, std = 1): Tensor { const s = this.next(); return randomNormal(shape, s.seed, s.offset, mean, std); }
  permutation(n: number): Tensor { const s = this.next(); return randomPermutation(n, s.seed, s.offset); }
}

// ---- the same maths in TypeScript (references for the tests) -------------------------------

function mulhilo(a: number, b: number): [number, number] {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return [(hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0, Math.imul(a, b) >>> 0];
}

/** Philox-4x32-10 of a 4-word counter under a 2-word key (Random123's reference algorithm). */
export function philox4x32(ctr: readonly number[], key: readonly number[]): number[] {
  let [c0, c1, c2, c3] = ctr.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let r = 0; r < 10; r++) {
    const [h0, l0] = mulhilo(0xd2511f53, c0);
    const [h1, l1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(h1 ^ c1 ^ k0) >>> 0, l1, (h0 ^ c3 ^ k1) >>> 0, l0];
    k0 = (k0 + 0x9e3779b9) >>> 0; k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** The n raw words of the stream (seed, offset, tag), as the GPU draws them. */
export function randomWordsRef(n: number, seed: number, offset: number, tag: Tag): Uint32Array {
  const [k0, k1, c1, c2, t] = streamParams(seed, offset, tag);
  const out = new Uint32Array(n);
  for (let b = 0; b * 4 < n; b++) {
    const w = philox4x32([b, c1, c2, t], [k0, k1]);
    for (let q = 0; q < 4 && b * 4 + q < n; q++) out[b * 4 + q] = w[q];
  }
  return out;
}

export const unitRef = (w: number): number => (w >>> 8) / 16777216;

export function uniformRef(n: number, seed: number, offset = 0, lo = 0, hi = 1): Float64Array {
  const w = randomWordsRef(n, seed, offset, Tag.Uniform);
  return Float64Array.from(w, (v) => Math.fround(lo) + Math.fround(Math.fround(hi) - Math.fround(lo)) * unitRef(v));
}

export function normalRef(n: number, seed: number, offset = 0, mean = 0, std = 1): Float64Array {
  const w = randomWordsRef(Math.ceil(n / 4) * 4, seed, offset, Tag.Normal);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pair = i & ~1;
    const r = Math.sqrt(-2 * Math.log(((w[pair] >>> 8) + 1) / 16777216));
    const th = Math.PI * (2 * unitRef(w[pair + 1]) - 1);
    out[i] = mean + std * r * (i % 2 === 0 ? Math.cos(th) : Math.sin(th));
  }
  return out;
}

/** The permutation `randomPermutation` computes: indices ordered by (random key, index). */
export function permutationRef(n: number, seed: number, offset = 0): Int32Array {
  const w = randomWordsRef(n, seed, offset, Tag.Permutation);
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => (w[a] - w[b]) || (a - b));
  return Int32Array.from(idx);
}
