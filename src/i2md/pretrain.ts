/**
 * The pre-training loop: seeded loader of two augmented views, one GPU step per batch, losses
 * read back only every `logEvery` steps, metrics as JSON lines, atomic checkpoints every
 * `checkpointEvery` epochs and on SIGINT/SIGTERM, exact resume, and a stop naming the loss term
 * or tensor and the step when anything turns NaN/Inf — the finite guard (guard.ts) checks every
 * step on the GPU and is read with the losses, always before a checkpoint is written, so the last
 * good checkpoint stays.
 */
import { host } from '../gpu/host.js';
import { Tensor, G } from '../tensor/tensor.js';
import type { SkeletonDataset } from '../data/dataset.js';
import { Loader } from '../data/loader.js';
import { SGD } from '../optim/sgd.js';
import { stepSchedule, cosineSchedule, type Schedule } from '../optim/schedule.js';
import { getLayout } from '../skeleton/layouts.js';
import { UserError } from '../util/errors.js';
import { Progress } from '../util/progress.js';
import { I2MDModel } from './model.js';
import { pretrainStep, partsAt, type LossTerms } from './step.js';
import { saveCheckpoint, loadCheckpoint, type TrainState } from './checkpoint.js';
import { DEFAULT_CROP_SCALE_MIN, resolveEpochs, type PretrainConfig } from './config.js';
import { RunningMeans, writeMetricsCsv } from './telemetry.js';
import { FiniteGuard } from './guard.js';
import type { KnnMonitor, KnnReading } from '../eval/knn-monitor.js';

export interface PretrainOptions {
  /** Where metrics.jsonl, config.json and checkpoints go; '' writes nothing (a browser page, which has no files). */
  runDir: string;
  logEvery?: number;          // read the losses back every N steps (default 10)
  checkpointEvery?: number;   // epochs (default 1)
  resume?: boolean;
  maxSteps?: number;          // stop after this many steps in total (tests, resume checks)
  quiet?: boolean;
  datasetName?: string;
  /** k-NN on a held-out split every few epochs (src/eval/knn-monitor.ts); rows `{kind: 'knn'}` in metrics.jsonl */
  monitor?: KnnMonitor;
  /** Called with every logged row of losses as it is read back (a live loss curve). */
  onLosses?: (row: PretrainResult['losses'][number]) => void;
  /** where the epoch lines go (default stderr; nothing when quiet) */
  log?: (line: string) => void;
}

export interface PretrainResult {
  model: I2MDModel;
  state: TrainState;
  /** every logged step: each term's mean over the steps since the previous entry (`window` of them) */
  losses: { step: number; window: number; terms: Record<string, number> }[];
  knn: { step: number; epoch: number; readings: KnnReading[] }[];
  stepMs: number;             // mean wall time per step
  dataMs: number;             // mean time per step spent preparing or waiting for data
  interrupted: boolean;
  /** the signal that stopped the run (SIGINT or SIGTERM), if one did */
  signal?: 'SIGINT' | 'SIGTERM';
}

export class NonFiniteLoss extends UserError {
  /**
   * `window` > 1: found in the mean of that many steps ending at `step`. `kept`: the step of the
   * checkpoint left in place (−1: none was written). `kind` 'tensor': a weight, statistic, queue
   * or velocity turned non-finite after the step's update.
   */
  constructor(term: string, step: number, value: number | string, window = 1, kept?: number, kind: 'loss term' | 'tensor' = 'loss term') {
    const where = window > 1 ? `in steps ${step - window + 1}–${step}` : `at step ${step}`;
    const what = kind === 'tensor' ? `tensor '${term}' holds ${value} after the update ${where}` : `loss term '${term}' is ${value} ${where}`;
    const after = kept === undefined ? 'the last good checkpoint is kept' : kept < 0 ? 'no checkpoint was written' : `the last good checkpoint (step ${kept}) is kept`;
    super(`training stopped: ${what}; ${after}`, 3);
  }
}

