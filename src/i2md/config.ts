/**
 * Every hyperparameter of the pre-training (docs/method.md#recipes) in one object, with the presets:
 *   cmd-paper    the official CMD recipe exactly: the GRU encoder of the official code, MoCo + CMD;
 *   paper        that plus IMD with DNA (I²MD on the paper's own backbone);
 *   stgcn-paper  the same I²MD recipe at paper size on the ST-GCN encoder;
 *   demo         ST-GCN sized so the main job finishes in minutes on two CPU cores (software adapter);
 *   cpu-gru      the GRU recipe sized for real data on two CPU cores.
 * Switching terms off gives MoCo-only and CMD from the same program (the ablation of issue 7).
 */
import { checkNumber, rules, type NumberRule } from '../util/options.js';
import type { EncoderKind } from '../nn/encoder.js';
import type { Corruption } from '../skeleton/augment.js';
import type { Normalization } from '../skeleton/normalize.js';

export type Modality = 'joint' | 'motion' | 'bone';
export const allModalities: Modality[] = ['joint', 'motion', 'bone'];

export interface PretrainConfig {
  modalities: Modality[];
  /** Which encoder every stream uses (configs saved before the GRU existed have none: ST-GCN). */
  encoder: EncoderKind;
  // ST-GCN encoder (encoder 'stgcn')
  hidden: number; hiddenDim: number; dropout: number;
  // GRU encoder (encoder 'gru', the official CMD backbone): hidden size, layers, a true bidirectional layer
  gruHidden: number; gruLayers: number; gruBidirectional: boolean;
  headDim: number;
  // data
  frames: number;          // T after crop-resize
  minCrop: number;         // shortest crop in frames (64 in the official code, = frames)
  // MoCo
  queueSize: number; momentum: number; tau: number;
  // CMD
  cmd: boolean; topk: number; tauTeacher: number; tauStudent: number; lambdaCmd: number;
  // IMD / DNA
  imd: boolean; dna: boolean; kDna: number; dnaDelta: number; tauAgg: number; lambdaImd: number;
  // optimisation
  epochs: number; batchSize: number; lr: number; lrSteps: number[]; weightDecay: number; sgdMomentum: number;
  seed: number;
  /** Override of the ST-GCN block plan [cin, cout, stride] (tiny encoders for tests); default the ten blocks. */
  blocks?: [number, number, number][];
  // Fields below are optional so run folders written before them still load (their defaults are
  // what those runs did).
  /** Joints masked / corrupted, as a fraction of the layout's V (default 0.6: 15 of NTU's 25). */
  jointFraction?: number;
  /** Lower end of the pre-training crop scale U[lo, 1) (default 0.1, the official). */
  cropScaleMin?: number;
  /** Corruptions drawn after the crop, with the official weights 1 : 1 : 2 among those listed (default all three). */
  corruptions?: Corruption[];
  /** Shear entries a…f ~ U(−s, s) (default 1). */
  shearAmplitude?: number;
  /** Epoch at which CMD joins the loss (default 0: from the first step). */
  cmdStart?: number;
  /** Epoch at which DNA and the IMD distillation join (default 0); before it the cluster branch contrasts plain keys. */
  imdStart?: number;
  /** 'step' (×0.1 at lrSteps, default) or 'cosine' (to 0 at the last epoch). */
  lrSchedule?: 'step' | 'cosine';
  /** Linear warm-up epochs of the learning rate (default 0). */
  warmupEpochs?: number;
  /** The normalisation of the data it trained on (recorded by `pretrain`; evaluations default to it). */
  normalize?: Normalization;
  /**
   * A budget in optimiser steps instead of epochs: the run takes ceil(steps / batches per epoch)
   * epochs of the data at hand (written back into `epochs` when it starts), so one recipe costs
   * the same on a small set and a large one.
   */
  steps?: number;
}

export type PresetName = 'cmd-paper' | 'paper' | 'stgcn-paper' | 'demo' | 'cpu' | 'cpu-gru';

