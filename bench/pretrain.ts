/**
 * One full pre-training step (src/i2md/step.ts `pretrainStep`: EMA, three modalities, key and
 * query passes, losses, backward, SGD, enqueue) at a preset's size, twice:
 *   - MoCo + CMD (instance InfoNCE per modality and cross-modal distillation; no IMD/DNA);
 *   - full I²MD (+ cluster heads and queues, DNA, IMD).
 * Each: one warm-up step (pipeline JIT, buffer pool, bind-group cache), then `reps` steps (default
 * 3) each ended by `await G().sync()`. Records carry samples/s, dispatches per step (G().dispatches
 * before/after), the preset and the adapter; the loss of the last step is read back and must be
 * finite. The preset: any of src/i2md/config.ts — `demo` (default), `stgcn-paper` (batch 64, T 64,
 * M 2, ST-GCN 16/256, K 16384, top-k 8192), `cmd-paper` / `paper` (the same with the GRU encoders
 * of the official code) — `--preset NAME` to bench/run.ts, env I2MD_BENCH_PRESET, or ctx.preset.
 * Opt-in (slow): `npm run bench -- --only pretrain [--preset stgcn-paper]`; alone:
 *   node dist/bench/pretrain.js [--preset NAME] [--reps N] [--warmup N] [--cases cmd|i2md|both] [--memory] [--json FILE]
 * (a GRU paper-size step takes minutes on a software adapter: `--cases cmd --reps 1`).
 * Memory (docs/bench.md#memory): every record carries the buffer pool's peak live bytes and the
 * cached and wasted bytes at that moment, the pool's largest footprint and the process's peak
 * resident set (`peakRssBytes`: a lifetime maximum, so a second case shows the larger of both);
 * `--memory` also prints the pool by size class and the largest tensors alive at the peak.
 */
import { writeFileSync } from 'node:fs';
import { initEngine, Tensor, G } from '../src/tensor/index.js';
import { presets, presetNames, typicalDispatchFlops, type PretrainConfig, type PresetName } from '../src/i2md/config.js';
import { planSoftwareThreads } from '../src/gpu/threads.js';
import { I2MDModel } from '../src/i2md/model.js';
import { pretrainStep } from '../src/i2md/step.js';
import { SGD } from '../src/optim/sgd.js';
import { getLayout } from '../src/skeleton/layouts.js';
import { Rng } from '../src/util/random.js';
import { measure, type BenchRecord } from './harness.js';
import { formatMemoryReport } from '../src/gpu/memory.js';
import type { BufferPool } from '../src/gpu/pool.js';

export interface PretrainBenchCtx {
  preset?: string;
  /** Timed steps per case (default 3), untimed ones before them (default 1). */
  reps?: number;
  warmup?: number;
  /** Which cases: MoCo + CMD, full I²MD, or both (default). */
  cases?: 'cmd' | 'i2md' | 'both';
  /** Fields of the preset to change (a mid-size run: `{ batchSize: 16, frames: 32 }`); `--set batchSize=16,frames=32`. */
  set?: Partial<PretrainConfig>;
  /** Print the pool's memory report (by size class, the largest tensors at the peak) after each case. */
  memory?: boolean;
  log?(line: string): void;
}

function presetOf(name: string): { name: PresetName; config: PretrainConfig } {
  if (!(presetNames as string[]).includes(name)) throw new Error(`bench pretrain: unknown preset '${name}' (${presetNames.join(', ')})`);
  return { name: name as PresetName, config: presets[name as PresetName] };
}

function batch(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape).keep();
}

