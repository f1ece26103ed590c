/**
 * The pre-training loop: seeded loader of two augmented views, one GPU step per batch, losses
 * read back only every `logEvery` steps, metrics as JSON lines, atomic checkpoints every
 * `checkpointEvery` epochs and on SIGINT/SIGTERM, exact resume, and a stop with the term and step
 * named when a loss turns NaN/Inf (the last good checkpoint stays).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, G } from '../tensor/tensor.js';
import type { SkeletonDataset } from '../data/dataset.js';
import { Loader } from '../data/loader.js';
import { SGD } from '../optim/sgd.js';
import { stepSchedule } from '../optim/schedule.js';
import { getLayout } from '../skeleton/layouts.js';
import { UserError } from '../util/errors.js';
import { Progress } from '../util/progress.js';
import { I2MDModel } from './model.js';
import { pretrainStep, type LossTerms } from './step.js';
import { saveCheckpoint, loadCheckpoint, type TrainState } from './checkpoint.js';
import type { PretrainConfig } from './config.js';

export interface PretrainOptions {
  runDir: string;
  logEvery?: number;          // read the losses back every N steps (default 10)
  checkpointEvery?: number;   // epochs (default 1)
  resume?: boolean;
  maxSteps?: number;          // stop after this many steps in total (tests, resume checks)
  quiet?: boolean;
  datasetName?: string;
}

export interface PretrainResult {
  model: I2MDModel;
  state: TrainState;
  losses: { step: number; terms: Record<string, number> }[];  // every logged step
  stepMs: number;             // mean wall time per step
  dataMs: number;             // mean time per step spent preparing or waiting for data
  interrupted: boolean;
}

export class NonFiniteLoss extends UserError {
  constructor(term: string, step: number, value: number) {
    super(`training stopped: loss term '${term}' is ${value} at step ${step}; the last good checkpoint is kept`, 3);
  }
}

export async function pretrain(dataset: SkeletonDataset, config: PretrainConfig, opts: PretrainOptions): Promise<PretrainResult> {
  const { runDir, logEvery = 10, checkpointEvery = 1 } = opts;
  mkdirSync(runDir, { recursive: true });
  const layout = getLayout(dataset.layout);
  const model = new I2MDModel(config, layout, dataset.M);
  model.train();
  const sgd = new SGD({ momentum: config.sgdMomentum, weightDecay: config.weightDecay });
  const lrAt = stepSchedule(config.lr, config.lrSteps);
  let state: TrainState = { epoch: 0, step: 0, batchInEpoch: 0, config, dataset: opts.datasetName ?? dataset.layout };
  if (opts.resume) state = loadCheckpoint(runDir, model, sgd);
  else writeFileSync(join(runDir, 'metrics.jsonl'), '');
  writeFileSync(join(runDir, 'config.json'), JSON.stringify(config, null, 1));

  const loader = new Loader(dataset, {
    batchSize: config.batchSize, dropLast: true, seed: config.seed, transform: 'twoViews', T: config.frames,
    augment: { minCrop: config.minCrop },
  });
  if (loader.batchesPerEpoch === 0) throw new UserError(`the dataset has ${dataset.size} sequences, fewer than one batch of ${config.batchSize}`);
  const totalSteps = Math.min(config.epochs * loader.batchesPerEpoch, opts.maxSteps ?? Infinity);
  const progress = opts.quiet ? undefined : new Progress(totalSteps, 'pretrain', { perItem: config.batchSize, start: state.step });
  const losses: PretrainResult['losses'] = [];
  let interrupted = false;
  const stop = () => { interrupted = true; };
  process.once('SIGINT', stop); process.once('SIGTERM', stop);

  const [B, T, V, M] = [config.batchSize, config.frames, dataset.V, dataset.M];
  let pending: { step: number; terms: LossTerms }[] = [];
  let stepTime = 0, steps = 0, savedStep = opts.resume ? state.step : -1;
  const save = async () => { await G().sync(); await saveCheckpoint(runDir, model, sgd, state); savedStep = state.step; };
  const drain = async () => {
    for (const p of pending) {
      const values: Record<string, number> = {};
      for (const [name, t] of Object.entries(p.terms)) { values[name] = await t.item(); t.dispose(); }
      // name the first component that broke, not the total it spoils
      const bad = Object.entries(values).find(([n, v]) => n !== 'total' && !Number.isFinite(v)) ?? (Number.isFinite(values.total) ? undefined : ['total', values.total]);
      if (bad) throw new NonFiniteLoss(bad[0] as string, p.step, bad[1] as number);
      losses.push({ step: p.step, terms: values });
      appendFileSync(join(runDir, 'metrics.jsonl'), JSON.stringify({ step: p.step, epoch: state.epoch, lr: lrAt(state.epoch), ...values }) + '\n');
    }
    pending = [];
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
        const terms = pretrainStep(model, sgd, x1, x2, lrAt(epoch));
        x1.dispose(); x2.dispose();
        state.step++; state.batchInEpoch = b;
        const logNow = state.step % logEvery === 0 || state.step === totalSteps;
        if (logNow) { pending.push({ step: state.step, terms }); await drain(); }
        else for (const t of Object.values(terms)) t.dispose();
        stepTime += performance.now() - t0; steps++;
        progress?.update(state.step, losses.length ? `loss ${losses[losses.length - 1].terms.total.toFixed(3)}` : '');
      }
      if (interrupted || state.step >= totalSteps) { if (b >= loader.batchesPerEpoch) { state.epoch = epoch + 1; state.batchInEpoch = 0; } break; }
      state.epoch = epoch + 1; state.batchInEpoch = 0;
      if (state.epoch % checkpointEvery === 0) await save();
    }
    await drain();
    if (savedStep !== state.step) await save();   // the end of the run, a stop mid-epoch, or a signal
  } finally {
    process.off('SIGINT', stop); process.off('SIGTERM', stop);
    progress?.done();
    for (const p of pending) for (const t of Object.values(p.terms)) t.dispose();
  }
  const ls = loader.stats();
  loader.close();
  return { model, state, losses, stepMs: steps ? stepTime / steps : 0, dataMs: ls.batches ? (ls.prepareMs + ls.waitMs) / ls.batches : 0, interrupted };
}
