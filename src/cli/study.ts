/**
 * `study`: a grid of pre-training recipes, each cell over several seeds, on one or more datasets,
 * beside the baselines (raw-joint 1-NN, random encoder, supervised ceiling); resumable. Writes
 * RUN/study.json, RUN/study.md and RUN/study.svg (src/study/).
 */
import { numberOption, rules } from '../util/options.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { generateSynthetic } from '../skeleton/synthetic/generate.js';
import { SubsetDataset } from '../data/dataset.js';
import { openDataset, FORMATS, type DataFormat } from '../data/open.js';
import { getLayout } from '../skeleton/layouts.js';
import { pretrainOptions, configFromArgs } from './pretrain-options.js';
import { normalizeOption, normalizeArg, positive, skipBadArg } from './eval-common.js';
import { expandGrid, parseAxis, type GridSpec } from '../study/grid.js';
import { runStudy, type StudyDataset } from '../study/study.js';
import { writeStudyReport } from '../study/report.js';
import { LINEAR_PROTOCOLS, type LinearProtocolName } from '../eval/protocol.js';
import { allModalities, typicalDispatchFlops, type Modality } from '../i2md/config.js';
import { planSoftwareThreads } from '../gpu/threads.js';
import { UserError } from '../util/errors.js';

function readGrid(path: string): GridSpec {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new UserError(`--grid ${path}: ${(e as Error).message}`); }
  try { return JSON.parse(text) as GridSpec; } catch (e) { throw new UserError(`--grid ${path}: malformed JSON (${(e as Error).message}); expected {preset?, base?, axes?, cells?}`); }
}

const list = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String));

