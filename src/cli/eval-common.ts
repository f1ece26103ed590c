/**
 * What the evaluation commands (linear, knn, finetune, transfer) share: where the labelled data
 * comes from (a dataset path with its standard train/test split, or the embedded synthetic set),
 * which checkpoint and streams to evaluate, and the parsing of list options.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { Provenance } from '../util/provenance.js';
import type { EvalRow } from '../eval/suite.js';
import { numberOption, rules } from '../util/options.js';
import type { Argv } from 'yargs';
import { openDataset, FORMATS, type DataFormat } from '../data/open.js';
import { classNamesFor } from '../data/class-names.js';
import { SubsetDataset, type SkeletonDataset } from '../data/dataset.js';
import { generateSynthetic } from '../skeleton/synthetic/generate.js';
import { getLayout, type Layout } from '../skeleton/layouts.js';
import { allModalities, typicalDispatchFlops, type Modality } from '../i2md/config.js';
import { checkpointModalities, runFolderOf } from '../eval/load-encoder.js';
import { readTrainState } from '../i2md/checkpoint.js';
import { planSoftwareThreads } from '../gpu/threads.js';
import { UserError } from '../util/errors.js';
import { NORMALIZATIONS, parseNormalization, type Normalization } from '../skeleton/normalize.js';

export interface EvalData { name: string; train: SkeletonDataset; test: SkeletonDataset; layout: Layout; numClasses: number; benchmark?: string; classNames?: string[];
  /** the normalisation the samples carry */
  normalize: Normalization }

/** `--normalize`: how to normalise real skeletons (default: the format's own, docs/data.md). */
/** The options of every command that opens a dataset: --normalize and --skip-bad. */
export function normalizeOption(y: Argv): Argv {
  return y.option('normalize', { choices: [...NORMALIZATIONS], describe: 'centring / view alignment of the skeletons (default: the format\'s, see docs/data.md)' })
    .option('skip-bad', { type: 'boolean', default: false, describe: 'leave out samples with NaN/Inf coordinates (all read when the data is opened) instead of stopping at the first' });
}

/** --skip-bad as openDataset's option. */
export const skipBadArg = (args: Record<string, unknown>): boolean => Boolean(args['skip-bad']);

/** The --normalize value, or undefined for the format's default. */
export function normalizeArg(args: Record<string, unknown>): Normalization | undefined {
  return args.normalize === undefined ? undefined : parseNormalization(args.normalize);
}

export function dataOptions(y: Argv): Argv {
  return normalizeOption(y)
    .option('data', { type: 'string', describe: 'dataset path (prepared folder, .npz, raw folder …) with a train/test split' })
    .option('format', { choices: FORMATS as unknown as string[], default: 'auto' })
    .option('benchmark', { type: 'string', describe: 'split: xsub, xview, xset (where the dataset has them)' })
    .option('synthetic', { type: 'boolean', describe: 'use the embedded synthetic set instead of --data' })
    .option('size', { type: 'number', default: 2700, describe: 'with --synthetic: sequences to generate' })
    .option('data-seed', { type: 'number', default: 1, describe: 'with --synthetic: seed of the set' });
}

/** `--encoder` where a checkpoint is read: the encoder it must hold (it records which it does). */
export const encoderOption = { choices: ['stgcn', 'gru'], describe: 'the encoder the checkpoint must hold (default: whichever it records)' } as const;

export function checkpointOptions(y: Argv, allowAll = true): Argv {
  return y
    .option('checkpoint', { type: 'string', demandOption: true, describe: 'a pre-training run folder, an encoder .safetensors, or an official PyTorch checkpoint.pth.tar' })
    .option('encoder', encoderOption)
    .option('modality', { choices: allowAll ? [...allModalities, 'all'] : allModalities, default: 'joint', describe: 'stream to evaluate (all: every stream of the run, fused)' })
    .option('frames', { type: 'number', describe: 'frames per sample (default: the run\'s, else 64)' })
    .option('batch-size', { type: 'number', default: 64, describe: 'batch size' })
    .option('seed', { type: 'number', default: 0, describe: 'seed (classifier initialisation, data order)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the result as JSON on stdout' });
}

