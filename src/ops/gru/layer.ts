/**
 * One GRU layer as an op (PyTorch's nn.GRU semantics, gates r, z, n): D cells (directions) read the
 * same input sequence, each with its own weights, and their states sit side by side in the output.
 * A direction may read the sequence backwards (a true bidirectional layer); the official CMD
 * encoder runs both cells forward in time (docs/gru.md).
 *
 * Forward, per direction: the input projections of all T steps as one matmul (gi = X·W_ihᵀ + b_ih),
 * then per step one matmul for the hidden side (gh = h·W_hhᵀ + b_hh) and one fused cell dispatch
 * (kernels/gru/cell.wgsl `forward`). What the backward keeps is linear in T and nothing more: the
 * output sequence (T, B, D·H) and per direction r, z, n and gh_n (T, B, 4H); gi is freed after the
 * loop. Without a tape (momentum encoders, evaluation) nothing is saved.
 *
 * Backward, per direction, steps in reverse processing order: one cell dispatch (`backward`) and
 * one matmul carrying the gradient to the previous state (dh ← dgh·W_hh); then the weight and input
 * gradients of all steps as a few big matmuls (dW_ih = dgiᵀ·X, dW_hh = dghᵀ·H_prev, dX += dgi·W_ih)
 * and two row sums for the biases.
 *
 * The weights' transposes are copied once per call so that every matmul's right operand has
 * contiguous columns (the k-major window path of the software-adapter matmul needs them; 1.5–2×
 * the strided path at these shapes, docs/gru.md).
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { record, needsGrad, noGrad } from '../../tensor/autograd.js';
import { UserError } from '../../util/errors.js';
import { gemm } from '../matmul/gemm.js';
import type { Operand } from '../matmul/operands.js';
import { transpose } from '../shape.js';
import { zeros, add } from '../elementwise.js';
import { sumAxes } from '../reduce.js';

/** One cell's parameters with nn.GRU's shapes: W_ih (3H, I), W_hh (3H, H), b_ih and b_hh (3H). */
export interface GruCellWeights { wIh: Tensor; wHh: Tensor; bIh: Tensor; bHh: Tensor }

export interface GruLayerOptions {
  /** Per direction: read the sequence backwards (default: every direction forward in time). */
  reverse?: readonly boolean[];
  /** Initial states (D, B, H); default zeros (nn.GRU's, and the official encoder's). */
  h0?: Tensor;
}

const WG = 64;
const SAVE = 1, CARRY = 2, HAS_PREV = 4, HAS_H0 = 8;
/** Storage buffers the backward entry binds (kernels/gru/cell.wgsl). */
const BUFFERS_NEEDED = 10;

const rows = (t: Tensor, cols: number): Operand => ({ buf: t.buffer, rs: cols, cs: 1, bs: 0 });
const copyT = (w: Tensor): Tensor => noGrad(() => transpose(w));

/**
 * x (T, B, I) time-major → the states (T, B, D·H): direction d's h_t at columns [d·H, (d+1)·H).
 */
