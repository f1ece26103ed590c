/** `pretrain`: I²MD pre-training on a dataset (its training split, labels unused). */
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { openDataset, FORMATS, type DataFormat } from '../data/open.js';
import { pretrain } from '../i2md/pretrain.js';
import { readTrainState } from '../i2md/checkpoint.js';
import { pretrainOptions, configFromArgs } from './pretrain-options.js';
import { UserError } from '../util/errors.js';
import { numberOption, rules } from '../util/options.js';
import { checkOutputPath } from '../util/atomic.js';
import { normalizeOption, normalizeArg, skipBadArg } from './eval-common.js';
import { KnnMonitor } from '../eval/knn-monitor.js';
import { resolveEpochs, fitQueueToData, typicalDispatchFlops } from '../i2md/config.js';
import { planSoftwareThreads } from '../gpu/threads.js';
import { getLayout } from '../skeleton/layouts.js';
import { hideBin } from 'yargs/helpers';
import { recipeFlags } from './pretrain-options.js';
import { applyConfigFile, configFileOption, describeConfig, kebab, kebabConfig, refuseExistingRun, resumeConfig } from './recipe.js';
import { provenance as runProvenance } from '../util/provenance.js';
import { writeFileAtomic } from '../util/atomic.js';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PretrainConfig } from '../i2md/config.js';

