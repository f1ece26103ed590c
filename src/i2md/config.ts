/**
 * Every hyperparameter of the pre-training (docs/method.md#recipes) in one object, with the presets:
 *   cmd-paper    the official CMD recipe exactly: the GRU encoder of the official code, MoCo + CMD;
 *   paper        that plus IMD with DNA (I²MD on the paper's own backbone);
 *   stgcn-paper  the same I²MD recipe at paper size on the ST-GCN encoder;
 *   demo         ST-GCN sized so the main job finishes in minutes on two CPU cores (software adapter);
 *   cpu-gru      the GRU recipe sized for real data on two CPU cores.
 * Switching terms off gives MoCo-only and CMD from the same program (the ablation of issue 7).
 */
import type { EncoderKind } from '../nn/encoder.js';

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
}

export type PresetName = 'cmd-paper' | 'paper' | 'stgcn-paper' | 'demo' | 'cpu-gru';

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

export const presets: Record<PresetName, PretrainConfig> = {
  'cmd-paper': cmdPaper,
  paper: { ...cmdPaper, imd: true, dna: true },
  'stgcn-paper': { ...cmdPaper, encoder: 'stgcn', imd: true, dna: true },
  // Sized for minutes on 2 CPU cores through llvmpipe (its step time: docs/bench.md#llvmpipe).
  demo: {
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
  },
  // The official recipe's shape (GRU, MoCo + CMD, both cells forward) at a size two CPU cores
  // pre-train real data with in hours, not weeks (docs/gru.md has the step time).
  'cpu-gru': {
    ...cmdPaper,
    gruHidden: 128, gruLayers: 2, headDim: 64,
    frames: 32, minCrop: 32,
    queueSize: 2048, momentum: 0.99, topk: 512,
    epochs: 60, batchSize: 32, lr: 0.01, lrSteps: [45],
  },
};

export const presetNames = Object.keys(presets) as PresetName[];

export function validateConfig(c: PretrainConfig): string[] {
  const errs: string[] = [];
  if (c.queueSize % c.batchSize !== 0) errs.push(`--queue-size (${c.queueSize}) must be a multiple of --batch-size (${c.batchSize})`);
  if (c.topk < 1 || c.topk > c.queueSize) errs.push(`--topk must be in 1..queue size (${c.queueSize})`);
  if (c.modalities.length === 0) errs.push('at least one modality is needed');
  if (c.cmd && c.modalities.length < 2) errs.push('CMD needs at least two modalities (or --no-cmd)');
  if (!(c.tau > 0 && c.tauTeacher > 0 && c.tauStudent > 0 && c.tauAgg > 0)) errs.push('temperatures must be > 0');
  if (!(c.momentum >= 0 && c.momentum <= 1)) errs.push('--momentum must be in [0, 1]');
  if (c.kDna < 1 || c.kDna > 256) errs.push('--k-dna must be in 1..256');
  if (c.encoder !== 'stgcn' && c.encoder !== 'gru') errs.push(`--encoder must be stgcn or gru, got ${String(c.encoder)}`);
  if (!Number.isInteger(c.gruHidden) || c.gruHidden < 1) errs.push('--gru-hidden must be a positive integer');
  if (!Number.isInteger(c.gruLayers) || c.gruLayers < 1) errs.push('--gru-layers must be a positive integer');
  return errs;
}

/** A config read from an older run's checkpoint.json: the fields it predates get their old meaning (ST-GCN). */
export function normalizeConfig(c: PretrainConfig): PretrainConfig {
  return { ...c, encoder: c.encoder ?? 'stgcn', gruHidden: c.gruHidden ?? 1024, gruLayers: c.gruLayers ?? 3, gruBidirectional: c.gruBidirectional ?? false };
}
