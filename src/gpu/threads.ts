/**
 * How many threads Mesa's software drivers (llvmpipe, lavapipe) run each dispatch on. The driver
 * reads LP_NUM_THREADS once, when it starts, so this is decided before the adapter is requested
 * (src/gpu/adapter.ts sets the variable); hardware adapters ignore it.
 *
 * The driver splits a dispatch's workgroups statically over its threads and the dispatch ends with
 * its last thread (docs/bench.md#software-threads):
 *   - a job of small dispatches (the demo's, well under a millisecond each) runs best on one thread
 *     per core, the driver's default: every further thread is one more wake-up per dispatch;
 *   - a job of big dispatches (paper-size convolutions and products, ≥ HEAVY_DISPATCH_FLOPS each)
 *     runs on HEAVY_THREADS_PER_CORE threads per core. On an idle machine that changes nothing
 *     measurable; when another job holds cores, a preempted thread holds back a small slice of the
 *     dispatch instead of half of it, and the scheduler shares the cores out per thread, so the step
 *     keeps more of the machine (the paper step beside a two-thread job: 1.6× faster than at one
 *     thread per core) — and the other job, in turn, less of it.
 * Precedence: LP_NUM_THREADS as the user set it; I2MD_SOFTWARE_THREADS (`--software-threads`);
 * the rule above from the job's typical dispatch (`planSoftwareThreads`, called by the commands
 * that know their encoder before they start the engine); else the driver's default.
 */
import { UserError } from '../util/errors.js';

/** Multiply-adds ×2 of a job's typical dispatch from which it gets more threads than cores. */
export const HEAVY_DISPATCH_FLOPS = 50e6;
/** Threads per core for such a job. */
export const HEAVY_THREADS_PER_CORE = 8;
/** Mesa's cap on llvmpipe's threads (32, as its driver documentation states). */
export const MAX_SOFTWARE_THREADS = 32;

export interface ThreadsChoice {
  /** Threads per dispatch; undefined: the driver's default (one per core). */
  threads?: number;
  /** Where the number came from, for `info` and the run's log. */
  source: string;
}

let typicalDispatchFlops: number | undefined;

/** Declares the job's typical dispatch (FLOPs) before the engine starts; later calls have no effect on a running driver. */
export function planSoftwareThreads(flops: number | undefined): void { typicalDispatchFlops = flops; }

/** The choice for this process (pure: `env` reads the environment, `cores` the logical cores). */
export function chooseSoftwareThreads(env: (name: string) => string | undefined, cores: number, flops = typicalDispatchFlops): ThreadsChoice {
  const given = env('LP_NUM_THREADS');
  if (given !== undefined && given !== '') {
    const n = Number(given);   // Mesa parses it itself; we only report it
    return { ...(Number.isInteger(n) && n > 0 ? { threads: n } : {}), source: `LP_NUM_THREADS=${given}` };
  }
  const ours = env('I2MD_SOFTWARE_THREADS');
  if (ours !== undefined && ours !== '') {
    const n = Number(ours);
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_SOFTWARE_THREADS)) {
      throw new UserError(`--software-threads / I2MD_SOFTWARE_THREADS '${ours}': expected a whole number from 1 to ${MAX_SOFTWARE_THREADS}`);
    }
    return { threads: n, source: 'I2MD_SOFTWARE_THREADS / --software-threads' };
  }
  if (flops !== undefined && flops >= HEAVY_DISPATCH_FLOPS) {
    return {
      threads: Math.min(MAX_SOFTWARE_THREADS, HEAVY_THREADS_PER_CORE * cores),
      source: `auto: ${HEAVY_THREADS_PER_CORE} per core, the job's typical dispatch is ${(flops / 1e6).toFixed(0)} MFLOP (≥ ${HEAVY_DISPATCH_FLOPS / 1e6})`,
    };
  }
  return { source: 'the driver\'s default: one per core' };
}
