/**
 * Elementwise ops with broadcasting — forward kernels kernels/binary.wgsl and kernels/unary.wgsl.
 * Backward rules sit beside each op; `sumTo` folds a broadcast gradient back to its input's shape.
 */
import { Tensor, G, sameShape, stridesOf } from '../tensor/tensor.js';
import { record } from '../tensor/autograd.js';
import { sumAxes } from './reduce.js';

const WG = 256;
const enum Bin { Add, Sub, Mul, Div, Pow, Max, Min, Greater, Equal, MaskPositive, AddRelu }
const enum Un { Affine, Relu, Exp, Log, Sqrt, Pow, Step, Abs, Recip, Fill, Copy }

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Strides of `shape` seen from an output of `outShape` (0 where broadcast). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const s = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : s[i - off]));
}

/** vec4s per invocation in the …4 entries (kernels/unary.wgsl, binary.wgsl). */
const RV = 4;
/** Same-shape work of n ≡ 0 mod 4 elements goes four at a time (see the kernels' headers). */
const vec4Groups = (n: number): number => Math.ceil(n / (4 * RV * WG));

function pack8(v: number[]): number[] { const r = new Array(8).fill(1); v.forEach((x, i) => (r[i] = x)); return r; }
function pack8z(v: number[]): number[] { const r = new Array(8).fill(0); v.forEach((x, i) => (r[i] = x)); return r; }

function binaryRaw(op: Bin, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  if (shape.length > 8) throw new Error('elementwise ops support rank ≤ 8');
  const out = Tensor.empty(shape);
  const same = sameShape(a.shape, shape) && sameShape(b.shape, shape) ? 1 : 0;
  const params = { n: out.size, rank: shape.length, op, same, shape: pack8(shape), sa: pack8z(broadcastStrides(a.shape, shape)), sb: pack8z(broadcastStrides(b.shape, shape)) };
  const bindings = { a: a.buffer, b: b.buffer, out: out.buffer };
  if (same && out.size % 4 === 0) G().dispatch(G().kernel('binary', 'same4', { RV }), bindings, params, vec4Groups(out.size));
  else G().dispatch(G().kernel('binary'), bindings, params, Math.ceil(out.size / WG));
  return out;
}

function unaryRaw(op: Un, x: Tensor, alpha = 0, beta = 0): Tensor {
  const out = Tensor.empty(x.shape);
  unaryInto(op, x.buffer, out, alpha, beta);
  return out;
}

/** out = f(x) elementwise (x may be the placeholder for fill), four at a time when the size allows. */
function unaryInto(op: Un, x: GPUBuffer, out: Tensor, alpha: number, beta: number): void {
  const params = { n: out.size, op, alpha, beta };
  if (out.size % 4 === 0) G().dispatch(G().kernel('unary', 'main4', { RV }), { x, out: out.buffer }, params, vec4Groups(out.size));
  else G().dispatch(G().kernel('unary'), { x, out: out.buffer }, params, Math.ceil(out.size / WG));
}

/** Sums a gradient of a broadcast result back to `shape`. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const off = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < off || (shape[i - off] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = sumAxes(g, axes, false);
  return s.view(shape);
}

export function add(a: Tensor, b: Tensor): Tensor {
  return record('add', binaryRaw(Bin.Add, a, b), [a, b], (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}
/** relu(a + b) in one pass (ST-GCN's residual add and the ReLU after it); both gradients are g masked by the output. */
export function addRelu(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(Bin.AddRelu, a, b);
  return record('addRelu', out, [a, b], (g) => {
    const masked = binaryRaw(Bin.MaskPositive, g, out);
    return [sumTo(masked, a.shape), sumTo(masked, b.shape)];
  }, [out]);
}
export function sub(a: Tensor, b: Tensor): Tensor {
  return record('sub', binaryRaw(Bin.Sub, a, b), [a, b], (g) => [sumTo(g, a.shape), sumTo(neg(g), b.shape)]);
}
export function mul(a: Tensor, b: Tensor): Tensor {
  return record('mul', binaryRaw(Bin.Mul, a, b), [a, b], (g) => [
    a.requiresGrad ? sumTo(binaryRaw(Bin.Mul, g, b), a.shape) : undefined,
    b.requiresGrad ? sumTo(binaryRaw(Bin.Mul, g, a), b.shape) : undefined,
  ]);
}
export function div(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(Bin.Div, a, b);
  return record('div', out, [a, b], (g) => [
    a.requiresGrad ? sumTo(binaryRaw(Bin.Div, g, b), a.shape) : undefined,
    // d(a/b)/db = −out/b
    b.requiresGrad ? sumTo(neg(binaryRaw(Bin.Mul, g, binaryRaw(Bin.Div, out, b))), b.shape) : undefined,
  ]);
}
/** Elementwise a^b for a > 0 (or integer-valued b); gradient into both. */
export function pow(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(Bin.Pow, a, b);
  return record('pow', out, [a, b], (g) => [
    a.requiresGrad ? sumTo(mul(g, mul(b, binaryRaw(Bin.Pow, a, unaryRaw(Un.Affine, b, 1, -1)))), a.shape) : undefined,
    b.requiresGrad ? sumTo(mul(g, mul(out, unaryRaw(Un.Log, a))), b.shape) : undefined,
  ]);
}
export function maximum(a: Tensor, b: Tensor): Tensor {
  const out = binaryRaw(Bin.Max, a, b);
  return record('maximum', out, [a, b], (g) => {
    const pick = binaryRaw(Bin.Greater, b, a); // 1 where b wins strictly; ties go to a
    return [sumTo(mul(g, affine(pick, -1, 1)), a.shape), sumTo(mul(g, pick), b.shape)];
  });
}
/** 1 where a > b else 0 (no gradient). */
export function greater(a: Tensor, b: Tensor): Tensor { return binaryRaw(Bin.Greater, a, b); }
export function equal(a: Tensor, b: Tensor): Tensor { return binaryRaw(Bin.Equal, a, b); }

