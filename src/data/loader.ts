/**
 * Batches of augmented samples for training and evaluation.
 *
 * Prefetch design: batches are prepared on the main thread, ahead of the consumer, in small
 * chunks separated by `setImmediate`. A training step spends most of its time awaiting the GPU
 * (mapAsync / onSubmittedWorkDone), and while it awaits, the event loop runs these chunks, so the
 * next batches are ready when the step asks. Worker threads were rejected: a worker would need
 * the dataset rebuilt from a description (impossible for an in-memory ArrayDataset without
 * copying it, and every file-backed reader would need a serialisable form), while the work per
 * batch — seeking reads plus crop-resize of 64 samples — is a few milliseconds, far below a step.
 * This works unchanged for any SkeletonDataset, in memory or read by seeking.
 *
 * Determinism: the epoch's order comes from Rng.derive(seed, ORDER, epoch) and each batch's
 * augmentation from Rng.derive(seed, BATCH, epoch, batchIndex), so the batches are identical
 * whatever the prefetch depth or timing.
 */
import type { Sample, SkeletonDataset } from './dataset.js';
import { Rng } from '../util/random.js';
import { twoViews, trainEvalView, evalView, type AugmentOptions } from '../skeleton/augment.js';

/**
 * The next turn of the event loop: setImmediate in Node; in a page (no setImmediate) a
 * MessageChannel message, because nested setTimeout(0) is clamped to 4 ms per chunk.
 */
const nextTurn: (f: () => void) => void = typeof setImmediate === 'function' ? (f) => { setImmediate(f); } : (() => {
  const ch = new MessageChannel(), waiting: (() => void)[] = [];
  (ch.port1 as unknown as { onmessage: () => void }).onmessage = () => waiting.shift()?.();
  return (f: () => void) => { waiting.push(f); ch.port2.postMessage(0); };
})();

export interface Batch {
  x1: Float32Array;      // (B, 3, T_out, V, M)
  x2?: Float32Array;     // the second view, for 'twoViews'
  labels: Int32Array;    // (B,)
  indices: Int32Array;   // dataset rows, (B,)
  size: number;          // B (the last batch may be short without dropLast)
}

/** A custom transform: the views of one sample (all of one fixed length), drawn from rng. */
export type SampleTransform = (sample: Sample, rng: Rng) => Float32Array[];

export interface LoaderOptions {
  batchSize: number;
  shuffle?: boolean;               // default true
  dropLast?: boolean;              // default false
  seed?: number;                   // default 0
  transform?: 'twoViews' | 'eval' | 'train-eval' | SampleTransform; // default 'twoViews'
  T?: number;                      // frames per view (default 64)
  augment?: Partial<Pick<AugmentOptions, 'scaleRange' | 'minCrop' | 'jointCount' | 'jointFraction' | 'corruptions' | 'shearAmplitude'>>;
  prefetch?: number;               // batches prepared ahead (default 2; 0 = prepare on demand)
  chunk?: number;                  // samples prepared between event-loop yields (default 8)
}

export interface LoaderStats { batches: number; prepareMs: number; waitMs: number }

const ORDER = 1;
const BATCH = 2;

export class Loader {
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  private readonly shuffle: boolean;
  private readonly dropLast: boolean;
  private readonly seed: number;
  private readonly prefetch: number;
  private readonly chunk: number;
  private readonly views: SampleTransform;
  private closed = false;
  private counters: LoaderStats = { batches: 0, prepareMs: 0, waitMs: 0 };

