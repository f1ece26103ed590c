/**
 * The oracle helpers every op test uses: compare a GPU op with its plain TypeScript reference on
 * the same random inputs, and check its gradient against central finite differences computed in
 * float64 on the reference.
 */
import * as assert from 'uvu/assert';
import { Tensor, tidy, backward, initEngine, G } from '../../src/tensor/index.js';
import { mul, sumAll } from './ops.js';
import { Rng } from '../../src/util/random.js';
import { withKernel as withKernelSetting, type KernelFamily } from '../../src/gpu/policy.js';

export const engine = initEngine;

/** Deterministic pseudo-random floats in [lo, hi) (tests must be reproducible). */
export function randn(n: number, seed = 1, lo = -1, hi = 1): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.uniform(lo, hi));
}

/**
 * Runs fn and returns the kernels it dispatched (pipeline keys, overrides included, in order) with
 * its result: how a test checks which kernel or variant an op actually ran.
 */
export async function dispatched<T>(fn: () => T | Promise<T>): Promise<{ names: string[]; result: T }> {
  const g = G(), names: string[] = [], dispatch = g.dispatch;
  g.dispatch = ((kernel, ...rest) => { names.push(kernel.name); return dispatch.call(g, kernel, ...rest); }) as typeof g.dispatch;
  try { return { names, result: await fn() }; } finally { g.dispatch = dispatch; }
}

/**
 * Runs fn with a kernel family forced to a value (src/gpu/policy.ts), then restores what was
 * forced before: how a test runs every variant of a family on every adapter.
 */
export async function withKernel<R>(family: KernelFamily, value: string | number, fn: () => R | Promise<R>): Promise<R> {
  return withKernelSetting(family, String(value), async () => await fn());
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4, what = 'values'): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i], a = actual[i];
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(err <= worst) ) { worst = err; at = i; }
  }
  if (!(worst <= tol)) assert.unreachable(`${what}: worst relative error ${worst} at ${at}: got ${actual[at]}, expected ${expected[at]}`);
}

export interface GradCase {
  shapes: number[][];                         // input shapes
  inputs?: Float64Array[];                    // default: random in [-1, 1)
  gpu: (xs: Tensor[]) => Tensor;              // the op on the GPU
  ref: (xs: Float64Array[]) => Float64Array;  // the same op in float64 TypeScript
  wrt?: number[];                             // inputs to check (default all)
  eps?: number; tol?: number; fwdTol?: number;
}

/** Forward vs reference, then d(Σ w·op)/dx on the GPU vs central differences of the reference. */
export async function checkOp(c: GradCase): Promise<void> {
  const xs = c.inputs ?? c.shapes.map((s, i) => randn(s.reduce((a, b) => a * b, 1), 17 + i * 31));
  const refOut = c.ref(xs);
  const w = randn(refOut.length, 99, 0.5, 1.5);
  const wrt = c.wrt ?? c.shapes.map((_, i) => i);
  const { out, grads } = await tidy(() => {
    const ts = xs.map((x, i) => Tensor.from(x, c.shapes[i]));
    wrt.forEach((i) => ts[i].requiresGrad = true);
    const y = c.gpu(ts);
    const loss = sumAll(mul(y, Tensor.from(w, y.shape)));
    backward(loss);
    return { out: y, grads: wrt.map((i) => ts[i].grad!) };
  });
  assertClose(await out.read(), refOut, c.fwdTol ?? 1e-4, 'forward');
  const eps = c.eps ?? 1e-3;
  const f = (inputs: Float64Array[]) => { const o = c.ref(inputs); let s = 0; for (let i = 0; i < o.length; i++) s += o[i] * w[i]; return s; };
  for (let k = 0; k < wrt.length; k++) {
    const i = wrt[k];
    const numeric = new Float64Array(xs[i].length);
    for (let j = 0; j < xs[i].length; j++) {
      const plus = xs.map((x) => x.slice()); plus[i][j] += eps;
      const minus = xs.map((x) => x.slice()); minus[i][j] -= eps;
      numeric[j] = (f(plus) - f(minus)) / (2 * eps);
    }
    assertClose(await grads[k].read(), numeric, c.tol ?? 2e-3, `gradient of input ${i}`);
    grads[k].dispose();
  }
  out.dispose();
}