export function openEvalData(args: Record<string, unknown>): EvalData {
  if (args.synthetic) {
    const syn = generateSynthetic({ seed: numberOption(args, 'data-seed', rules.seed), size: numberOption(args, 'size', rules.count) });
    const bench = (args.benchmark as string | undefined) ?? 'xview';
    if (bench !== 'xsub' && bench !== 'xview') throw new UserError(`--benchmark ${bench}: the synthetic set has xsub and xview`);
    const split = syn.splits[bench];
    if (args.normalize !== undefined && args.normalize !== 'none') throw new UserError(`--normalize ${String(args.normalize)}: the synthetic set is kept in camera coordinates on purpose (docs/synthetic.md); only none applies`);
    return {
      name: `synthetic (${syn.dataset.size} sequences, ${bench})`, benchmark: bench, normalize: 'none',
      train: new SubsetDataset(syn.dataset, split.train), test: new SubsetDataset(syn.dataset, split.test),
      layout: getLayout(syn.dataset.layout), numClasses: syn.classNames.length, classNames: syn.classNames,
    };
  }
  const path = args.data as string | undefined;
  if (!path) throw new UserError('--data PATH (or --synthetic) is required');
  const opened = openDataset(path, args.format as DataFormat, { benchmark: args.benchmark as string | undefined, skipBad: skipBadArg(args), normalize: normalizeArg(args) ?? runNormalization(args.checkpoint) });
  if (!opened.train || !opened.test || opened.train.size === 0 || opened.test.size === 0) {
    throw new UserError(`${path}: evaluation needs a training and a test split (found ${opened.train?.size ?? 0} / ${opened.test?.size ?? 0} sequences)`);
  }
  const numClasses = Math.max(opened.train.numClasses, opened.test.numClasses);
  return {
    name: path, benchmark: opened.info.benchmark, normalize: opened.info.normalize, train: opened.train, test: opened.test, layout: getLayout(opened.train.layout),
    numClasses, classNames: classNamesFor(opened.info.format, numClasses, opened.train.layout),
  };
}

/** The normalisation a pre-training run folder recorded (its evaluation data should carry the same). */
export function runNormalization(checkpoint: unknown): Normalization | undefined {
  if (typeof checkpoint !== 'string') return undefined;
  const run = runFolderOf(checkpoint);
  return run ? readTrainState(run).config.normalize : undefined;
}

/**
 * Before the engine starts: a pre-training run folder's encoder picks the software adapter's
 * threads as it did for `pretrain` (src/gpu/threads.ts). Anything else (a single checkpoint file, an
 * unreadable folder) keeps the default; loading it later says what is wrong.
 */
export function planThreadsForCheckpoint(checkpoint: unknown): void {
  if (typeof checkpoint !== 'string') return;
  try {
    const run = runFolderOf(checkpoint);
    if (run) planSoftwareThreads(typicalDispatchFlops(readTrainState(run).config));
  } catch { /* reported when the checkpoint is loaded */ }
}

/** The streams to evaluate: one, or with `all` every stream the checkpoint has. */
export function streamsOf(args: Record<string, unknown>): Modality[] {
  const m = args.modality as Modality | 'all';
  if (m !== 'all') return [m];
  const mods = checkpointModalities(args.checkpoint as string);
  if (mods.length < 2) throw new UserError(`${args.checkpoint as string}: --modality all needs a run folder with several streams (this holds ${mods.join(', ')})`);
  return mods;
}

export function numberList(value: unknown, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  const list = String(value).split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (list.some((v) => !Number.isFinite(v))) throw new UserError(`--${flag} ${String(value)}: expected comma-separated numbers`);
  return list;
}

export function fusionWeights(args: Record<string, unknown>, streams: Modality[]): number[] {
  const w = numberList(args['fusion-weights'], 'fusion-weights') ?? streams.map(() => 1);
  if (w.length !== streams.length) throw new UserError(`--fusion-weights: ${w.length} weights for ${streams.length} streams (${streams.join(', ')})`);
  if (w.some((v) => v < 0) || !w.some((v) => v > 0)) throw new UserError('--fusion-weights: weights must be ≥ 0 and not all 0');
  return w;
}

export function positive(args: Record<string, unknown>, flag: string, integer = true): number {
  const v = args[flag];
  if (typeof v !== 'number' || !(v > 0) || (integer && !Number.isInteger(v))) throw new UserError(`--${flag} ${String(v)}: expected a positive ${integer ? 'integer' : 'number'}`);
  return v;
}

export const pct = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(2)}%`);

/** `--out FILE.safetensors` of linear / finetune, checked before any work (undefined: not asked). */
export function outPath(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const path = String(value);
  if (!/\.safetensors$/i.test(path)) throw new UserError(`--out ${path}: expected a .safetensors file name (the classifier and its encoder are saved there)`);
  if (existsSync(path)) throw new UserError(`--out ${path}: already exists; remove it or choose another name (a trained classifier is never replaced silently)`);
  return path;
}

/** The class names of the evaluation data (the synthetic set's actions, the dataset's action table), else "class i". */
export function classNamesOf(data: EvalData): string[] {
  return data.classNames ?? Array.from({ length: data.numClasses }, (_, i) => `class ${i}`);
}

/**
 * Adds an evaluation to RUN/results.json (linear --report, knn --report): `update` turns the
 * previous contents into the new ones; the evaluation's provenance (command, version, commit,
 * start, wall time) is appended to `evaluations`. Everything else in the file stays.
 */
export function recordInRun(runDir: string, prov: Provenance, update: (prev: Record<string, unknown> & { rows?: EvalRow[] }) => Record<string, unknown>): string {
  const path = join(runDir, 'results.json');
  const prev = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { rows?: EvalRow[] } : {};
  const next = update(prev);
  writeFileAtomic(path, JSON.stringify({ ...next, evaluations: [...((prev.evaluations as unknown[] | undefined) ?? []), prov] }, null, 1));
  return path;
}