const command: Command = {
  name: 'study',
  describe: 'a grid of pre-training recipes × seeds on one or more datasets, beside raw 1-NN, random and supervised baselines (resumable)',
  options: (y) => pretrainOptions(normalizeOption(y)
    .option('data', { type: 'string', array: true, describe: 'dataset path; repeat for several' })
    .option('format', { choices: FORMATS as unknown as string[], default: 'auto' })
    .option('benchmark', { type: 'string', describe: 'split, where the dataset has several' })
    .option('synthetic', { type: 'boolean', describe: 'add the embedded synthetic set (xview split)' })
    .option('size', { type: 'number', default: 1350, describe: 'with --synthetic: sequences' })
    .option('data-seed', { type: 'number', default: 1, describe: 'with --synthetic: seed of the set' })
    .option('grid', { type: 'string', describe: 'grid file: {"preset", "base": {…}, "axes": {"lr": [0.01, 0.05], …}, "cells": [{…}]}' })
    .option('axis', { type: 'string', array: true, describe: 'an axis NAME=v1,v2 (repeatable): a pre-training option, variant=moco,cmd,i2md, encoder=stgcn or blocks=PLAN;PLAN' })
    .option('seeds', { type: 'number', default: 3, describe: 'pre-training seeds per cell (--seed, --seed+1, …)' })
    .option('protocols', { type: 'string', default: 'crops,fixed', describe: 'linear protocols: crops (official) and/or fixed' })
    .option('linear-epochs', { type: 'number', default: 80, describe: 'epochs of every linear classifier' })
    .option('streams', { type: 'string', default: 'all', describe: 'evaluated streams: all (with fusion) or a comma list' })
    .option('supervised-epochs', { type: 'number', default: 80, describe: 'epochs of the supervised baseline (0: none)' })
    .option('supervised-lr', { type: 'number', default: 0.1, describe: 'learning rate of the supervised baseline' })
    .option('supervised-seeds', { type: 'number', describe: 'supervised baseline on the first N seeds only (default all)' })
    .option('crops-streams', { type: 'string', describe: 'streams the crops protocol evaluates (default all evaluated streams; it runs the encoder every epoch)' })
    .option('knn-every', { type: 'number', describe: 'k-NN monitor of the joint stream during pre-training, every N epochs (default: 5 readings a run; 0 = off)' })
    .option('max-steps', { type: 'number', describe: 'cap on pre-training steps per run (quick checks)' })
    .option('run', { type: 'string', describe: 'study folder (default runs/study-<time>); an existing one is resumed' })),
  async run(args) {
    const gridFile = typeof args.grid === 'string' ? readGrid(args.grid) : {};
    const axes = Object.fromEntries(list(args.axis).map(parseAxis));
    const grid: GridSpec = { ...gridFile, axes: { ...(gridFile.axes ?? {}), ...axes } };
    const start = configFromArgs({ ...args, preset: gridFile.preset ?? args.preset });
    const cells = expandGrid(grid, start);
    const first = start.seed, n = positive(args, 'seeds');
    const seeds = Array.from({ length: n }, (_, i) => first + i);
    const protocols = String(args.protocols).split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of protocols) if (!(LINEAR_PROTOCOLS as readonly string[]).includes(p)) throw new UserError(`--protocols ${String(args.protocols)}: expected crops and/or fixed`);
    const streamsArg = String(args.streams);
    const streams = streamsArg === 'all' ? 'all' as const : streamsArg.split(',').map((s) => s.trim()) as Modality[];
    if (streams !== 'all') for (const m of streams) if (!allModalities.includes(m)) throw new UserError(`--streams: unknown stream '${m}'`);
    const cropStreams = typeof args['crops-streams'] === 'string' ? (args['crops-streams'] as string).split(',').map((s) => s.trim()) : undefined;
    for (const m of cropStreams ?? []) if (!allModalities.includes(m as Modality)) throw new UserError(`--crops-streams: unknown stream '${m}' (joint, motion, bone)`);
    const supEpochs = args['supervised-epochs'] as number;
    if (!(Number.isInteger(supEpochs) && supEpochs >= 0)) throw new UserError(`--supervised-epochs ${supEpochs}: expected a whole number ≥ 0`);
    const knnEvery = args['knn-every'] as number | undefined;
    if (knnEvery !== undefined && !(Number.isInteger(knnEvery) && knnEvery >= 0)) throw new UserError(`--knn-every ${knnEvery}: expected a whole number of epochs ≥ 0`);

    planSoftwareThreads(Math.max(...cells.map((c) => typicalDispatchFlops(c.config))));
    const g = await initEngine();
    console.error(`adapter: ${g.name}`);
    const datasets: StudyDataset[] = [];
    for (const path of list(args.data)) {
      const o = openDataset(path, args.format as DataFormat, { benchmark: args.benchmark as string | undefined, normalize: normalizeArg(args), skipBad: skipBadArg(args) });
      if (!o.train || !o.test || o.train.size === 0 || o.test.size === 0) throw new UserError(`${path}: the study needs a training and a test split`);
      datasets.push({ name: basename(path.replace(/\/+$/, '')), train: o.train, test: o.test, layout: getLayout(o.train.layout), normalize: o.info.normalize,
        numClasses: Math.max(o.train.numClasses, o.test.numClasses), describe: `${path} (${o.info.format}, ${o.info.benchmark ?? 'its split'})` });
    }
    if (args.synthetic) {
      const syn = generateSynthetic({ seed: numberOption(args, 'data-seed', rules.seed), size: numberOption(args, 'size', rules.count) });
      const split = syn.splits.xview;
      datasets.push({ name: 'synthetic', train: new SubsetDataset(syn.dataset, split.train), test: new SubsetDataset(syn.dataset, split.test),
        layout: getLayout(syn.dataset.layout), normalize: 'none', numClasses: syn.classNames.length,
        describe: `embedded synthetic set (${syn.dataset.size} sequences, seed ${args['data-seed'] as number}, cross-view)` });
    }
    if (datasets.length === 0) throw new UserError('--data PATH (repeatable) or --synthetic is required');
    const runDir = (args.run as string) ?? `runs/study-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    console.error(`study: ${cells.length} cells × ${seeds.length} seeds × ${datasets.length} datasets → ${runDir}`);
    const file = await runStudy({
      runDir, grid, cells, datasets, seeds, protocols: protocols as LinearProtocolName[], linearEpochs: positive(args, 'linear-epochs'), streams,
      supervised: supEpochs > 0 ? { epochs: supEpochs, lr: positive(args, 'supervised-lr', false), seeds: args['supervised-seeds'] === undefined ? undefined : positive(args, 'supervised-seeds') } : undefined,
      cropStreams: cropStreams as Modality[] | undefined,
      knnEvery, adapter: g.summary as unknown as Record<string, unknown>, command: `node dist/train.js ${process.argv.slice(2).join(' ')}`,
      log: (l) => console.error(l), afterSave: (f) => writeStudyReport(runDir, f), maxSteps: numberOption(args, 'max-steps', rules.count, true),
    });
    writeStudyReport(runDir, file);
    console.log(`study: ${runDir}/study.md, ${runDir}/study.json, ${runDir}/study.svg`);
  },
};
export default command;
