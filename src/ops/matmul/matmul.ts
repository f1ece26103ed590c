/**
 * Matrix products as ops: `matmul` (2-D and batched, transposes folded into strides) and
 * `linear` (PyTorch's x·Wᵀ + b), with their backward rules. Every product, forward and backward,
 * is a `Gemm` run by ./gemm.ts, so no transpose or broadcast is ever copied; which kernel variant
 * runs is ./variants.ts (reg / ubo / ubok on software adapters, vec4 tiles on GPUs).
 */
import { Tensor } from '../../tensor/tensor.js';
import { record } from '../../tensor/autograd.js';
import { sumAxes } from '../reduce.js';
import type { MatmulVariant } from './variants.js';
import { gemm } from './gemm.js';
import { operand, rowMajor, flip, type Operand } from './operands.js';

export interface MatmulOptions { transA?: boolean; transB?: boolean }

function dims(a: Tensor, b: Tensor, o: MatmulOptions) {
  if (a.rank < 2 || a.rank > 3 || b.rank < 2 || b.rank > 3) throw new Error(`matmul: operands must be 2-D or 3-D, got [${a.shape}] and [${b.shape}]`);
  const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
  const M = o.transA ? ac : ar, K = o.transA ? ar : ac;
  const Kb = o.transB ? bc : br, N = o.transB ? br : bc;
  if (K !== Kb) throw new Error(`matmul: inner sizes differ: [${a.shape}]${o.transA ? 'ᵀ' : ''} · [${b.shape}]${o.transB ? 'ᵀ' : ''}`);
  const za = a.rank === 3 ? a.shape[0] : 1, zb = b.rank === 3 ? b.shape[0] : 1;
  if (za !== zb && za !== 1 && zb !== 1) throw new Error(`matmul: batch sizes ${za} and ${zb} do not broadcast`);
  const batch = Math.max(za, zb);
  const batched = a.rank === 3 || b.rank === 3;
  return { M, N, K, batch, aB: za > 1, bB: zb > 1, shape: batched ? [batch, M, N] : [M, N] };
}

/** op(a)·op(b) without recording (used by the forward and by the backward rules). */
function product(a: Tensor, b: Tensor, o: MatmulOptions, variant?: MatmulVariant): Tensor {
  const d = dims(a, b, o);
  const out = Tensor.empty(d.shape);
  gemm({ M: d.M, N: d.N, K: d.K, batch: d.batch, a: operand(a, !!o.transA, d.aB), b: operand(b, !!o.transB, d.bB), c: rowMajor(out, d.M, d.N) }, variant);
  return out;
}

/** Sums a batched gradient over the batch when its operand was broadcast (2-D or batch 1). */
function unbatch(g: Tensor, like: Tensor): Tensor {
  if (g.rank === like.rank && g.shape[0] === like.shape[0]) return g;
  return sumAxes(g, 0).view(like.shape);
}

/**
 * op(a)·op(b) for (M,K)·(K,N) → (M,N), or batched (B,M,K)·(B,K,N) → (B,M,N) where either side may
 * be 2-D (or batch 1) and is then shared by every batch. `transA`/`transB` read the stored
 * matrix transposed (a is (K,M), b is (N,K)) without a copy.
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions & { variant?: MatmulVariant } = {}): Tensor {
  const tA = !!opts.transA, tB = !!opts.transB;
  const out = product(a, b, opts, opts.variant);
  return record('matmul', out, [a, b], (g) => {
    let ga: Tensor | undefined, gb: Tensor | undefined;
    if (a.requiresGrad) {
      // d op(A) = dC·op(B)ᵀ; for a stored transposed, dA = (dC·op(B)ᵀ)ᵀ = op(B)·dCᵀ
      ga = unbatch(tA ? product(b, g, { transA: tB, transB: true }) : product(g, b, { transB: !tB }), a);
    }
    if (b.requiresGrad) gb = gradB(a, b, g, tA, tB);
    return [ga, gb];
  });
}

/** d op(B) = op(A)ᵀ·dC; a broadcast b with a row-major batched a folds the batch into k. */
function gradB(a: Tensor, b: Tensor, g: Tensor, tA: boolean, tB: boolean): Tensor {
  const d = dims(a, b, { transA: tA, transB: tB });
  if (!d.bB && d.aB && !tA) {
    const rows = d.batch * d.M;   // a as (B·M, K), dC as (B·M, N)
    const A2: Operand = { buf: a.buffer, rs: d.K, cs: 1, bs: 0 }, G2: Operand = { buf: g.buffer, rs: d.N, cs: 1, bs: 0 };
    const out = Tensor.empty(b.shape);
    if (tB) gemm({ M: d.N, N: d.K, K: rows, batch: 1, a: flip(G2), b: A2, c: rowMajor(out, d.N, d.K, false) });
    else gemm({ M: d.K, N: d.N, K: rows, batch: 1, a: flip(A2), b: G2, c: rowMajor(out, d.K, d.N, false) });
    return out;
  }
  const full = tB ? product(g, a, { transA: true, transB: tA }) : product(a, g, { transA: !tA });
  return unbatch(full, b);
}

/**
 * PyTorch's linear: x·wᵀ + bias with w of shape (out, in), x of shape (…, in) → (…, out). The
 * bias is added in the kernel's epilogue; leading dims of x are folded into rows.
 */
export function linear(x: Tensor, w: Tensor, bias?: Tensor, opts: { variant?: MatmulVariant } = {}): Tensor {
  if (w.rank !== 2) throw new Error(`linear: weight must be (out, in), got [${w.shape}]`);
  const [fout, fin] = w.shape;
  if (x.shape.at(-1) !== fin) throw new Error(`linear: input [${x.shape}] does not end in ${fin} features`);
  if (bias && (bias.size !== fout)) throw new Error(`linear: bias [${bias.shape}] for ${fout} outputs`);
  const rows = x.size / fin;
  const out = Tensor.empty([...x.shape.slice(0, -1), fout]);
  const X: Operand = { buf: x.buffer, rs: fin, cs: 1, bs: 0 };
  const Wt: Operand = { buf: w.buffer, rs: 1, cs: fin, bs: 0 };   // (k = in, n = out) of w (out, in)
  gemm({ M: rows, N: fout, K: fin, batch: 1, a: X, b: Wt, c: rowMajor(out, rows, fout, false), bias: bias && { buf: bias.buffer, sm: 0, sn: 1 } }, opts.variant);
  return record('linear', out, [x, w, bias], (g) => {
    const G2: Operand = { buf: g.buffer, rs: fout, cs: 1, bs: 0 };
    let gx: Tensor | undefined, gw: Tensor | undefined, gbias: Tensor | undefined;
    if (x.requiresGrad) {   // dx = dY·W
      gx = Tensor.empty(x.shape);
      gemm({ M: rows, N: fin, K: fout, batch: 1, a: G2, b: { buf: w.buffer, rs: fin, cs: 1, bs: 0 }, c: rowMajor(gx, rows, fin, false) });
    }
    if (w.requiresGrad) {   // dW = dYᵀ·X
      gw = Tensor.empty(w.shape);
      gemm({ M: fout, N: fin, K: rows, batch: 1, a: flip(G2), b: X, c: rowMajor(gw, fout, fin, false) });
    }
    if (bias?.requiresGrad) gbias = sumAxes(g.view([rows, fout]), 0).view(bias.shape);
    return [gx, gw, gbias];
  });
}

