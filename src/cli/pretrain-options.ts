/** The pre-training options shared by `pretrain`, the main job and `ablate`: every field of PretrainConfig. */
import type { Argv } from 'yargs';
import { presets, presetNames, validateConfig, allModalities, type PretrainConfig, type Modality, type PresetName } from '../i2md/config.js';
import { UserError } from '../util/errors.js';

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

export function pretrainOptions(y: Argv): Argv {
  y = y.option('preset', { choices: presetNames, default: 'demo', describe: 'starting recipe (cmd-paper, paper, cpu-gru: GRU; stgcn-paper, demo: ST-GCN); the options below override it' })
    .option('encoder', { choices: ['stgcn', 'gru'], describe: 'encoder of every stream: stgcn, or gru (the official CMD backbone)' })
    .option('gru-bidirectional', { type: 'boolean', describe: 'GRU: the second cell of each layer reads the sequence backwards (default: both forward in time, as the official code)' })
    .option('modalities', { type: 'string', describe: 'comma-separated subset of joint,motion,bone' })
    .option('cmd', { type: 'boolean', describe: 'cross-modal distillation (--no-cmd: off)' })
    .option('imd', { type: 'boolean', describe: 'intra-modal distillation with a cluster branch (--no-imd: off)' })
    .option('dna', { type: 'boolean', describe: 'dynamic neighbour aggregation in the cluster branch (--no-dna: off)' })
    .option('lr-steps', { type: 'string', describe: 'epochs at which lr × 0.1, comma-separated' });
  for (const [, flag, describe] of numeric) y = y.option(flag, { type: 'number', describe });
  return y;
}

export function configFromArgs(args: Record<string, unknown>): PretrainConfig {
  const c: PretrainConfig = { ...presets[(args.preset as PresetName | undefined) ?? 'demo'] };
  if (args.encoder === 'stgcn' || args.encoder === 'gru') c.encoder = args.encoder;
  if (typeof args['gru-bidirectional'] === 'boolean') c.gruBidirectional = args['gru-bidirectional'];
  for (const [key, flag] of numeric) {
    const v = args[flag];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`--${flag} must be a number`);
    (c as unknown as Record<string, number>)[key] = v;
  }
  if (typeof args.modalities === 'string') {
    const list = args.modalities.split(',').map((s) => s.trim()).filter(Boolean);
    for (const m of list) if (!allModalities.includes(m as Modality)) throw new UserError(`--modalities: unknown modality '${m}' (joint, motion, bone)`);
    c.modalities = list as Modality[];
  }
  for (const flag of ['cmd', 'imd', 'dna'] as const) if (typeof args[flag] === 'boolean') c[flag] = args[flag] as boolean;
  if (typeof args['lr-steps'] === 'string') c.lrSteps = (args['lr-steps'] as string).split(',').map(Number);
  if (c.modalities.length < 2 && args.cmd === undefined) c.cmd = false;
  const errs = validateConfig(c);
  if (errs.length) throw new UserError(errs.join('\n'));
  return c;
}
