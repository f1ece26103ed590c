/** The pre-training options shared by `pretrain`, the main job and `ablate`: every field of PretrainConfig. */
import type { Argv } from 'yargs';
import { presets, presetNames, validateConfig, allModalities, type PretrainConfig, type Modality, type PresetName, type Corruption } from '../i2md/config.js';
import { UserError } from '../util/errors.js';
import { presetValues } from './recipe.js';
import { numberList, rules } from '../util/options.js';

const numeric: [keyof PretrainConfig, string, string][] = [
  ['hidden', 'hidden', 'ST-GCN hidden channels h'],
  ['hiddenDim', 'hidden-dim', 'ST-GCN feature size D'],
  ['dropout', 'dropout', 'dropout in the ST-GCN blocks'],
  ['gruHidden', 'gru-hidden', 'GRU hidden size H (the feature is 2H)'],
  ['gruLayers', 'gru-layers', 'GRU layers'],
  ['headDim', 'head-dim', 'projection size (queue feature size)'],
  ['frames', 'frames', 'frames per augmented view'],
  ['minCrop', 'min-crop', 'shortest temporal crop (frames)'],
  ['queueSize', 'queue-size', 'queue slots K'],
  ['momentum', 'momentum', 'key-encoder EMA momentum m'],
  ['tau', 'tau', 'InfoNCE temperature'],
  ['topk', 'topk', 'neighbours distilled by CMD/IMD'],
  ['tauTeacher', 'tau-teacher', 'teacher temperature'],
  ['tauStudent', 'tau-student', 'student temperature'],
  ['lambdaCmd', 'lambda-cmd', 'weight of CMD'],
  ['kDna', 'k-dna', 'DNA candidate neighbours'],
  ['dnaDelta', 'dna-delta', 'DNA similarity threshold δ'],
  ['tauAgg', 'tau-agg', 'DNA aggregation temperature'],
  ['lambdaImd', 'lambda-imd', 'weight of IMD'],
  ['epochs', 'epochs', 'epochs'],
  ['batchSize', 'batch-size', 'batch size'],
  ['lr', 'lr', 'learning rate'],
  ['weightDecay', 'weight-decay', 'SGD weight decay'],
  ['sgdMomentum', 'sgd-momentum', 'SGD momentum'],
  ['seed', 'seed', 'random seed (data order, augmentation, initialisation, dropout)'],
];

/** Optional fields of PretrainConfig (absent = their default, see config.ts). */
const optionalNumeric: [keyof PretrainConfig, string, string][] = [
  ['jointFraction', 'joint-fraction', 'joints masked / corrupted as a fraction of V (default 0.6: 15 of 25)'],
  ['cropScaleMin', 'crop-scale-min', 'lower end of the crop scale U[lo, 1) (default 0.1)'],
  ['shearAmplitude', 'shear-amplitude', 'shear entries ~ U(-s, s) (default 1)'],
  ['cmdStart', 'cmd-start', 'epoch at which CMD starts (default 0)'],
  ['imdStart', 'imd-start', 'epoch at which DNA and IMD start (default 0)'],
  ['warmupEpochs', 'warmup-epochs', 'linear learning-rate warm-up, epochs (default 0)'],
  ['steps', 'steps', 'a budget in optimiser steps: epochs = ceil(steps / batches per epoch) of the data (overrides --epochs)'],
];

export function pretrainOptions(y: Argv): Argv {
  y = y.option('preset', { choices: presetNames, default: 'demo', describe: 'starting recipe (cmd-paper, paper, cpu-gru: GRU; stgcn-paper, demo, cpu: ST-GCN); the options below override it' })
    .option('encoder', { choices: ['stgcn', 'gru'], describe: 'encoder of every stream: stgcn, or gru (the official CMD backbone)' })
    .option('gru-bidirectional', { type: 'boolean', describe: 'GRU: the second cell of each layer reads the sequence backwards (default: both forward in time, as the official code)' })
    .option('modalities', { type: 'string', describe: 'comma-separated subset of joint,motion,bone' })
    .option('cmd', { type: 'boolean', describe: 'cross-modal distillation (--no-cmd: off)' })
    .option('imd', { type: 'boolean', describe: 'intra-modal distillation with a cluster branch (--no-imd: off)' })
    .option('dna', { type: 'boolean', describe: 'dynamic neighbour aggregation in the cluster branch (--no-dna: off)' })
    .option('lr-steps', { type: 'string', describe: 'epochs at which lr × 0.1, comma-separated' })
    .option('lr-schedule', { choices: ['step', 'cosine'], describe: 'step (× 0.1 at --lr-steps, default) or cosine to 0' })
    .option('corruptions', { type: 'string', describe: 'corruptions after the crop: a comma list of mask,linear,shear, or none (default all, weights 1:1:2)' });
  for (const [key, flag, describe] of [...numeric, ...optionalNumeric]) y = y.option(flag, { type: 'number', describe: describe + presetValues(key) });
  return y;
}

/** Every option a --config file may set: the recipe flags above, --preset and --normalize. */
export const recipeFlags: readonly string[] = [
  'preset', 'encoder', 'gru-bidirectional', 'modalities', 'cmd', 'imd', 'dna', 'lr-steps', 'lr-schedule', 'corruptions', 'normalize',
  ...[...numeric, ...optionalNumeric].map(([, flag]) => flag),
];

export function configFromArgs(args: Record<string, unknown>): PretrainConfig {
  const c: PretrainConfig = { ...presets[(args.preset as PresetName | undefined) ?? 'demo'] };
  if (args.encoder === 'stgcn' || args.encoder === 'gru') c.encoder = args.encoder;
  if (typeof args['gru-bidirectional'] === 'boolean') c.gruBidirectional = args['gru-bidirectional'];
  for (const [key, flag] of [...numeric, ...optionalNumeric]) {
    const v = args[flag];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`--${flag} ${String(v)}: expected a number`);
    (c as unknown as Record<string, number>)[key] = v;
  }
  if (typeof args.modalities === 'string') {
    const list = args.modalities.split(',').map((s) => s.trim()).filter(Boolean);
    for (const m of list) if (!allModalities.includes(m as Modality)) throw new UserError(`--modalities: unknown modality '${m}' (joint, motion, bone)`);
    c.modalities = list as Modality[];
  }
  for (const flag of ['cmd', 'imd', 'dna'] as const) if (typeof args[flag] === 'boolean') c[flag] = args[flag] as boolean;
  if (args['lr-steps'] !== undefined) c.lrSteps = numberList('lr-steps', String(args['lr-steps']), rules.nonNegative);
  if (typeof args['lr-schedule'] === 'string') c.lrSchedule = args['lr-schedule'] as 'step' | 'cosine';
  if (typeof args.corruptions === 'string') {
    const list = args.corruptions.split(',').map((x) => x.trim()).filter(Boolean);
    c.corruptions = list.length === 1 && list[0] === 'none' ? [] : list as Corruption[];
  }
  if (c.modalities.length < 2 && args.cmd === undefined) c.cmd = false;
  const errs = validateConfig(c);
  if (errs.length) throw new UserError(errs.join('; '));
  return c;
}