/** The official CMD recipe (pretrain_moco_cmd.py with the authors' settings, docs/method.md#recipes): GRU, MoCo + CMD. */
const cmdPaper: PretrainConfig = {
  modalities: allModalities,
  encoder: 'gru',
  hidden: 16, hiddenDim: 256, dropout: 0.5,
  gruHidden: 1024, gruLayers: 3, gruBidirectional: false, headDim: 128,
  frames: 64, minCrop: 64,
  queueSize: 16384, momentum: 0.999, tau: 0.07,
  cmd: true, topk: 8192, tauTeacher: 0.05, tauStudent: 0.1, lambdaCmd: 1,
  imd: false, dna: false, kDna: 16, dnaDelta: 0.5, tauAgg: 0.1, lambdaImd: 1,
  epochs: 451, batchSize: 64, lr: 0.01, lrSteps: [351], weightDecay: 1e-4, sgdMomentum: 0.9,
  seed: 1,
};

/** The config a run on `trainSize` sequences actually uses: `epochs` from the step budget, when there is one. */
export function resolveEpochs(c: PretrainConfig, trainSize: number): PretrainConfig {
  if (!c.steps) return c;
  const perEpoch = Math.floor(trainSize / c.batchSize);
  if (perEpoch < 1) return c;
  return { ...c, epochs: Math.max(1, Math.ceil(c.steps / perEpoch)) };
}

export type { Corruption };
export const allCorruptions: Corruption[] = ['mask', 'linear', 'shear'];

/** The optional fields' defaults: what the engine did before they existed. */
export const DEFAULT_JOINT_FRACTION = 0.6;
export const DEFAULT_CROP_SCALE_MIN = 0.1;

// Sized for minutes on 2 CPU cores through llvmpipe (its step time: docs/bench.md#llvmpipe).
const demo: PretrainConfig = {
  modalities: allModalities,
  encoder: 'stgcn',
  hidden: 4, hiddenDim: 32, dropout: 0.1,
  gruHidden: 64, gruLayers: 2, gruBidirectional: false, headDim: 64,
  frames: 16, minCrop: 16,
  queueSize: 512, momentum: 0.99, tau: 0.07,
  cmd: true, topk: 128, tauTeacher: 0.05, tauStudent: 0.1, lambdaCmd: 1,
  imd: true, dna: true, kDna: 16, dnaDelta: 0.5, tauAgg: 0.1, lambdaImd: 1,
  epochs: 2, batchSize: 16, lr: 0.05, lrSteps: [], weightDecay: 1e-4, sgdMomentum: 0.9,
  seed: 1,
};

export const presets: Record<PresetName, PretrainConfig> = {
  'cmd-paper': cmdPaper,
  paper: { ...cmdPaper, imd: true, dna: true },
  'stgcn-paper': { ...cmdPaper, encoder: 'stgcn', imd: true, dna: true },
  demo,
  // The official recipe's shape (GRU, MoCo + CMD, both cells forward) at a size two CPU cores
  // pre-train real data with in hours, not weeks (docs/gru.md has the step time).
  'cpu-gru': {
    ...cmdPaper,
    gruHidden: 128, gruLayers: 2, headDim: 64,
    frames: 32, minCrop: 32,
    queueSize: 2048, momentum: 0.99, topk: 512,
    epochs: 60, batchSize: 32, lr: 0.01, lrSteps: [45],
  },
  // Real skeleton sets of a few hundred sequences on two CPU cores (docs/study.md): the demo encoder,
  // a queue well under the data (K ≤ N/2 on MSR Action3D's 291 training sequences), weaker
  // corruptions (the official ones swamp a 4-channel encoder: views of one sequence barely match),
  // a cosine schedule (at a constant lr the joint stream's k-NN peaks after ~2 epochs and falls),
  // and MoCo + CMD without IMD/DNA: on these sets our IMD/DNA lowered the joint stream's linear
  // accuracy by about 5 points over three seeds (docs/study.md#the-cpu-preset-on-the-real-sets).
  // A budget in steps: 400 ≈ 5 min at the demo's 0.7 s/step on an idle machine, ~13 min under load.
  cpu: {
    ...demo,
    queueSize: 128, topk: 64,
    imd: false, dna: false,
    epochs: 8, steps: 400, lrSchedule: 'cosine',
    cropScaleMin: 0.5, shearAmplitude: 0.15, jointFraction: 0.15,
  },
};