const join = (...parts: string[]) => host.path.join(...parts);

/** The guard's flag sum rides with the loss terms under this name; it is never logged. */
const guardTerm = '__nonfinite';

/**
 * On resume, drops the metric rows logged after the checkpoint's step: those steps run again and
 * log again, so the file keeps one row per step.
 */
function trimMetrics(path: string, step: number): void {
  if (!host.files.exists(path)) return;
  const rows = host.files.readText(path).split('\n').filter((line) => {
    if (!line.trim()) return false;
    try { return !((JSON.parse(line) as { step?: number }).step! > step); } catch { return false; }   // a row cut by the kill goes too
  });
  host.files.writeAtomic(path, rows.map((r) => `${r}\n`).join(''), 'trimming metrics.jsonl to the checkpoint');
}

/** The learning rate at a (fractional) epoch under the config's schedule. */
export function scheduleOf(c: PretrainConfig): Schedule {
  const warm = c.warmupEpochs ?? 0;
  if (c.lrSchedule === 'cosine') return cosineSchedule(c.lr, c.epochs, { warmupEpochs: warm });
  const steps = stepSchedule(c.lr, c.lrSteps);
  return warm > 0 ? (e) => steps(e) * Math.min(1, (e + 1) / warm) : steps;
}

/** The augmentation a config asks for (its optional fields at their defaults when absent). */
export function augmentOf(c: PretrainConfig) {
  return { minCrop: c.minCrop, scaleRange: [c.cropScaleMin ?? DEFAULT_CROP_SCALE_MIN, 1] as [number, number],
    jointFraction: c.jointFraction, corruptions: c.corruptions, shearAmplitude: c.shearAmplitude };
}

/** The wall time (s) of the last metrics row of a run, 0 when there is none. */
function lastWall(path: string): number {
  if (!host.files.exists(path)) return 0;
  const rows = host.files.readText(path).trim().split('\n').reverse();
  for (const r of rows) { try { const w = (JSON.parse(r) as { wall_s?: number }).wall_s; if (typeof w === 'number') return w; } catch { /* cut short */ } }
  return 0;
}

/** "nce_joint 5.12 · cmd 0.31 …" with the id_ statistics as percentages. */
function describeTerms(t: Record<string, number>): string {
  return Object.entries(t).map(([k, v]) => (k.startsWith('id_') ? `${k} ${(100 * v).toFixed(1)}%` : `${k} ${v.toFixed(k.startsWith('pos_') || k.startsWith('neg_') ? 2 : 3)}`)).join(' · ');
}

