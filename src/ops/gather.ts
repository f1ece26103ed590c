/**
 * Gather / scatter-add along one axis by an int32 index tensor — kernel kernels/gather.wgsl.
 * indexSelect's backward is scatterAdd into zeros and scatterAdd's backward is indexSelect, so the
 * pair closes under differentiation. Scatter-add is deterministic with repeated indices and uses
 * no atomics: the index list is first inverted per destination (a stable counting sort, one
 * invocation per destination index), then each destination element is summed by one invocation
 * in increasing source order (see the kernel header for the costs).
 */
import { Tensor, G } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';

const WG = 256;

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * x's entries at positions `idx` along `axis`: out.shape = x.shape[:axis] ++ idx.shape ++ x.shape[axis+1:].
 * Indices outside [0, x.shape[axis]) give 0 (and receive no gradient). Works for f32 and i32 x.
 */
export function indexSelect(x: Tensor, axis: number, idx: Tensor): Tensor {
  if (idx.dtype !== 'i32') throw new Error('indexSelect: indices must be an i32 tensor');
  const a = normAxis(axis, x.rank);
  const outer = prod(x.shape.slice(0, a)), inner = prod(x.shape.slice(a + 1));
  const shape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  const out = Tensor.empty(shape, x.dtype);
  const g = G();
  if (out.size > 0) {
    g.dispatch(g.kernel('gather', 'gather'), { x: x.buffer, idx: idx.buffer, selected: out.buffer }, { outer, a: x.shape[a], inner, k: idx.size, has_base: 0 }, Math.ceil(out.size / WG));
  }
  return record('indexSelect', out, [x], (gr) => [scatterAdd(x.shape, a, idx, gr)]);
}

/**
 * base + Σ src scattered along `axis`: out[..., idx[k], ...] += src[..., k, ...], summing repeated
 * indices in increasing k (deterministic). `base` is a tensor or just a shape (zeros).
 * src.shape = base.shape[:axis] ++ idx.shape ++ base.shape[axis+1:]. Out-of-range indices are skipped.
 */
export function scatterAdd(base: Tensor | readonly number[], axis: number, idx: Tensor, src: Tensor): Tensor {
  if (idx.dtype !== 'i32') throw new Error('scatterAdd: indices must be an i32 tensor');
  const b = base instanceof Tensor ? base : undefined;
  const shape = b ? b.shape : (base as readonly number[]);
  const a = normAxis(axis, shape.length);
  const outer = prod(shape.slice(0, a)), inner = prod(shape.slice(a + 1));
  const want = [...shape.slice(0, a), ...idx.shape, ...shape.slice(a + 1)];
  if (src.size !== prod(want)) throw new Error(`scatterAdd: src [${src.shape}] does not match [${want}]`);
  const out = Tensor.empty(shape);
  const g = G();
  if (out.size > 0) {
    const params = { outer, a: shape[a], inner, k: idx.size, has_base: b ? 1 : 0 };
    // the index list inverted per destination (ranges + list of k in increasing order); see the kernel
    const ranges = Tensor.empty([2 * shape[a]], 'i32'), list = Tensor.empty([Math.max(1, idx.size)], 'i32');
    g.dispatch(g.kernel('gather', 'csr'), { idx: idx.buffer, ranges: ranges.buffer, list: list.buffer }, params, Math.ceil(shape[a] / WG));
    g.dispatch(g.kernel('gather', 'scatter'), { base: b?.buffer ?? g.placeholder, ranges: ranges.buffer, list: list.buffer, src: src.buffer, out: out.buffer }, params, Math.ceil(out.size / WG));
    ranges.dispose(); list.dispose();
  }
  return record('scatterAdd', out, [b, src], (gr) => [
    b?.requiresGrad ? gr : undefined,
    src.requiresGrad ? indexSelect(gr, a, idx).view(src.shape) : undefined,
  ]);
}

// ---- float64 reference

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const split3 = (shape: readonly number[], axis: number) =>
  [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))] as const;

/** indexSelect in float64 (out-of-range indices give 0). */
export function indexSelectRef(x: Float64Array, shape: number[], axis: number, idx: readonly number[]): Float64Array {
  const [outer, a, inner] = split3(shape, axis);
  const out = new Float64Array(outer * idx.length * inner);
  for (let o = 0; o < outer; o++) for (let k = 0; k < idx.length; k++) for (let j = 0; j < inner; j++) {
    const ok = idx[k] >= 0 && idx[k] < a;
    out[(o * idx.length + k) * inner + j] = ok ? x[(o * a + idx[k]) * inner + j] : 0;
  }
  return out;
}
/** scatterAdd in float64, or with `f32` in float32 adding in increasing k — the order the kernel promises, so results match bit for bit. */
export function scatterAddRef(base: Float64Array | undefined, shape: number[], axis: number, idx: readonly number[], src: Float64Array, f32 = false): Float64Array {
  const [outer, a, inner] = split3(shape, axis);
  const round = f32 ? Math.fround : (v: number) => v;
  const out = base ? Float64Array.from(base, round) : new Float64Array(sizeOf(shape));
  for (let o = 0; o < outer; o++) for (let k = 0; k < idx.length; k++) {
    if (idx[k] < 0 || idx[k] >= a) continue;
    for (let j = 0; j < inner; j++) { const d = (o * a + idx[k]) * inner + j; out[d] = round(out[d] + round(src[(o * idx.length + k) * inner + j])); }
  }
  return out;
}
