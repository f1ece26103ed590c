/**
 * The benchmark harness: `measure` times one case (warm-up, then repetitions each ended by a GPU
 * sync) and returns one record; `setPeak` registers the adapter's measured FMA peak and copy
 * bandwidth (bench/peak.ts) so records get `fractionOfPeak`. Bench modules export
 * `run(ctx: BenchContext): Promise<BenchRecord[]>` and are listed in bench/run.ts.
 *
 * Besides wall time each record carries `cpuMs`, the process CPU time per repetition: on a
 * software adapter the "GPU" is this process's own threads, so on a shared machine wall time
 * grows with other people's load while cpuMs / cores stays close to the uncontended time
 * (`cpuGflops` is the throughput on that basis). In a browser page there is no process CPU clock:
 * records there have no cpuMs/cpuGflops.
 */
import { host } from '../src/gpu/host.js';
import { G, tidy } from '../src/tensor/index.js';
import type { Gpu } from '../src/gpu/device.js';

export interface AdapterInfo { vendor: string; architecture: string; device: string; description: string; backend: string }

export interface BenchRecord {
  name: string;
  shape: number[];
  medianMs: number;
  /** Interquartile range of the repetitions (ms). */
  spreadMs: number;
  minMs: number;
  maxMs: number;
  reps: number;
  /** Median process CPU time per repetition (ms, all threads). */
  cpuMs?: number;
  /** What medianMs measures: 'gpu' (timestamps around every compute pass, summed) or 'wall'. */
  timing?: 'gpu' | 'wall';
  /** Median wall time per repetition (ms), also when medianMs is GPU time. */
  wallMs?: number;
  gflops?: number;
  /** Software adapters: flops / (cpuMs / cores) — the rate the work would reach with every core to itself. */
  cpuGflops?: number;
  gbps?: number;
  /** gflops / FMA peak, or gbps / copy bandwidth when only bytes are given. */
  fractionOfPeak?: number;
  adapter: AdapterInfo;
  [extra: string]: unknown;
}

export interface BenchContext {
  gpu: Gpu;
  adapter: AdapterInfo;
  /** Repetitions per case (default: 5 on a software adapter, 20 otherwise). */
  reps?: number;
  /** Only cases whose `module: name` contains this substring. */
  only?: string;
  log(line: string): void;
  /** Called with every record (run.ts prints the table from these). */
  report?(row: unknown): void;
}

export interface MeasureOptions { flops?: number; bytes?: number; warmup?: number; reps?: number }

interface Settings { only?: string; reps?: number; module: string; report?(r: BenchRecord): void; log(line: string): void }
let settings: Settings = { module: '', log: (l) => console.log(l) };
let peak: { gflops?: number; gbps?: number } = {};

/** Set by bench/run.ts before each module (filter, default repetitions, where records go). */
export function configure(s: Partial<Settings>): void { settings = { ...settings, ...s }; }
/** The adapter's peaks that fractionOfPeak refers to. */
export function setPeak(p: { gflops?: number; gbps?: number }): void { peak = { ...peak, ...p }; }
export function getPeak(): { gflops?: number; gbps?: number } { return peak; }

export function adapterInfo(g: Gpu = G()): AdapterInfo {
  const s = g.summary;
  return { vendor: s.vendor, architecture: s.architecture, device: s.device, description: s.description, backend: s.backend };
}

/** The context handed to a module's run(). */
export function context(g: Gpu = G()): BenchContext {
  return { gpu: g, adapter: adapterInfo(g), reps: settings.reps, only: settings.only, log: settings.log, report: (r) => settings.report?.(r as BenchRecord) };
}

/** Whether a case of the current module passes the --only filter. */
export function wanted(name: string): boolean {
  return !settings.only || `${settings.module}: ${name}`.includes(settings.only);
}