export async function pretrain(dataset: SkeletonDataset, recipe: PretrainConfig, opts: PretrainOptions): Promise<PretrainResult> {
  const { runDir, logEvery = 10, checkpointEvery = 1 } = opts;
  const config = resolveEpochs(recipe, dataset.size);
  const files = runDir !== '';   // '' writes nothing: a browser page, which has no files
  if (files) host.files.makeOutputDir(runDir, 'run folder');
  const layout = getLayout(dataset.layout);
  const model = new I2MDModel(config, layout, dataset.M);
  model.train();
  const sgd = new SGD({ momentum: config.sgdMomentum, weightDecay: config.weightDecay });
  const lrAt = scheduleOf(config);
  const log = opts.quiet ? () => undefined : opts.log ?? ((l: string) => host.logLine(l));
  let state: TrainState = { epoch: 0, step: 0, batchInEpoch: 0, config, dataset: opts.datasetName ?? dataset.layout };
  if (opts.resume) {
    // a resumed run saves the recipe it continues with (a longer --epochs, src/cli/recipe.ts)
    state = { ...loadCheckpoint(runDir, model, sgd), config };
    trimMetrics(join(runDir, 'metrics.jsonl'), state.step);
  } else if (files) host.files.writeAtomic(join(runDir, 'metrics.jsonl'), '', 'starting metrics.jsonl');
  // kebab-case keys: the flags' names, so `pretrain --config RUN/config.json` repeats the recipe
  if (files) host.files.writeAtomic(join(runDir, 'config.json'),
    JSON.stringify(Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`), v])), null, 1),
    'writing config.json');

  const loader = new Loader(dataset, {
    batchSize: config.batchSize, dropLast: true, seed: config.seed, transform: 'twoViews', T: config.frames,
    augment: augmentOf(config),
  });
  if (loader.batchesPerEpoch === 0) throw new UserError(`the dataset has ${dataset.size} sequences, fewer than one batch of ${config.batchSize}`);
  const totalSteps = Math.min(config.epochs * loader.batchesPerEpoch, opts.maxSteps ?? Infinity);
  const progress = opts.quiet ? undefined : new Progress(totalSteps, 'pretrain', { perItem: config.batchSize, start: state.step });
  const losses: PretrainResult['losses'] = [];
  const knn: PretrainResult['knn'] = [];
  let interrupted = false, signal: 'SIGINT' | 'SIGTERM' | undefined;
  const offInterrupt = host.onInterrupt((sig) => { interrupted = true; signal ??= sig; });

  const [B, T, V, M] = [config.batchSize, config.frames, dataset.V, dataset.M];
  const means = new RunningMeans();
  // room for every tensor the checkpoint holds, a velocity per parameter, and the loss terms
  const guard = new FiniteGuard(model.namedTensors().length + model.queryParameters().length + 128);
  const checked = (): [string, Tensor][] => [
    ...model.namedTensors(),
    ...sgd.velocities().flatMap((v, i) => (v ? [[`optimizer.velocity.${i}`, v] as [string, Tensor]] : [])),
  ];
  let stepTime = 0, steps = 0, savedStep = opts.resume ? state.step : -1, lastLr = lrAt(state.epoch);
  let sinceLine: { window: number; terms: Record<string, number> }[] = [];   // rows since the last epoch line
  const save = async () => {
    await G().sync();
    if (files) { await saveCheckpoint(runDir, model, sgd, state); writeMetricsCsv(runDir); }
    savedStep = state.step;
  };
  const metric = (row: Record<string, unknown>) => {
    if (files) host.files.append(join(runDir, 'metrics.jsonl'), JSON.stringify(row) + '\n', 'appending metrics', savedStep >= 0 ? 'the last checkpoint is intact' : undefined);
  };
  /** One log line: every term's mean over the steps since the previous one. */
  // wall time since the run began (a resumed run continues from its last metrics row) and the rate since the last row
  const began = performance.now() - 1000 * (opts.resume ? lastWall(join(runDir, 'metrics.jsonl')) : 0);
  let lastFlush = performance.now();
  const flush = async () => {
    const window = means.window;
    if (window === 0) return;
    const values = await means.read();
    const flagged = values[guardTerm];
    delete values[guardTerm];
    if (flagged !== 0) {
      const b = await guard.broken();
      if (b) throw new NonFiniteLoss(b.name, b.step, b.value, 1, savedStep, b.kind);
    }
    // name the first component that broke, not the total it spoils
    const bad = Object.entries(values).find(([n, v]) => n !== 'total' && !Number.isFinite(v)) ?? (Number.isFinite(values.total) ? undefined : ['total', values.total]);
    if (bad) throw new NonFiniteLoss(bad[0] as string, state.step, bad[1] as number, window, savedStep);
    losses.push({ step: state.step, window, terms: values });
    opts.onLosses?.(losses[losses.length - 1]);
    sinceLine.push({ window, terms: values });
    const now = performance.now();
    const rate = (window * config.batchSize) / Math.max(1e-9, (now - lastFlush) / 1000);
    lastFlush = now;
    metric({ step: state.step, epoch: state.epoch, lr: lastLr, window, samples_per_s: Number(rate.toFixed(2)), wall_s: Number(((now - began) / 1000).toFixed(2)), ...values });
  };
  /** The epoch line on the console: the means since the last one, and the k-NN monitor when due. */
  let linedEpoch = state.epoch;
  const epochLine = async (epochsDone: number) => {
    linedEpoch = epochsDone;
    const total = sinceLine.reduce((a, r) => a + r.window, 0);
    const avg: Record<string, number> = {};
    for (const r of sinceLine) for (const [k, v] of Object.entries(r.terms)) avg[k] = (avg[k] ?? 0) + (v * r.window) / total;
    sinceLine = [];
    let line = `epoch ${epochsDone}/${config.epochs} step ${state.step}: ${describeTerms(avg)}`;
    if (opts.monitor?.due(epochsDone, config.epochs)) {
      const readings = await opts.monitor.measure(model.branches.map((b) => ({ modality: b.modality, encoder: b.encoderQ })), config.frames);
      knn.push({ step: state.step, epoch: epochsDone, readings });
      const row: Record<string, unknown> = { kind: 'knn', step: state.step, epoch: epochsDone };
      for (const r of readings) { row[`knn1_${r.stream}`] = r.knn1; row[`knn${r.k}_${r.stream}`] = r.knnK; }
      metric(row);
      line += ` | k-NN (${readings[0].train} train / ${readings[0].test} test) ` +
        readings.map((r) => `${r.stream} 1-NN ${(100 * r.knn1).toFixed(1)}% ${r.k}-NN ${(100 * r.knnK).toFixed(1)}%`).join(', ');
    }
    if (total > 0 || line.includes('k-NN')) { if (progress && host.isTTY()) host.logLine(''); log(line); }
  };

  try {
    outer: for (let epoch = state.epoch; epoch < config.epochs; epoch++) {
      let b = 0;
      for await (const batch of loader.epoch(epoch)) {
        if (b++ < state.batchInEpoch) continue;   // resume mid-epoch: skip what was consumed
        if (state.step >= totalSteps || interrupted) break outer;
        const t0 = performance.now();
        const x1 = Tensor.from(batch.x1, [B, 3, T, V, M]);
        const x2 = Tensor.from(batch.x2!, [B, 3, T, V, M]);
        lastLr = lrAt(config.lrSchedule === 'cosine' ? epoch + (b - 1) / loader.batchesPerEpoch : epoch);
        const terms = pretrainStep(model, sgd, x1, x2, lastLr, { ...partsAt(config, epoch), telemetry: true });
        x1.dispose(); x2.dispose();
        terms[guardTerm] = guard.check(state.step + 1, terms, checked());
        means.push(terms);
        state.step++; state.batchInEpoch = b;
        if (state.step % logEvery === 0 || state.step === totalSteps) await flush();
        stepTime += performance.now() - t0; steps++;
        progress?.update(state.step, losses.length ? `loss ${losses[losses.length - 1].terms.total.toFixed(3)}` : '');
      }
      if (interrupted || state.step >= totalSteps) { if (b >= loader.batchesPerEpoch) { state.epoch = epoch + 1; state.batchInEpoch = 0; } break; }
      state.epoch = epoch + 1; state.batchInEpoch = 0;
      await flush();
      if (state.epoch % checkpointEvery === 0) await save();
      await epochLine(state.epoch);
    }
    await flush();
    if (savedStep !== state.step) await save();   // the end of the run, a stop mid-epoch, or a signal
    // the last epoch ends by the step count, before its line: it gets one (and the monitor) on the saved weights
    if (state.batchInEpoch === 0 && state.epoch > linedEpoch) await epochLine(state.epoch);
  } finally {
    offInterrupt();
    progress?.done();
    means.reset();
    guard.dispose();
  }
  const ls = loader.stats();
  loader.close();
  return { model, state, losses, knn, stepMs: steps ? stepTime / steps : 0, dataMs: ls.batches ? (ls.prepareMs + ls.waitMs) / ls.batches : 0, interrupted, signal };
}