export const presetNames = Object.keys(presets) as PresetName[];

/**
 * A queue no larger than half the training set (a multiple of the batch), with top-k scaled
 * alike, when it was larger: a queue that spans the whole set holds the positives' own older keys
 * as negatives, and on MSR Action3D (291 sequences) the demo's 512 slots cost I²MD 11 points of
 * linear accuracy against +CMD (docs/study.md). The paper recipe (16384 of NTU-60's 40,091) is
 * within the rule. Returns the config unchanged when it fits, and a note when it changed it.
 */
export function fitQueueToData(c: PretrainConfig, trainSize: number): { config: PretrainConfig; note?: string } {
  const limit = Math.floor(trainSize / 2 / c.batchSize) * c.batchSize;
  if (c.queueSize <= limit || limit < c.batchSize) return { config: c };
  const topk = Math.max(1, Math.min(limit, Math.round((c.topk * limit) / c.queueSize)));
  return {
    config: { ...c, queueSize: limit, topk },
    note: `--queue-size ${c.queueSize} is more than half of the ${trainSize} training sequences: using ${limit} (top-k ${c.topk} → ${topk}); give --queue-size to keep yours`,
  };
}

/**
 * The numeric fields' rules with their options. Sizes are capped where a value can only be a typo
 * (the buffers it implies could not be allocated): batch, queue and feature sizes, frames.
 */
export const configRules: [keyof PretrainConfig, string, NumberRule][] = [
  ['hidden', 'hidden', { int: true, min: 1, max: 4096 }],
  ['hiddenDim', 'hidden-dim', { int: true, min: 1, max: 65536 }],
  ['dropout', 'dropout', { min: 0, max: 1, maxOpen: true }],
  ['gruHidden', 'gru-hidden', { int: true, min: 1, max: 8192 }],
  ['gruLayers', 'gru-layers', { int: true, min: 1, max: 64 }],
  ['headDim', 'head-dim', { int: true, min: 1, max: 65536 }],
  ['frames', 'frames', rules.frames],
  ['minCrop', 'min-crop', rules.frames],
  ['queueSize', 'queue-size', { int: true, min: 1, max: 2 ** 20 }],
  ['momentum', 'momentum', rules.fraction],
  ['tau', 'tau', rules.positive], ['tauTeacher', 'tau-teacher', rules.positive], ['tauStudent', 'tau-student', rules.positive], ['tauAgg', 'tau-agg', rules.positive],
  ['topk', 'topk', { int: true, min: 1, max: 2 ** 20 }],
  ['lambdaCmd', 'lambda-cmd', rules.nonNegative], ['lambdaImd', 'lambda-imd', rules.nonNegative],
  ['kDna', 'k-dna', { int: true, min: 1, max: 256 }],
  ['dnaDelta', 'dna-delta', { min: -1, max: 1 }],
  ['epochs', 'epochs', { int: true, min: 1, max: 1e6 }],
  ['batchSize', 'batch-size', { int: true, min: 1, max: 65536 }],
  ['lr', 'lr', rules.positive],
  ['weightDecay', 'weight-decay', rules.nonNegative],
  ['sgdMomentum', 'sgd-momentum', { min: 0, max: 1, maxOpen: true }],
  ['seed', 'seed', rules.seed],
  ['jointFraction', 'joint-fraction', rules.fraction],
  ['cropScaleMin', 'crop-scale-min', { min: 0, max: 1, minOpen: true, maxOpen: true }],
  ['shearAmplitude', 'shear-amplitude', rules.nonNegative],
  ['cmdStart', 'cmd-start', rules.nonNegative], ['imdStart', 'imd-start', rules.nonNegative], ['warmupEpochs', 'warmup-epochs', rules.nonNegative],
  ['steps', 'steps', { int: true, min: 1, max: 2 ** 31 - 1 }],
];
/** Fields that may be absent (their defaults apply). */
const optionalFields = new Set<keyof PretrainConfig>(['jointFraction', 'cropScaleMin', 'shearAmplitude', 'cmdStart', 'imdStart', 'warmupEpochs', 'steps']);