/** where(mask, a, b) = mask·a + (1 − mask)·b for a 0/1 mask; gradient into a and b. */
export function where(mask: Tensor, a: Tensor, b: Tensor): Tensor {
  return add(mul(mask, a), mul(affine(mask, -1, 1), b));
}

export function neg(x: Tensor): Tensor { return affine(x, -1, 0); }
export function scale(x: Tensor, s: number): Tensor { return affine(x, s, 0); }
export function addScalar(x: Tensor, s: number): Tensor { return affine(x, 1, s); }
/** alpha·x + beta */
export function affine(x: Tensor, alpha: number, beta: number): Tensor {
  return record('affine', unaryRaw(Un.Affine, x, alpha, beta), [x], (g) => [unaryRaw(Un.Affine, g, alpha, 0)]);
}
export function relu(x: Tensor): Tensor {
  return record('relu', unaryRaw(Un.Relu, x), [x], (g) => [binaryRaw(Bin.MaskPositive, g, x)]);
}
export function exp(x: Tensor): Tensor {
  const out = unaryRaw(Un.Exp, x);
  return record('exp', out, [x], (g) => [binaryRaw(Bin.Mul, g, out)]);
}
export function log(x: Tensor): Tensor {
  return record('log', unaryRaw(Un.Log, x), [x], (g) => [binaryRaw(Bin.Div, g, x)]);
}
export function sqrt(x: Tensor): Tensor {
  const out = unaryRaw(Un.Sqrt, x);
  return record('sqrt', out, [x], (g) => [binaryRaw(Bin.Div, g, unaryRaw(Un.Affine, out, 2, 0))]);
}
export function powScalar(x: Tensor, e: number): Tensor {
  return record('powScalar', unaryRaw(Un.Pow, x, e), [x], (g) => [binaryRaw(Bin.Mul, g, unaryRaw(Un.Affine, unaryRaw(Un.Pow, x, e - 1), e, 0))]);
}
export function abs(x: Tensor): Tensor {
  return record('abs', unaryRaw(Un.Abs, x), [x], (g) => [binaryRaw(Bin.Mul, g, unaryRaw(Un.Affine, unaryRaw(Un.Step, x), 2, -1))]);
}
export function fill(shape: readonly number[], value: number): Tensor {
  const out = Tensor.empty(shape);
  unaryInto(Un.Fill, G().placeholder, out, 0, value);
  return out;
}
export const zeros = (shape: readonly number[]): Tensor => fill(shape, 0);
export const ones = (shape: readonly number[]): Tensor => fill(shape, 1);
export function copy(x: Tensor): Tensor {
  return record('copy', unaryRaw(Un.Copy, x), [x], (g) => [g]);
}

// ---- float64 reference

/** f(a, b) elementwise with numpy broadcasting, in float64: the oracle of the binary ops. */
export function broadcastRef(a: Float64Array, sa: number[], b: Float64Array, sb: number[], f: (x: number, y: number) => number): Float64Array {
  const rank = Math.max(sa.length, sb.length);
  const pa = [...Array(rank - sa.length).fill(1), ...sa], pb = [...Array(rank - sb.length).fill(1), ...sb];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const n = shape.reduce((p, q) => p * q, 1);
  const ta = stridesOf(pa), tb = stridesOf(pb);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rest = i, ia = 0, ib = 0;
    for (let k = rank - 1; k >= 0; k--) {
      const c = rest % shape[k]; rest = Math.floor(rest / shape[k]);
      if (pa[k] !== 1) ia += c * ta[k];
      if (pb[k] !== 1) ib += c * tb[k];
    }
    out[i] = f(a[ia], b[ib]);
  }
  return out;
}

/** f(x) elementwise, in float64: the oracle of the unary ops. */
export function unaryRef(a: Float64Array, f: (x: number) => number): Float64Array { return a.map(f); }