export function gruLayer(x: Tensor, cells: readonly GruCellWeights[], opts: GruLayerOptions = {}): Tensor {
  if (x.rank !== 3) throw new Error(`gruLayer: input must be (T, B, I), got [${x.shape}]`);
  const [T, B, I] = x.shape;
  const D = cells.length;
  if (D === 0) throw new Error('gruLayer: no cells');
  const H = cells[0].wHh.shape[1];
  for (const c of cells) {
    if (c.wIh.rank !== 2 || c.wIh.shape[0] !== 3 * H || c.wIh.shape[1] !== I || c.wHh.shape[0] !== 3 * H || c.wHh.shape[1] !== H || c.bIh.size !== 3 * H || c.bHh.size !== 3 * H) {
      throw new Error(`gruLayer: cell weights [${c.wIh.shape}] [${c.wHh.shape}] [${c.bIh.shape}] [${c.bHh.shape}] are not (3H, ${I}), (3H, H), (3H), (3H) with H = ${H}`);
    }
  }
  const reverse = cells.map((_, d) => Boolean(opts.reverse?.[d]));
  const h0 = opts.h0;
  if (h0 && (h0.size !== D * B * H)) throw new Error(`gruLayer: h0 [${h0.shape}] is not (${D}, ${B}, ${H})`);
  const gpu = G();
  const available = gpu.limits.maxStorageBuffersPerShaderStage;
  if (available < BUFFERS_NEEDED) throw new UserError(`the GRU encoder needs ${BUFFERS_NEEDED} storage buffers per shader stage; this adapter (${gpu.name}) has ${available}`);
  const weights = cells.flatMap((c) => [c.wIh, c.wHh, c.bIh, c.bHh]);
  const training = needsGrad(x, h0, ...weights);
  const width = D * H, TB = T * B;
  const seq = Tensor.empty([T, B, width]);
  const saved = training ? cells.map(() => Tensor.empty([T, B, 4 * H])) : [];
  const fwd = gpu.kernel('gru/cell', 'forward', { WG });
  const groups = Math.ceil(B * H / WG);

  // the input projections of every step, and the states the steps update in place
  const gi: Tensor[] = [], whhT: Tensor[] = [], hcur: Tensor[] = [];
  cells.forEach((c, d) => {
    const wihT = copyT(c.wIh);
    const out = Tensor.empty([TB, 3 * H]);
    gemm({ M: TB, N: 3 * H, K: I, batch: 1, a: rows(x, I), b: rows(wihT, 3 * H), c: rows(out, 3 * H), bias: { buf: c.bIh.buffer, sm: 0, sn: 1 } });
    wihT.dispose();
    gi.push(out);
    whhT.push(copyT(c.wHh));
    const h = noGrad(() => zeros([B, H]));
    if (h0) gpu.copy(h0.buffer, d * B * H * 4, h.buffer, 0, B * H * 4);
    hcur.push(h);
  });
  for (let s = 0; s < T; s++) {
    cells.forEach((c, d) => {
      const t = reverse[d] ? T - 1 - s : s;
      const gh = Tensor.empty([B, 3 * H]);
      gemm({ M: B, N: 3 * H, K: H, batch: 1, a: rows(hcur[d], H), b: rows(whhT[d], 3 * H), c: rows(gh, 3 * H), bias: { buf: c.bHh.buffer, sm: 0, sn: 1 } });
      gpu.dispatch(fwd, { gi: gi[d].buffer, gh: gh.buffer, hcur: hcur[d].buffer, seq: seq.buffer, saved: training ? saved[d].buffer : gpu.placeholder },
        { b: B, h: H, t, tprev: 0, tb: TB, width, col: d * H, flags: training ? SAVE : 0, nt: T, rev: reverse[d] ? 1 : 0 }, groups);
      gh.dispose();
    });
  }
  for (const t of [...gi, ...whhT, ...hcur]) t.dispose();

  return record('gruLayer', seq, [x, h0, ...weights], (g) => {
    const grads: (Tensor | undefined)[] = [undefined, undefined, ...weights.map(() => undefined)];
    const dh0 = h0?.requiresGrad ? Tensor.empty(h0.shape) : undefined;
    let dx: Tensor | undefined;
    cells.forEach((c, d) => {
      const r = backwardDirection({ g, x, seq, saved: saved[d], h0, cell: c, d, D, reverse: reverse[d], wantDh0: Boolean(dh0), wantDx: x.requiresGrad });
      if (dh0 && r.dh0) { gpu.copy(r.dh0.buffer, 0, dh0.buffer, d * B * H * 4, B * H * 4); r.dh0.dispose(); }
      if (r.dx) { if (dx) { const s = add(dx, r.dx); dx.dispose(); r.dx.dispose(); dx = s; } else dx = r.dx; }
      const at = 2 + 4 * d;
      [r.dwIh, r.dwHh, r.dbIh, r.dbHh].forEach((t, k) => {
        if (weights[4 * d + k].requiresGrad) grads[at + k] = t; else t.dispose();
      });
    });
    grads[0] = dx;
    grads[1] = dh0;
    return grads;
  });
}

interface DirectionInput {
  g: Tensor; x: Tensor; seq: Tensor; saved: Tensor; h0?: Tensor; cell: GruCellWeights;
  d: number; D: number; reverse: boolean; wantDh0: boolean; wantDx: boolean;
}

