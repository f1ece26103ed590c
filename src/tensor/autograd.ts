/**
 * Reverse-mode autograd. Ops append a node to the tape in execution order when an input needs a
 * gradient; `backward` walks the tape once in reverse (the tape order is already topological),
 * accumulating gradients of tensors used more than once. Backward rules are written with ops, so
 * they are tested like everything else; no tape is recorded while they run.
 *
 * Memory: each backward rule runs in a tidy of its own (its temporaries go as it returns), and
 * with `release` the forward's tensors go as soon as no rule left to run can read them (below).
 */
import { Tensor, G, tidy, recordClock, advanceRecordClock, scopedTensors } from './tensor.js';

export interface Node {
  name: string;
  inputs: (Tensor | undefined)[];
  output: Tensor;
  backward(grad: Tensor): (Tensor | undefined)[];
  /** The record clock when it was recorded (tensor.ts `born`). */
  at: number;
}

export interface BackwardOptions {
  /**
   * Free the forward's tensors during the backward. A rule can only read tensors that existed
   * when it was recorded (its closure, its inputs and output), so once the rule recorded at
   * clock j has run, no rule left reads a tensor born at j or later: every such tensor in a tidy
   * scope is disposed then, except the root, the seed, leaves and `retain` — what the caller
   * still reads after the backward (loss terms, keys to enqueue). Off by default: a caller
   * that reads a forward tensor after the backward must list it.
   */
  release?: boolean;
  retain?: readonly Tensor[];
}

let tape: Node[] = [];
let gradMode = true;

export function needsGrad(...inputs: (Tensor | undefined)[]): boolean {
  return gradMode && inputs.some((t) => t?.requiresGrad);
}

// How many rules on the tape read each tensor (`reads` of record): releaseUnread frees a tensor none reads.
let readers = new Map<Tensor, number>();

/**
 * Records `output = op(inputs)` if any input needs a gradient; returns output. `reads`: the
 * forward tensors the backward rule reads besides its incoming gradient — by default all of
 * `inputs` and `output`; an op that declares fewer lets `releaseUnread` free the others early
 * (dropout reads none, the residual add + ReLU only its output).
 */
export function record(name: string, output: Tensor, inputs: (Tensor | undefined)[], backward: Node['backward'], reads?: (Tensor | undefined)[]): Tensor {
  G().pool.labelBuffer(output.buffer, name);   // the memory report's name for it (only while the pool tracks)
  if (needsGrad(...inputs)) {
    output.requiresGrad = true;
    tape.push({ name, inputs, output, backward, at: advanceRecordClock() });
    for (const t of reads ?? [...inputs, output]) if (t) readers.set(t, (readers.get(t) ?? 0) + 1);
  }
  return output;
}

/**
 * Frees each tensor that no backward rule on the tape reads (record's `reads`): a layer calls it
 * on its intermediates once the forward is past them (ST-GCN: the temporal block's last batch
 * norm before dropout, dropout's output after the residual add), so they do not wait for the
 * end of the step. A tensor the caller will still read must not be passed.
 */
export function releaseUnread(...ts: Tensor[]): void {
  for (const t of ts) if (!readers.get(t)) t.dispose();
}

/** Runs fn without recording (evaluation, EMA updates, backward rules). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradMode;
  gradMode = false;
  try { return fn(); } finally { gradMode = prev; }
}

export function tapeLength(): number { return tape.length; }
export function clearTape(): void { tape = []; readers = new Map(); }

/**
 * Back-propagates from `root` (a scalar unless `seed` is given). Leaves that called `param()`
 * receive `.grad` (added to an existing one). A backward rule may hand the incoming gradient on
 * unchanged (add does), so one tensor can be the gradient of several inputs: a reference count
 * decides when an intermediate gradient is freed.
 */
export function backwardWith(ops: { add(a: Tensor, b: Tensor): Tensor; ones(shape: readonly number[]): Tensor; copy(a: Tensor): Tensor }, root: Tensor, seed?: Tensor,
  opts: BackwardOptions = {}): void {
  const grads = new Map<Tensor, Tensor>();
  const refs = new Map<Tensor, number>();
  const hold = (g: Tensor) => refs.set(g, (refs.get(g) ?? 0) + 1);
  const release = (g: Tensor) => {
    const n = (refs.get(g) ?? 1) - 1;
    if (n > 0) { refs.set(g, n); return; }
    refs.delete(g);
    if (g !== seed) g.dispose();
  };
  const start = seed ?? ops.ones(root.shape);
  grads.set(root, start); hold(start);
  const nodes = tape;
  tape = [];
  readers = new Map();
  const produced = new Set(nodes.map((n) => n.output));
  const dead = opts.release ? forwardTensors(root, seed, produced, opts.retain ?? []) : [];
  let next = 0;   // dead[next…] are still alive; dead is sorted by birth, the latest first
  const freeBornFrom = (at: number) => { while (next < dead.length && dead[next].born >= at) dead[next++].dispose(); };
  noGrad(() => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const g = grads.get(node.output);
      if (!g) { freeBornFrom(node.at); continue; }
      grads.delete(node.output);
      const inGrads = tidy(() => node.backward(g));
      inGrads.forEach((gi) => { if (gi) hold(gi); });
      release(g);
      node.inputs.forEach((inp, j) => {
        const gi = inGrads[j];
        if (!gi) return;
        if (!inp || !inp.requiresGrad) { release(gi); return; }
        const prev = grads.get(inp);
        if (prev) { const sum = ops.add(prev, gi); hold(sum); grads.set(inp, sum); release(prev); release(gi); }
        else grads.set(inp, gi);
      });
      freeBornFrom(node.at);
    }
  });
  // What remains are the gradients of leaves.
  for (const [t, g] of grads) {
    if (produced.has(t) || (t === root && g === start && nodes.length > 0)) { release(g); continue; }
    // a gradient still shared with another leaf (or the caller's seed) is copied before it is kept
    const shared = (refs.get(g) ?? 0) > 1 || g === seed;
    const own = shared ? noGrad(() => ops.copy(g)) : g;
    if (shared) release(g); else refs.delete(g);
    if (t.grad) { const s = noGrad(() => ops.add(t.grad!, own)); t.grad.dispose(); own.dispose(); t.grad = s.keep(); }
    else t.grad = own.keep();
  }
}

/**
 * The tensors `release` may free: those in a tidy scope made before the backward, less the root,
 * the seed, leaves (a gradient goes to them at the end) and what the caller retains, the latest
 * born first. A retained tensor's storage outlives its freed views and bases (tensor.ts refs).
 */
function forwardTensors(root: Tensor, seed: Tensor | undefined, produced: Set<Tensor>, retain: readonly Tensor[]): Tensor[] {
  const keep = new Set<Tensor>([root, ...retain]);
  if (seed) keep.add(seed);
  const now = recordClock();
  return scopedTensors()
    .filter((t) => !keep.has(t) && !t.isDisposed && t.born < now && !(t.requiresGrad && !produced.has(t)))
    .sort((a, b) => b.born - a.born);
}
