/**
 * The autotuner: for each case of a tunable family (a shape at which the presets run the op), run
 * the op with every candidate variant forced through the tuning cache's `forceVariant` — the same
 * code path training takes — check that its output equals the default's, time it, and keep the
 * fastest. Timing is round-robin (every variant once per round, `reps` rounds, median per
 * variant), so a shared machine's changing load spreads over all variants instead of favouring
 * whichever ran in a quiet moment. Each timed sample ends with `await G().sync()`; a case that
 * takes under ≈ 20 ms runs several times per sample. Variants whose one warm run takes over 10× the
 * best one's are not timed further; after two rounds, those over 3× the best (each by its faster
 * sample) are dropped too. Neither can win. The default stays unless the
 * fastest beats it by 5 % (`margin`): a tie on a noisy machine is no reason to change.
 */
import { G, tidy, type Tensor } from '../tensor/tensor.js';
import { forceVariant, bypassTuningCache, recordLookups } from '../gpu/policy.js';
import { type TunedEntry } from '../gpu/tuning.js';
import type { Overrides } from '../gpu/kernels.js';

export interface Candidate { name: string; overrides: Overrides }

export interface TuneCase {
  /** What the shape is, e.g. "CMD top-k (paper)". */
  label: string;
  /** The exact shape, e.g. "1024x1024x1024". */
  shape: string;
  /** The cache key the op looks up for this shape (the tuner checks it against the lookups the run makes). */
  shapeClass: string;
  /** The candidate the op uses without a cache entry. */
  defaultName: string;
  candidates: Candidate[];
  /**
   * Records the op (inputs made on first call and kept) and returns the tensors to compare;
   * the tuner reads or disposes them.
   */
  run(): Tensor[];
  /** Largest allowed |variant − default| / max(1, max |default|) per output; 0 = bit-exact. */
  tol: number;
  /** Frees the inputs. */
  dispose(): void;
  /** Multiply-adds × 2 of one run, for GFLOP/s in the table. */
  flops?: number;
  /** Why this shape cannot run on this device (then it is reported, not run). */
  skip?: string;
}

export interface TuneFamily {
  family: string;
  /** The cases at the preset shapes; `quick` keeps a few so tuning takes about a minute on llvmpipe. */
  cases(quick: boolean): TuneCase[];
}

export interface VariantResult { name: string; ms?: number; error?: string; maxErr?: number; samples?: number }
export interface CaseResult {
  family: string; label: string; shape: string; shapeClass: string;
  variants: VariantResult[];
  defaultName: string; defaultMs?: number;
  winner?: string; winnerMs?: number; speedup?: number;
  entry?: TunedEntry;
  flops?: number;
  /** Why the case could not be tuned (then nothing is stored for it). */
  error?: string;
  /** Runs recorded back to back per timed sample (small cases: enough for ≈ 20 ms). */
  runsPerSample?: number;
  /** The shape classes of the family the op looked up in the reference run (must include shapeClass). */
  classes?: string[];
}

export interface TuneOptions {
  reps: number;
  /** A winner must beat the default by this factor to replace it (noise guard; default 1.05). */
  margin?: number;
  /** After two rounds, variants whose faster sample is over this factor × the best's are timed no more (default 3). */
  prune?: number;
  log?(line: string): void;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function readAll(ts: Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of ts) { out.push(await t.read()); t.dispose(); }
  return out;
}

/** The items whose key was not seen before them, in order: one case or candidate per distinct work. */
export function firstOfEach<T>(items: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((x) => { const k = key(x); if (seen.has(k)) return false; seen.add(k); return true; });
}

/** max |got − ref| / max(1, max |ref|) over all outputs (Infinity when shapes differ or a value is not finite). */
export function relativeError(ref: Float32Array[], got: Float32Array[]): number {
  if (ref.length !== got.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    if (ref[i].length !== got[i].length) return Infinity;
    let scale = 1, err = 0;
    for (let j = 0; j < ref[i].length; j++) scale = Math.max(scale, Math.abs(ref[i][j]));
    for (let j = 0; j < ref[i].length; j++) {
      const d = Math.abs(got[i][j] - ref[i][j]);
      if (!(d <= err)) err = d;   // NaN propagates as Infinity below
    }
    worst = Math.max(worst, Number.isFinite(err) ? err / scale : Infinity);
  }
  return worst;
}

/** ms per run of `inner` runs recorded back to back and ended by one sync. */
async function timeRuns(c: TuneCase, inner: number): Promise<number> {
  const g = G();
  const t0 = performance.now();
  for (let i = 0; i < inner; i++) {
    const outs = tidy(() => c.run());
    for (const t of outs) t.dispose();
  }
  await g.sync();
  return (performance.now() - t0) / inner;
}

/** A timed sample should last at least this long: shorter ones measure the sync and the scheduler, not the kernel. */
const MIN_SAMPLE_MS = 20;