  constructor(readonly dataset: SkeletonDataset, opts: LoaderOptions) {
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize >= 1)) throw new Error(`Loader: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? true;
    this.dropLast = opts.dropLast ?? false;
    this.seed = opts.seed ?? 0;
    this.prefetch = Math.max(0, Math.floor(opts.prefetch ?? 2));
    this.chunk = Math.max(1, Math.floor(opts.chunk ?? 8));
    const n = dataset.size;
    this.batchesPerEpoch = this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
    this.views = makeTransform(dataset, opts);
  }

  /** Dataset rows in the order epoch e visits them. */
  order(epoch: number): Int32Array {
    const rows = new Int32Array(this.dataset.size);
    for (let i = 0; i < rows.length; i++) rows[i] = i;
    if (this.shuffle) Rng.derive(this.seed, ORDER, epoch).shuffle(rows);
    return rows;
  }

  /** The batches of epoch e, prepared `prefetch` ahead of the consumer. */
  async *epoch(e: number): AsyncGenerator<Batch> {
    if (this.closed) throw new Error('Loader: used after close()');
    const rows = this.order(e);
    const plan = (b: number) => rows.subarray(b * this.batchSize, Math.min((b + 1) * this.batchSize, rows.length));
    const nb = this.batchesPerEpoch;

    if (this.prefetch === 0) {
      for (let b = 0; b < nb && !this.closed; b++) {
        const t0 = performance.now();
        const batch = this.prepareNow(e, b, plan(b));
        this.counters.waitMs += performance.now() - t0;
        this.counters.batches++;
        yield batch;
      }
      return;
    }

    // One producer at a time: batch b starts once b−1 is done, so chunks never interleave.
    const stop = { stopped: false };
    const pending: Promise<Batch>[] = [];
    let chain: Promise<unknown> = Promise.resolve();
    let started = 0;
    const startNext = () => {
      const b = started++;
      const p = chain.then(() => this.prepareChunked(e, b, plan(b), stop));
      p.catch(() => undefined); // surfaced when awaited; never an unhandled rejection
      chain = p.catch(() => undefined);
      pending.push(p);
    };
    try {
      while (started < Math.min(this.prefetch, nb)) startNext();
      for (let b = 0; b < nb && !this.closed; b++) {
        const t0 = performance.now();
        const batch = await pending.shift()!;
        this.counters.waitMs += performance.now() - t0;
        if (started < nb) startNext();
        this.counters.batches++;
        yield batch;
      }
    } finally {
      stop.stopped = true; // an early `break` abandons the batches still being prepared
    }
  }

  /** Batches served, CPU time spent preparing them, and time the consumer spent waiting. */
  stats(): LoaderStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = { batches: 0, prepareMs: 0, waitMs: 0 };
  }

  /** Stops serving batches; generators still running end after their current batch. */
  close(): void {
    this.closed = true;
  }

  private prepareNow(e: number, b: number, rows: Int32Array): Batch {
    const builder = new BatchBuilder(rows, this.dataset, this.views, Rng.derive(this.seed, BATCH, e, b));
    const t0 = performance.now();
    builder.run(rows.length);
    this.counters.prepareMs += performance.now() - t0;
    return builder.finish();
  }

  private async prepareChunked(e: number, b: number, rows: Int32Array, stop: { stopped: boolean }): Promise<Batch> {
    const builder = new BatchBuilder(rows, this.dataset, this.views, Rng.derive(this.seed, BATCH, e, b));
    while (!builder.done()) {
      await new Promise<void>((resolve) => nextTurn(resolve));
      if (stop.stopped || this.closed) throw new Error('Loader: batch abandoned');
      const t0 = performance.now();
      builder.run(this.chunk);
      this.counters.prepareMs += performance.now() - t0;
    }
    return builder.finish();
  }
}

/** Fills one batch sample by sample, so the work can be split across event-loop turns. */
class BatchBuilder {
  private next = 0;
  private out: Float32Array[] = [];
  private per = 0;
  private readonly labels: Int32Array;

  constructor(
    private readonly rows: Int32Array, private readonly dataset: SkeletonDataset,
    private readonly views: SampleTransform, private readonly rng: Rng,
  ) {
    this.labels = new Int32Array(rows.length);
  }

  done(): boolean {
    return this.next >= this.rows.length;
  }

  run(count: number): void {
    const end = Math.min(this.rows.length, this.next + count);
    for (; this.next < end; this.next++) {
      const i = this.next;
      const sample = this.dataset.get(this.rows[i]);
      const vs = this.views(sample, this.rng);
      if (this.out.length === 0) {
        this.per = vs[0].length;
        this.out = vs.map(() => new Float32Array(this.rows.length * this.per));
      }
      if (vs.length !== this.out.length || vs.some((v) => v.length !== this.per)) {
        throw new Error(`Loader: transform gave ${vs.length} views of [${vs.map((v) => v.length)}] floats for row ${this.rows[i]}, expected ${this.out.length} of ${this.per}`);
      }
      vs.forEach((v, k) => this.out[k].set(v, i * this.per));
      this.labels[i] = sample.label;
    }
  }

  finish(): Batch {
    const batch: Batch = { x1: this.out[0] ?? new Float32Array(0), labels: this.labels, indices: this.rows.slice(), size: this.rows.length };
    if (this.out.length > 1) batch.x2 = this.out[1];
    return batch;
  }
}

function makeTransform(ds: SkeletonDataset, opts: LoaderOptions): SampleTransform {
  const t = opts.transform ?? 'twoViews';
  if (typeof t === 'function') return t;
  const aug: AugmentOptions = { T_in: ds.T, V: ds.V, M: ds.M, T_out: opts.T ?? 64, ...opts.augment };
  switch (t) {
    case 'twoViews': return (s, rng) => twoViews(s, aug, rng);
    case 'train-eval': return (s, rng) => [trainEvalView(s, aug, rng)];
    case 'eval': return (s) => [evalView(s, aug)];
    default: throw new Error(`Loader: unknown transform ${String(t)}`);
  }
}
