/**
 * `ablate`: MoCo-only vs +CMD vs full I²MD under the same budget and seeds, pre-trained and
 * evaluated (linear + k-NN) on every benchmark split of the data; mean ± std over seeds as one
 * Markdown table, printed and written to RUN/ablation.md and RUN/ablation.json.
 */
import { numberOption, rules } from '../util/options.js';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { generateSynthetic } from '../skeleton/synthetic/generate.js';
import { SubsetDataset } from '../data/dataset.js';
import { openDataset, FORMATS, type DataFormat } from '../data/open.js';
import { pretrainOptions, configFromArgs } from './pretrain-options.js';
import { runAblation, type Split } from '../eval/ablate.js';
import { fitQueueToData, type Modality } from '../i2md/config.js';
import { UserError } from '../util/errors.js';
import { positive, normalizeOption, normalizeArg, skipBadArg } from './eval-common.js';

const command: Command = {
  name: 'ablate',
  describe: 'ablation: MoCo / +CMD / I²MD with the same budget and seeds, linear + k-NN per benchmark, mean ± std table',
  options: (y) => pretrainOptions(normalizeOption(y)
    .option('data', { type: 'string', describe: 'dataset path (its benchmarks: --benchmarks)' })
    .option('format', { choices: FORMATS as unknown as string[], default: 'auto' })
    .option('synthetic', { type: 'boolean', describe: 'use the embedded synthetic set (xsub and xview)' })
    .option('size', { type: 'number', default: 2700, describe: 'with --synthetic: sequences to generate' })
    .option('data-seed', { type: 'number', default: 1, describe: 'with --synthetic: seed of the set' })
    .option('benchmarks', { type: 'string', describe: 'comma-separated splits (default: xsub,xview for synthetic and NTU/PKU data, else the dataset\'s own split)' })
    .option('seeds', { type: 'number', default: 3, describe: 'pre-training seeds per variant (--seed, --seed+1, …)' })
    .option('streams', { type: 'string', default: 'joint', describe: 'evaluated streams: joint, a comma list, or all' })
    .option('linear-epochs', { type: 'number', default: 80, describe: 'epochs of the linear classifier' })
    .option('max-steps', { type: 'number', describe: 'cap on pre-training steps per run (quick checks)' })
    .option('run', { type: 'string', describe: 'run folder (default runs/ablate-<time>)' })),
  async run(args) {
    const base = configFromArgs(args);
    const runDir = (args.run as string) ?? `runs/ablate-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const g = await initEngine();
    console.error(`adapter: ${g.name}`);
    const wanted = typeof args.benchmarks === 'string' ? (args.benchmarks as string).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
    const splits: Split[] = [];
    let numClasses: number, describe: string;
    if (args.synthetic) {
      const syn = generateSynthetic({ seed: numberOption(args, 'data-seed', rules.seed), size: numberOption(args, 'size', rules.count) });
      for (const b of wanted ?? ['xsub', 'xview']) {
        if (b !== 'xsub' && b !== 'xview') throw new UserError(`--benchmarks ${b}: the synthetic set has xsub and xview`);
        splits.push({ name: b, train: new SubsetDataset(syn.dataset, syn.splits[b].train), test: new SubsetDataset(syn.dataset, syn.splits[b].test) });
      }
      numClasses = syn.classNames.length;
      describe = `embedded synthetic set, ${syn.dataset.size} sequences, ${numClasses} classes`;
    } else {
      const path = args.data as string | undefined;
      if (!path) throw new UserError('--data PATH or --synthetic is required');
      const norm = normalizeArg(args);
      const first = openDataset(path, args.format as DataFormat, { normalize: norm, skipBad: skipBadArg(args) });
      const multi = ['ntu', 'pku'].includes(first.info.format);
      // raw NTU / PKU folders hold every benchmark; a prepared folder or .npz holds one split
      if (!multi && wanted && wanted.length > 1) throw new UserError(`${path}: a ${first.info.format} dataset holds one split (${first.info.benchmark ?? 'its own'}); prepare one folder per benchmark`);
      for (const b of wanted ?? (multi ? ['xsub', 'xview'] : [first.info.benchmark ?? 'default'])) {
        const o = multi ? openDataset(path, args.format as DataFormat, { benchmark: b, normalize: norm, skipBad: skipBadArg(args) }) : first;
        if (!o.train || !o.test || o.train.size === 0 || o.test.size === 0) throw new UserError(`${path} (${b}): needs a training and a test split`);
        splits.push({ name: b, train: o.train, test: o.test });
      }
      numClasses = Math.max(...splits.map((s) => Math.max(s.train.numClasses, s.test.numClasses)));
      describe = `${path}, ${numClasses} classes, normalisation ${first.info.normalize}`;
    }
    let recipe = base;
    if (args['queue-size'] === undefined) {
      const fit = fitQueueToData(base, Math.min(...splits.map((s) => s.train.size)));
      recipe = fit.config;
      if (fit.note) console.error(`note: ${fit.note}`);
    }
    const streamsArg = String(args.streams);
    const streams = streamsArg === 'all' ? 'all' as const : streamsArg.split(',').map((s) => s.trim()) as Modality[];
    const res = await runAblation({
      splits, base: recipe, seeds: positive(args, 'seeds'), runDir, numClasses, linearEpochs: positive(args, 'linear-epochs'), streams,
      maxSteps: numberOption(args, 'max-steps', rules.count, true), describe, log: (l) => console.error(l),
    });
    console.log(`\n${res.markdown}`);
    console.log(`ablation: ${runDir}/ablation.md, ${runDir}/ablation.json`);
  },
};
export default command;
