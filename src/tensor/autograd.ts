/**
 * Reverse-mode autograd. Ops append a node to the tape in execution order when an input needs a
 * gradient; `backward` walks the tape once in reverse (the tape order is already topological),
 * accumulating gradients of tensors used more than once. Backward rules are written with ops, so
 * they are tested like everything else; no tape is recorded while they run.
 */
import { Tensor, G } from './tensor.js';

export interface Node {
  name: string;
  inputs: (Tensor | undefined)[];
  output: Tensor;
  backward(grad: Tensor): (Tensor | undefined)[];
}

let tape: Node[] = [];
let gradMode = true;

export function needsGrad(...inputs: (Tensor | undefined)[]): boolean {
  return gradMode && inputs.some((t) => t?.requiresGrad);
}

/** Records `output = op(inputs)` if any input needs a gradient; returns output. */
export function record(name: string, output: Tensor, inputs: (Tensor | undefined)[], backward: Node['backward']): Tensor {
  G().pool.labelBuffer(output.buffer, name);   // the memory report's name for it (only while the pool tracks)
  if (needsGrad(...inputs)) {
    output.requiresGrad = true;
    tape.push({ name, inputs, output, backward });
  }
  return output;
}

/** Runs fn without recording (evaluation, EMA updates, backward rules). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradMode;
  gradMode = false;
  try { return fn(); } finally { gradMode = prev; }
}

export function tapeLength(): number { return tape.length; }
export function clearTape(): void { tape = []; }

/**
 * Back-propagates from `root` (a scalar unless `seed` is given). Leaves that called `param()`
 * receive `.grad` (added to an existing one). A backward rule may hand the incoming gradient on
 * unchanged (add does), so one tensor can be the gradient of several inputs: a reference count
 * decides when an intermediate gradient is freed.
 */
export function backwardWith(ops: { add(a: Tensor, b: Tensor): Tensor; ones(shape: readonly number[]): Tensor; copy(a: Tensor): Tensor }, root: Tensor, seed?: Tensor): void {
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
  const produced = new Set(nodes.map((n) => n.output));
  noGrad(() => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const g = grads.get(node.output);
      if (!g) continue;
      grads.delete(node.output);
      const inGrads = node.backward(g);
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
