/**
 * The pre-training loop's finite guard: after every step, one pass of `finiteFlags` over the
 * step's loss terms, every tensor the checkpoint holds (weights, BatchNorm statistics, queues)
 * and the optimiser's velocities leaves a sticky flag per tensor on the GPU. Their sum joins the
 * loss terms the loop already reads back every few steps, so a broken step costs no read of its
 * own; only then are the flags read, to name the first tensor that broke and the step. ReLU and
 * max keep NaN (kernels/lib/nan.wgsl), so a NaN in the data reaches the losses too.
 */
import { Tensor, noGrad, tidy } from '../tensor/index.js';
import { sumAxes } from '../ops/reduce.js';
import { finiteFlags, decodeFlag, FINITE_MAX_STEP } from '../ops/finite.js';

export type GuardKind = 'loss term' | 'tensor';
export interface Broken { kind: GuardKind; name: string; step: number; value: 'NaN' | 'Infinity' | '-Infinity' }

export class FiniteGuard {
  private readonly slots = new Map<string, number>();
  private readonly kinds: GuardKind[] = [];
  private readonly names: string[] = [];
  private readonly flags: Tensor;

  /** `capacity`: how many distinct names can ever be checked (terms + tensors). */
  constructor(readonly capacity: number) {
    this.flags = Tensor.from(new Float32Array(capacity)).keep();
  }

  private slotOf(kind: GuardKind, name: string): number {
    const key = `${kind}:${name}`;
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.names.length;
      if (s >= this.capacity) throw new Error(`FiniteGuard: more than ${this.capacity} tensors to check`);
      this.slots.set(key, s); this.names.push(name); this.kinds.push(kind);
    }
    return s;
  }

  /**
   * Flags every non-finite one of `terms` and `tensors` at `step`; returns a kept scalar, 0 while
   * every flag is clear, that the caller reads with the losses (and disposes).
   */
  check(step: number, terms: Record<string, Tensor>, tensors: [string, Tensor][]): Tensor {
    const list: [number, Tensor][] = [
      ...Object.entries(terms).map(([n, t]) => [this.slotOf('loss term', n), t] as [number, Tensor]),
      ...tensors.map(([n, t]) => [this.slotOf('tensor', n), t] as [number, Tensor]),
    ];
    list.sort((a, b) => a[1].size - b[1].size);   // a dispatch covers its longest tensor: group alike sizes
    // past the steps a flag can encode exactly, later steps report as the last one (still a stop)
    finiteFlags(list.map((e) => e[1]), list.map((e) => e[0]), this.flags, Math.min(step, FINITE_MAX_STEP));
    return noGrad(() => tidy(() => sumAxes(this.flags))).keep();
  }

  /**
   * The first thing that broke: the earliest step; at one step a loss term before the total
   * and before a tensor (the term says which part of the loss; the tensors follow from it).
   */
  async broken(): Promise<Broken | undefined> {
    const flags = await this.flags.read();
    let best: (Broken & { rank: number }) | undefined;
    for (let s = 0; s < this.names.length; s++) {
      const f = decodeFlag(flags[s]);
      if (!f) continue;
      const rank = this.kinds[s] === 'tensor' ? 2 : this.names[s] === 'total' ? 1 : 0;
      if (!best || f.step < best.step || (f.step === best.step && rank < best.rank)) best = { kind: this.kinds[s], name: this.names[s], ...f, rank };
    }
    if (!best) return undefined;
    const { rank: _, ...out } = best;
    return out;
  }

  dispose(): void { this.flags.dispose(); }
}