const command: Command = {
  name: 'pretrain',
  describe: 'pre-train I²MD (MoCo + CMD + IMD/DNA) on a dataset; --resume RUN continues a run exactly',
  options: (y) => pretrainOptions(configFileOption(normalizeOption(y))
    .option('knn-every', { type: 'number', describe: 'k-NN monitor on the test split every N epochs (default: about 10 times a run when the data has a test split; 0 = off)' })
    .option('knn-max', { type: 'number', default: 2000, describe: 'k-NN monitor: at most this many evenly spaced rows of each split' })
    .option('data', { type: 'string', describe: 'dataset path (prepared folder, .npz, raw folder …)' })
    .option('format', { choices: FORMATS as unknown as string[], default: 'auto' })
    .option('benchmark', { type: 'string', describe: 'split: xsub, xview, xset (where the dataset has them)' })
    .option('run', { type: 'string', describe: 'run folder (default runs/pretrain-<time>)' })
    .option('resume', { type: 'string', describe: 'continue the run in this folder' })
    .option('log-every', { type: 'number', default: 10, describe: 'read the losses back every N steps' })
    .option('checkpoint-every', { type: 'number', default: 1, describe: 'checkpoint every N epochs' })
    .option('max-steps', { type: 'number', describe: 'stop after N steps in total' })),
  async run(given) {
    // a --config file fills what no flag gave; every field's provenance is printed below
    const recipe = applyConfigFile(given, hideBin(process.argv), recipeFlags);
    const args = recipe.args;
    for (const flag of ['log-every', 'checkpoint-every', 'knn-max']) numberOption(args, flag, rules.count);
    numberOption(args, 'max-steps', rules.count, true);
    numberOption(args, 'knn-every', rules.countOrZero, true);
    if (args.run !== undefined) checkOutputPath(String(args.run), '--run');
    let config = configFromArgs(args);
    if (args.normalize !== undefined) config = { ...config, normalize: normalizeArg(args) };
    let dataPath = args.data as string | undefined;
    if (args.resume && args.run && args.run !== args.resume) throw new UserError(`--run ${String(args.run)} with --resume ${String(args.resume)}: a resumed run stays in its folder; give one of them`);
    const runDir = (args.resume as string) ?? (args.run as string) ?? `runs/pretrain-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    let provenance = (k: keyof PretrainConfig) => recipe.provenance(k, config);
    if (args.resume) {
      const s = readTrainState(runDir);
      const changed = (Object.keys(config) as (keyof PretrainConfig)[]).filter((k) => recipe.typed.has(kebab(k)) || recipe.fileKeys.has(kebab(k)));
      if (recipe.typed.has('preset') || recipe.fileKeys.has('preset')) throw new UserError(`--resume ${runDir}: --preset would replace the run's recipe; drop it (the run keeps its own)`);
      const r = resumeConfig(s.config, config, changed, s.epoch, runDir);
      config = r.config;
      for (const n of r.notes) console.error(`note: ${n}`);
      provenance = (k) => (changed.includes(k) && k === 'epochs' ? 'flag (resume)' : `the run (${runDir})`);
      dataPath ??= s.dataset;
    } else {
      refuseExistingRun(runDir);
    }
    if (!dataPath) throw new UserError('--data is required (or --resume RUN)');
    planSoftwareThreads(typicalDispatchFlops(config));
    const g = await initEngine();
    console.error(`adapter: ${g.name}`);
    const prov = runProvenance(new Date());
    const opened = openDataset(dataPath, args.format as DataFormat, { benchmark: args.benchmark as string | undefined, skipBad: skipBadArg(args), normalize: normalizeArg(args) ?? config.normalize });
    config = { ...config, normalize: opened.info.normalize };
    const data = opened.train ?? opened.all;
    if (!args.resume && args['queue-size'] === undefined) {
      const fit = fitQueueToData(config, data.size);
      config = fit.config;
      if (fit.note) console.error(`note: ${fit.note}`);
    }
    for (const k of opened.info.skipped) console.error(`skipped: ${k.reason}`);
    console.error(`data: ${dataPath} (${opened.info.format}, ${data.size} training sequences, layout ${data.layout}, normalize ${opened.info.normalize})`);
    const epochs = resolveEpochs(config, data.size).epochs;
    const knnEvery = args['knn-every'] === undefined ? (opened.test && opened.test.size > 0 ? Math.max(1, Math.ceil(epochs / 10)) : 0) : args['knn-every'] as number;
    if (!(Number.isInteger(knnEvery) && knnEvery >= 0)) throw new UserError(`--knn-every ${knnEvery}: expected a whole number of epochs ≥ 0`);
    if (knnEvery > 0 && !(opened.test && opened.test.size > 0)) throw new UserError(`--knn-every ${knnEvery}: ${dataPath} has no test split to monitor on`);
    const monitor = knnEvery > 0 && opened.test
      ? new KnnMonitor({ train: data, test: opened.test, layout: getLayout(data.layout), every: knnEvery, maxRows: args['knn-max'] as number })
      : undefined;
    console.error(`config (every setting and where it came from):\n${describeConfig(config, provenance)}`);
    console.error(`encoder: ${config.encoder === 'gru'
      ? `GRU ${config.gruLayers} × ${config.gruHidden} (${config.gruBidirectional ? 'bidirectional' : 'both cells forward, as the official code'})`
      : `ST-GCN h ${config.hidden}, D ${config.hiddenDim}`}`);
    const t0 = performance.now();
    // provenance.json: how the run was made (a resumed run adds its own entry)
    const provPath = join(runDir, 'provenance.json');
    let earlier: unknown[] = [];
    try { if (args.resume && existsSync(provPath)) earlier = (JSON.parse(readFileSync(provPath, 'utf8')) as { sessions?: unknown[] }).sessions ?? []; } catch { /* unreadable: start afresh */ }
    const writeProv = () => {
      const session = { ...prov, adapter: g.summary, data: dataPath, config: kebabConfig(config) };
      writeFileAtomic(provPath, JSON.stringify({ sessions: [...earlier, session] }, null, 1));
    };
    mkdirSync(runDir, { recursive: true });
    writeProv();
    const r = await pretrain(data, config, { monitor,
      runDir, resume: Boolean(args.resume), logEvery: args['log-every'] as number, checkpointEvery: args['checkpoint-every'] as number,
      maxSteps: args['max-steps'] as number | undefined, datasetName: dataPath,
    });
    prov.phases.pretrain = (performance.now() - t0) / 1000;
    writeProv();
    const last = r.losses.at(-1);
    console.log(`${r.interrupted ? 'interrupted' : 'done'}: ${r.state.step} steps, epoch ${r.state.epoch}, ${r.stepMs.toFixed(0)} ms/step` +
      `${last ? `, last loss ${last.terms.total.toFixed(4)}` : ''}; checkpoint in ${runDir}`);
    // the shell's convention for a run stopped by a signal (after the checkpoint is saved)
    if (r.signal) process.exitCode = r.signal === 'SIGTERM' ? 143 : 130;
  },
};
export default command;