function quantile(sorted: number[], q: number): number {
  const x = (sorted.length - 1) * q, i = Math.floor(x), f = x - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/**
 * Times `fn` (which records GPU work; tensors a synchronous fn makes are freed after each
 * repetition, an async fn frees its own): `warmup`
 * untimed runs (pipeline JIT, pool growth), then `reps` runs each followed by `await G().sync()`.
 * medianMs is GPU time from timestamps written around every compute pass where the adapter offers
 * `timestamp-query` (`timing: 'gpu'`; passes only, so gaps between them and host work do not count),
 * wall time otherwise (`timing: 'wall'`); `wallMs` is always the wall median.
 * Returns undefined when the case is filtered out.
 */
export async function measure(name: string, shape: number[], fn: () => void | Promise<void>, opts: MeasureOptions = {}): Promise<BenchRecord | undefined> {
  if (!wanted(name)) return undefined;
  const g = G();
  const reps = opts.reps ?? settings.reps ?? (g.summary.software ? 5 : 20);
  // a synchronous fn runs in a tidy; an async one manages its own tensors (a tidy cannot span an await)
  const isAsync = fn.constructor.name === 'AsyncFunction';
  const once = async () => {
    if (isAsync) await fn(); else tidy(() => { fn(); });
    await g.sync();
  };
  for (let i = 0; i < (opts.warmup ?? 1); i++) await once();
  // GPU timestamps around every compute pass where the adapter has them; a repetition they cannot
  // time (too many passes, unusable stamps) turns the whole case to wall time
  const wall: number[] = [], cpu: number[] = [], gpu: number[] = [];
  let timed = true;
  for (let i = 0; i < reps; i++) {
    const c0 = host.cpuTimeMs();
    const started = timed && g.startPassTimer();
    const t0 = performance.now();
    await once();
    wall.push(performance.now() - t0);
    const c1 = host.cpuTimeMs();
    if (c0 !== undefined && c1 !== undefined) cpu.push(c1 - c0);
    const ms = started ? await g.stopPassTimer() : undefined;
    if (ms === undefined) timed = false; else gpu.push(ms);
  }
  wall.sort((a, b) => a - b); cpu.sort((a, b) => a - b); gpu.sort((a, b) => a - b);
  const times = timed ? gpu : wall;
  const medianMs = quantile(times, 0.5);
  const rec: BenchRecord = {
    name, shape, medianMs, spreadMs: quantile(times, 0.75) - quantile(times, 0.25), minMs: times[0], maxMs: times[times.length - 1],
    reps, cpuMs: cpu.length ? quantile(cpu, 0.5) : undefined, timing: timed ? 'gpu' : 'wall', wallMs: quantile(wall, 0.5), adapter: adapterInfo(g),
  };
  if (opts.flops !== undefined) {
    rec.gflops = opts.flops / medianMs / 1e6;
    if (g.summary.software && rec.cpuMs !== undefined) rec.cpuGflops = opts.flops / (rec.cpuMs / host.cores()) / 1e6;
  }
  if (opts.bytes !== undefined) rec.gbps = opts.bytes / medianMs / 1e6;
  if (rec.gflops !== undefined && peak.gflops) rec.fractionOfPeak = rec.gflops / peak.gflops;
  else if (rec.gbps !== undefined && peak.gbps) rec.fractionOfPeak = rec.gbps / peak.gbps;
  settings.report?.(rec);
  return rec;
}

/** A foreign module's row ({name, ms, minMs, …}) as a record, extra fields kept. */
export function normalise(row: Record<string, unknown>, adapter: AdapterInfo): BenchRecord {
  if (typeof row.medianMs === 'number') return row as unknown as BenchRecord;
  const ms = Number(row.ms ?? NaN), min = Number(row.minMs ?? ms);
  const { ms: _ms, adapter: _a, ...rest } = row;
  return { timing: 'wall', ...rest, name: String(row.name), shape: Array.isArray(row.shape) ? row.shape as number[] : [], medianMs: ms,
    spreadMs: ms - min, minMs: min, maxMs: Number(row.maxMs ?? ms), reps: Number(row.reps ?? 0), adapter };
}
