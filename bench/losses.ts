/**
 * Benchmarks of the I²MD loss kernels (docs/method.md) at training sizes:
 *   - InfoNCE forward + backward, N = 64, d = 128, K = 16384 and 65536 (kernels/contrastive.wgsl);
 *   - CMD distillation at K = 16384, top k = 8192: the masked KL alone (sims given) and the whole
 *     term (t = k·Q, s = q·Q, top-k, KL, backward into q);
 *   - DNA aggregation + cluster loss at K = 16384.
 * Each case: warm-up (pipeline JIT), then `reps` steps in one tidy each, each timed up to a GPU sync.
 * Module form: `run(ctx)`; also runnable alone: `node dist/bench/losses.js`.
 */
import { initEngine, Tensor, tidy, backward, G } from '../src/tensor/index.js';
import { infoNCE, queueSim, queueSimRaw } from '../src/ops/contrastive.js';
import { distillKL } from '../src/ops/distill.js';
import { clusterLoss } from '../src/ops/dna.js';
import { Rng } from '../src/util/random.js';

export interface LossBenchRow { name: string; ms: number; minMs: number; reps: number; dispatches: number; adapter: string; detail?: string }
export interface BenchCtx {
  /** Timed repetitions per case (default: 5 on a software adapter, 30 otherwise). */
  reps?: number;
  /** Called with each result as it is measured (a harness collects them). */
  report?(row: LossBenchRow): void;
  log?(line: string): void;
}

function unitColumns(rows: number, cols: number, seed: number, byColumn: boolean): Float32Array {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * cols }, () => rng.normal());
  if (byColumn) {
    for (let j = 0; j < cols; j++) {
      let s = 0; for (let i = 0; i < rows; i++) s += x[i * cols + j] ** 2;
      const inv = 1 / Math.sqrt(s); for (let i = 0; i < rows; i++) x[i * cols + j] *= inv;
    }
  } else {
    for (let i = 0; i < rows; i++) {
      let s = 0; for (let j = 0; j < cols; j++) s += x[i * cols + j] ** 2;
      const inv = 1 / Math.sqrt(s); for (let j = 0; j < cols; j++) x[i * cols + j] *= inv;
    }
  }
  return x;
}

/**
 * Warm-up (pipeline JIT, pool), then `reps` steps each followed by a GPU sync; the median and the
 * fastest step are reported (a shared CPU makes a software adapter's times noisy).
 */
async function time(name: string, reps: number, step: () => void, ctx: BenchCtx, detail?: string): Promise<LossBenchRow> {
  const g = G();
  step(); await g.sync();
  step(); await g.sync();
  const d0 = g.dispatches;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    step();
    await g.sync();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  const row: LossBenchRow = { name, ms, minMs: times[0], reps, dispatches: (g.dispatches - d0) / reps, adapter: g.name, detail };
  ctx.report?.(row);
  (ctx.log ?? console.log)(`${name.padEnd(56)} median ${ms.toFixed(2).padStart(8)} ms  min ${times[0].toFixed(2).padStart(8)} ms  ${row.dispatches} dispatches${detail ? '  ' + detail : ''}`);
  return row;
}

export async function run(ctx: BenchCtx = {}): Promise<LossBenchRow[]> {
  const g = await initEngine();
  const reps = ctx.reps ?? (g.summary.software ? 5 : 30);
  (ctx.log ?? console.log)(`adapter: ${g.name}`);
  const rows: LossBenchRow[] = [];
  const N = 64, d = 128;
  const q = Tensor.from(unitColumns(N, d, 1, false), [N, d]).param();
  const k = Tensor.from(unitColumns(N, d, 2, false), [N, d]).keep();
  const dropGrad = () => { q.grad?.dispose(); q.grad = undefined; };

  for (const K of [16384, 65536]) {
    const Q = Tensor.from(unitColumns(d, K, 3, true), [d, K]).keep();
    rows.push(await time(`InfoNCE fwd+bwd N=${N} d=${d} K=${K}`, reps, () => {
      tidy(() => { backward(infoNCE(q, k, Q, 0.07)); }); dropGrad();
    }, ctx));
    rows.push(await time(`InfoNCE fwd N=${N} d=${d} K=${K}`, reps, () => { tidy(() => { infoNCE(q, k, Q, 0.07); }); }, ctx));
    Q.dispose();
  }

  const K = 16384, top = 8192;
  const Q = Tensor.from(unitColumns(d, K, 4, true), [d, K]).keep();
  const tSim = tidy(() => queueSimRaw(k, Q)).keep();
  const s0 = tidy(() => queueSimRaw(q, Q)).param();
  rows.push(await time(`CMD masked KL fwd+bwd (sims given) K=${K} k=${top}`, reps, () => {
    tidy(() => { backward(distillKL(tSim, s0, top)); }); s0.grad?.dispose(); s0.grad = undefined;
  }, ctx, 'top-k + KL + dKL/ds'));
  rows.push(await time(`CMD term fwd+bwd (k·Q, q·Q, top-k, KL) K=${K} k=${top}`, reps, () => {
    tidy(() => { backward(distillKL(queueSimRaw(k, Q), queueSim(q, Q), top)); }); dropGrad();
  }, ctx, 'gradient into q'));
  rows.push(await time(`DNA + cluster loss fwd+bwd K=${K} k_dna=16`, reps, () => {
    tidy(() => { backward(clusterLoss(q, k, Q, { kDna: 16, delta: 0.5 }).loss); }); dropGrad();
  }, ctx));
  for (const t of [q, k, Q, tSim, s0]) t.dispose();
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