export async function run(ctx: PretrainBenchCtx = {}): Promise<BenchRecord[]> {
  const g = await initEngine();
  const log = ctx.log ?? console.log;
  const { name: preset, config: named } = presetOf(ctx.preset ?? process.env.I2MD_BENCH_PRESET ?? 'demo');
  const base: PretrainConfig = { ...named, ...(ctx.set ?? parseSet(process.env.I2MD_BENCH_SET)) };
  const reps = ctx.reps ?? 3, warmup = ctx.warmup ?? 1;
  const layout = getLayout('ntu25');
  const B = base.batchSize, T = base.frames, V = layout.V, M = 2;
  const shape = [B, 3, T, V, M];
  const x1 = batch(shape, 1), x2 = batch(shape, 2);
  const encoder = base.encoder === 'gru'
    ? `GRU ${base.gruLayers}×${base.gruHidden}${base.gruBidirectional ? ' bidirectional' : ''}`
    : `ST-GCN h=${base.hidden} D=${base.hiddenDim}`;
  const size = `B=${B} T=${T} V=${V} M=${M} ${encoder} K=${base.queueSize} top-k=${base.topk}`;
  log(`adapter: ${g.name}; pre-training step, preset ${preset} (${size})`);
  const out: BenchRecord[] = [];
  const which = ctx.cases ?? 'both';
  const cases: [string, PretrainConfig][] = [
    ['MoCo + CMD, 3 modalities', { ...base, imd: false, dna: false }],
    ['full I²MD (MoCo + CMD + IMD + DNA), 3 modalities', { ...base, imd: true, dna: true }],
  ].filter((_, i) => which === 'both' || (which === 'cmd') === (i === 0)) as [string, PretrainConfig][];
  const memory = ctx.memory ?? process.env.I2MD_BENCH_MEMORY === '1';
  if (memory) g.pool.track(true);
  for (const [what, config] of cases) {
    g.pool.resetPeak();
    const model = new I2MDModel(config, layout);
    model.train();
    const sgd = new SGD({ momentum: config.sgdMomentum, weightDecay: config.weightDecay });
    let last: Tensor | undefined;
    const step = () => {
      const terms = pretrainStep(model, sgd, x1, x2, config.lr);
      last?.dispose();
      last = terms.total;
      for (const [k, t] of Object.entries(terms)) if (k !== 'total') t.dispose();
    };
    const d0 = g.dispatches;
    const r = await measure(`pretrain step (${preset}): ${what}`, shape, step, { warmup, reps });
    if (r) {
      const loss = await last!.item();
      if (!Number.isFinite(loss)) throw new Error(`pretrain step (${preset}): ${what}: the loss is ${loss}`);
      Object.assign(r, {
        samplesPerS: (B * 1000) / r.medianMs, dispatches: (g.dispatches - d0) / (warmup + reps), preset, loss,
        adapterName: g.name, detail: size, ...memoryFields(g.pool),
      });
      log(`${r.name.padEnd(72)} median ${r.medianMs.toFixed(0).padStart(7)} ms  ${(r.samplesPerS as number).toFixed(2).padStart(7)} samples/s  ` +
        `${r.dispatches} dispatches/step  cpu ${(r.cpuMs ?? 0).toFixed(0)} ms  loss ${loss.toFixed(3)}`);
      log(`  memory: pool peak live ${mib(r.poolPeakLiveBytes)} MiB (cached ${mib(r.poolPeakCachedBytes)}, wasted ${mib(r.poolPeakWastedBytes)}), ` +
        `pool footprint ${mib(r.poolPeakTotalBytes)} MiB, peak RSS ${mib(r.peakRssBytes)} MiB`);
      // from bench/run.ts (--memory sets the env) the module's log is quiet: the report goes to stdout
      if (memory) (ctx.memory ? log : console.log)(formatMemoryReport(g.pool.peak, { peakTotalBytes: g.pool.peakTotalBytes, maxRssBytes: r.peakRssBytes as number }));
      out.push(r);
    }
    last?.dispose();
    model.dispose();
    sgd.dispose();
  }
  x1.dispose(); x2.dispose();
  if (memory) g.pool.track(false);
  return out;
}

/** `batchSize=16,frames=32` → { batchSize: 16, frames: 32 } (numbers, true/false, else strings). */
export function parseSet(text: string | undefined): Partial<PretrainConfig> {
  const out: Record<string, unknown> = {};
  for (const part of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split('=', 2);
    if (!(k in presets.demo) || v === undefined) throw new Error(`bench pretrain --set: '${part}' is not field=value of a preset`);
    out[k] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out as Partial<PretrainConfig>;
}

/** Before the engine starts: the software adapter's threads as `pretrain` would pick them for this preset (src/gpu/threads.ts). */
export function planThreadsForPreset(name: string, setText?: string): void {
  planSoftwareThreads(typicalDispatchFlops({ ...presetOf(name).config, ...parseSet(setText) }));
}

const mib = (b: unknown) => ((b as number) / 2 ** 20).toFixed(0);

/** The memory fields of a record: the pool's peak since its resetPeak and the process's peak resident set. */
export function memoryFields(pool: BufferPool): Record<string, number> {
  return {
    peakRssBytes: process.resourceUsage().maxRSS * 1024,   // maxRSS is in KiB
    poolPeakLiveBytes: pool.peak.liveBytes, poolPeakCachedBytes: pool.peak.cachedBytes, poolPeakWastedBytes: pool.peak.wastedBytes,
    poolPeakTotalBytes: pool.peakTotalBytes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : undefined; };
  planThreadsForPreset(arg('preset') ?? process.env.I2MD_BENCH_PRESET ?? 'demo', arg('set') ?? process.env.I2MD_BENCH_SET);
  const records = await run({ preset: arg('preset'), reps: arg('reps') ? Number(arg('reps')) : undefined, warmup: arg('warmup') ? Number(arg('warmup')) : undefined,
    cases: arg('cases') as PretrainBenchCtx['cases'], set: arg('set') ? parseSet(arg('set')) : undefined, memory: process.argv.includes('--memory') || undefined });
  // --json FILE: the records, for a driver that runs this file in a process of its own (bench/torch.ts)
  if (arg('json')) writeFileSync(arg('json')!, JSON.stringify(records, null, 1));
  process.exit(0);
}