/** Tunes one case: reference with the default, verification + warm-up per candidate, round-robin timing. */
export async function tuneCase(family: string, c: TuneCase, opts: TuneOptions): Promise<CaseResult> {
  const log = opts.log ?? (() => {});
  const result: CaseResult = { family, label: c.label, shape: c.shape, shapeClass: c.shapeClass, defaultName: c.defaultName, variants: [], flops: c.flops };
  if (c.skip) return { ...result, error: c.skip };
  bypassTuningCache(true);
  try {
    forceVariant(family, undefined);
    recordLookups(true);
    let ref: Float32Array[];
    try { ref = await readAll(tidy(() => c.run())); } finally { result.classes = recordLookups(false)[family] ?? []; }
    if (!result.classes.includes(c.shapeClass)) {
      throw new Error(`${family} ${c.shape}: the op looked up ${result.classes.join(', ') || 'nothing'}, not ${c.shapeClass}`);
    }
    const ok: Candidate[] = [];
    for (const v of c.candidates) {
      const r: VariantResult = { name: v.name };
      result.variants.push(r);
      forceVariant(family, { variant: v.name, overrides: v.overrides });
      try {
        // the first run compiles the pipelines and is the check against the default
        r.maxErr = relativeError(ref, await readAll(tidy(() => c.run())));
        if (!(r.maxErr <= c.tol)) r.error = `output differs from the default (relative error ${r.maxErr.toExponential(2)} > ${c.tol})`;
        else ok.push(v);
      } catch (e) {
        r.error = (e as Error).message.split('\n')[0];
      }
      if (r.error) log(`  ${v.name}: rejected — ${r.error}`);
    }
    // small cases run several times per sample (sized from the default's warm time)
    forceVariant(family, undefined);
    const once = ok.length ? await timeRuns(c, 1) : 0;
    const inner = Math.max(1, Math.min(64, Math.ceil(MIN_SAMPLE_MS / Math.max(once, 0.01))));
    result.runsPerSample = inner;
    const times = new Map<string, number[]>(ok.map((v) => [v.name, []]));
    // one warm run each first: a variant 10× slower than the best single run is out before a
    // sample of `inner` runs costs seconds (the uniform-window matmuls on a GPU, hundreds of times
    // slower than the tiles: docs/bench.md#nvidia-h100-vulkan)
    const single = new Map<string, number>();
    for (const v of ok) {
      forceVariant(family, { variant: v.name, overrides: v.overrides });
      single.set(v.name, await timeRuns(c, 1));
    }
    const bestSingle = Math.min(...single.values());
    let racing = ok.filter((v) => single.get(v.name)! <= 10 * bestSingle);
    for (const v of ok) if (!racing.includes(v)) times.get(v.name)!.push(single.get(v.name)!);
    for (let rep = 0; rep < opts.reps; rep++) {
      for (const v of racing) {
        forceVariant(family, { variant: v.name, overrides: v.overrides });
        times.get(v.name)!.push(await timeRuns(c, inner));
      }
      if (rep === 1 && opts.reps > 2) {
        // a variant whose best of two samples is over 3× the leader's (load only ever slows a
        // sample down) cannot win even on a noisy machine: stop timing it
        const fastest = (v: Candidate) => Math.min(...times.get(v.name)!);
        const best = Math.min(...racing.map(fastest));
        racing = racing.filter((v) => fastest(v) <= (opts.prune ?? 3) * best);
      }
    }
    for (const r of result.variants) {
      const ts = times.get(r.name);
      if (ts?.length) { r.ms = median(ts); r.samples = ts.length; }
    }
  } finally {
    forceVariant(family, undefined);
    bypassTuningCache(false);
  }
  const measured = result.variants.filter((r) => r.ms !== undefined);
  if (measured.length === 0) return result;
  // only variants timed in every round can win (a pruned one's few samples are not comparable)
  const full = Math.max(...measured.map((r) => r.samples ?? 0));
  const best = measured.filter((r) => r.samples === full).reduce((a, b) => (b.ms! < a.ms! ? b : a));
  const def = measured.find((r) => r.name === c.defaultName);
  result.defaultMs = def?.ms;
  // keep the default unless the winner is clearly faster: a tie on a noisy machine is not a reason to change
  const winner = def && def.ms! <= best.ms! * (opts.margin ?? 1.05) ? def : best;
  result.winner = winner.name;
  result.winnerMs = winner.ms;
  result.speedup = def ? def.ms! / winner.ms! : undefined;
  const cand = c.candidates.find((v) => v.name === winner.name)!;
  result.entry = {
    variant: winner.name, overrides: cand.overrides,
    ms: Object.fromEntries(measured.map((r) => [r.name, Number(r.ms!.toFixed(3))])),
    defaultVariant: c.defaultName, speedup: result.speedup && Number(result.speedup.toFixed(3)),
    shape: c.shape, at: new Date().toISOString(),
  };
  return result;
}

/** Tunes every case of the families; `onCase` sees each result as it is measured. */
export async function tune(families: TuneFamily[], quick: boolean, opts: TuneOptions, onCase?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const f of families) {
    for (const c of f.cases(quick)) {
      let r: CaseResult;
      try {
        r = await tuneCase(f.family, c, opts);
      } catch (e) {
        // one case that cannot run here (a buffer over the device's limits, …) does not end the tuning
        r = { family: f.family, label: c.label, shape: c.shape, shapeClass: c.shapeClass, defaultName: c.defaultName, variants: [], error: (e as Error).message.split('\n')[0] };
      } finally {
        c.dispose();
      }
      results.push(r);
      onCase?.(r);
    }
  }
  return results;
}