/** Backward through time of one direction: the gradients of its weights, of x (its share) and of h0. */
function backwardDirection(a: DirectionInput): { dwIh: Tensor; dwHh: Tensor; dbIh: Tensor; dbHh: Tensor; dx?: Tensor; dh0?: Tensor } {
  const gpu = G();
  const [T, B, I] = a.x.shape;
  const H = a.cell.wHh.shape[1];
  const TB = T * B, width = a.D * H;
  const dgi = Tensor.empty([TB, 3 * H]), dgit = Tensor.empty([3 * H, TB]), dght = Tensor.empty([3 * H, TB]);
  const dgh = Tensor.empty([B, 3 * H]), ddir = Tensor.empty([B, H]);
  let drec = Tensor.empty([B, H]);
  // this direction's initial state as its own buffer (a binding offset would need 256-byte alignment)
  const h0 = a.h0 ? Tensor.empty([B, H]) : undefined;
  if (a.h0 && h0) gpu.copy(a.h0.buffer, a.d * B * H * 4, h0.buffer, 0, B * H * 4);
  const h0Binding = h0?.buffer ?? gpu.placeholder;
  const bwd = gpu.kernel('gru/cell', 'backward', { WG });
  const groups = Math.ceil(B * H / WG);
  const whh = rows(a.cell.wHh, H);   // (3H, H) as the right operand of dgh·W_hh
  for (let s = T - 1; s >= 0; s--) {
    const t = a.reverse ? T - 1 - s : s;
    const tprev = a.reverse ? t + 1 : t - 1;
    const flags = (s < T - 1 ? CARRY : 0) | (s > 0 ? HAS_PREV : 0) | (a.h0 ? HAS_H0 : 0);
    gpu.dispatch(bwd, {
      dseq: a.g.buffer, saved: a.saved.buffer, seq: a.seq.buffer, h0: h0Binding, drec: drec.buffer, ddir: ddir.buffer,
      dgi: dgi.buffer, dgit: dgit.buffer, dght: dght.buffer, dgh: dgh.buffer,
    }, { b: B, h: H, t, tprev: s > 0 ? tprev : 0, tb: TB, width, col: a.d * H, flags, nt: T, rev: a.reverse ? 1 : 0 }, groups);
    if (s > 0 || a.wantDh0) {
      // the matmul writes a fresh tensor: the dispatch above may still be reading the old one
      const next = Tensor.empty([B, H]);
      gemm({ M: B, N: H, K: 3 * H, batch: 1, a: rows(dgh, 3 * H), b: whh, c: rows(next, H) });
      drec.dispose();
      drec = next;
    }
  }
  let dh0: Tensor | undefined;
  if (a.wantDh0) dh0 = noGrad(() => add(drec, ddir));
  dgh.dispose(); drec.dispose(); ddir.dispose();

  // the states each step read, as rows, for the hidden weights' gradient
  const hprev = Tensor.empty([TB, H]);
  gpu.dispatch(gpu.kernel('gru/cell', 'prev', { WG }), { seq: a.seq.buffer, h0: h0Binding, out: hprev.buffer },
    { b: B, h: H, t: 0, tprev: 0, tb: TB, width, col: a.d * H, flags: a.h0 ? HAS_H0 : 0, nt: T, rev: a.reverse ? 1 : 0 }, Math.ceil(TB * H / WG));
  h0?.dispose();
  const dwIh = Tensor.empty([3 * H, I]), dwHh = Tensor.empty([3 * H, H]);
  gemm({ M: 3 * H, N: I, K: TB, batch: 1, a: rows(dgit, TB), b: rows(a.x, I), c: rows(dwIh, I) });
  gemm({ M: 3 * H, N: H, K: TB, batch: 1, a: rows(dght, TB), b: rows(hprev, H), c: rows(dwHh, H) });
  hprev.dispose();
  const dbIh = noGrad(() => sumAxes(dgit, 1)), dbHh = noGrad(() => sumAxes(dght, 1));
  dgit.dispose(); dght.dispose();
  let dx: Tensor | undefined;
  if (a.wantDx) {
    dx = Tensor.empty([T, B, I]);
    gemm({ M: TB, N: I, K: 3 * H, batch: 1, a: rows(dgi, 3 * H), b: rows(a.cell.wIh, I), c: rows(dx, I) });
  }
  dgi.dispose();
  return { dwIh, dwHh, dbIh, dbHh, dx, dh0 };
}