/** Every problem of a config, one line each naming the option; empty when it is valid. */
export function validateConfig(c: PretrainConfig): string[] {
  const errs: string[] = [];
  for (const [key, flag, rule] of configRules) {
    const v = c[key];
    if (v === undefined && optionalFields.has(key)) continue;
    const e = checkNumber(flag, v, rule);
    if (e) errs.push(e);
  }
  if (errs.length) return errs;   // the relations below assume numbers in range
  if (c.queueSize % c.batchSize !== 0) errs.push(`--queue-size (${c.queueSize}) must be a multiple of --batch-size (${c.batchSize})`);
  if (c.topk > c.queueSize) errs.push(`--topk ${c.topk}: must be at most --queue-size (${c.queueSize})`);
  if (!Array.isArray(c.lrSteps) || c.lrSteps.some((x) => !(typeof x === 'number' && Number.isFinite(x) && x >= 0))) errs.push(`--lr-steps ${String(c.lrSteps)}: expected epochs ≥ 0, comma-separated`);
  if (!Array.isArray(c.modalities) || c.modalities.length === 0) errs.push('--modalities: at least one modality is needed');
  if (c.cmd && c.modalities.length < 2) errs.push('CMD needs at least two modalities (or --no-cmd)');
  if (c.encoder !== 'stgcn' && c.encoder !== 'gru') errs.push(`--encoder must be stgcn or gru, got ${String(c.encoder)}`);
  if (c.corruptions?.some((x) => !allCorruptions.includes(x))) errs.push(`--corruptions: expected a subset of ${allCorruptions.join(',')} (or none)`);
  if (c.lrSchedule !== undefined && c.lrSchedule !== 'step' && c.lrSchedule !== 'cosine') errs.push(`--lr-schedule ${String(c.lrSchedule)}: expected step or cosine`);
  if (c.lrSchedule === 'cosine' && !c.steps && !(c.epochs > (c.warmupEpochs ?? 0))) errs.push(`--lr-schedule cosine: --epochs (${c.epochs}) must exceed --warmup-epochs (${c.warmupEpochs ?? 0})`);
  return errs;
}

/** A config read from an older run's checkpoint.json: the fields it predates get their old meaning (ST-GCN). */
export function normalizeConfig(c: PretrainConfig): PretrainConfig {
  return { ...c, encoder: c.encoder ?? 'stgcn', gruHidden: c.gruHidden ?? 1024, gruLayers: c.gruLayers ?? 3, gruBidirectional: c.gruBidirectional ?? false };
}

/**
 * Multiply-adds ×2 of the encoder's typical big dispatch, which picks the software adapters'
 * threads (src/gpu/threads.ts): ST-GCN, the first block's temporal convolution forward
 * (2·B·M·T·V·h²·9 at M 2, V 25); GRU, one cell's recurrent product (2·B·H·3H). The demo and `cpu`
 * presets come to a few MFLOP, the paper sizes to hundreds.
 */
export function typicalDispatchFlops(c: PretrainConfig): number {
  if (c.encoder === 'gru') return 2 * c.batchSize * c.gruHidden * 3 * c.gruHidden;
  return 2 * c.batchSize * 2 * c.frames * 25 * c.hidden * c.hidden * 9;
}
