/**
 * The main job (`node dist/train.js` with no command): synthesise the embedded dataset,
 * pre-train I²MD with the demo preset on its training split, then judge the pre-trained encoders
 * against randomly initialised ones with the same architecture — k-NN and linear evaluation per
 * modality and the 3-stream fusion — print the table and write results.json in the run folder.
 */
import { numberOption, rules } from '../util/options.js';
import { join } from 'node:path';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { generateSynthetic } from '../skeleton/synthetic/generate.js';
import { SubsetDataset } from '../data/dataset.js';
import { getLayout } from '../skeleton/layouts.js';
import { pretrain } from '../i2md/pretrain.js';
import { createEncoder, describeEncoder } from '../nn/encoder.js';
import { pretrainOptions, configFromArgs, recipeFlags } from './pretrain-options.js';
import { applyConfigFile, configFileOption, describeConfig, refuseExistingRun } from './recipe.js';
import { hideBin } from 'yargs/helpers';
import { UserError } from '../util/errors.js';
import { evaluateEncoders, printTable, type EvalRow } from '../eval/suite.js';
import { writeFileAtomic } from '../util/atomic.js';
import { fmtTime } from '../util/progress.js';
import { writeReport } from '../eval/report.js';
import { provenance } from '../util/provenance.js';

const command: Command = {
  name: 'main',
  describe: 'the main job: synthesise the embedded dataset, pre-train I²MD (demo preset), evaluate against a random encoder',
  options: (y) => pretrainOptions(configFileOption(y)
    .option('size', { type: 'number', default: 1350, describe: 'synthetic sequences to generate' })
    .option('benchmark', { alias: 'split', choices: ['xview', 'xsub'], default: 'xview', describe: 'evaluation split of the synthetic set (as --benchmark of the evaluation commands)' })
    .option('data-seed', { type: 'number', default: 1, describe: 'seed of the synthetic dataset' })
    .option('run', { type: 'string', describe: 'run folder (default runs/main-<time>)' })
    .option('linear-epochs', { type: 'number', default: 80, describe: 'epochs of the linear classifier' })),
  async run(given) {
    const started = performance.now(), startedAt = new Date();
    const recipe = applyConfigFile(given, hideBin(process.argv), recipeFlags);
    const args = recipe.args;
    if (recipe.fileKeys.has('normalize')) throw new UserError(`--config ${recipe.file}: "normalize" does not apply to the main job (the synthetic set stays in camera coordinates)`);
    const config = configFromArgs(args);
    const runDir = (args.run as string) ?? `runs/main-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    refuseExistingRun(runDir);
    const g = await initEngine();
    console.log(`adapter: ${g.name}`);

    const syn = generateSynthetic({ seed: numberOption(args, 'data-seed', rules.seed), size: numberOption(args, 'size', rules.count) });
    const split = syn.splits[args.benchmark as 'xview' | 'xsub'];
    const train = new SubsetDataset(syn.dataset, split.train), test = new SubsetDataset(syn.dataset, split.test);
    console.log(`data: embedded synthetic set, ${syn.dataset.size} sequences, ${syn.classNames.length} classes, ` +
      `${args.benchmark} split ${train.size}/${test.size}, layout ${syn.dataset.layout}`);

    console.error(`config (every setting and where it came from):\n${describeConfig(config, (k) => recipe.provenance(k, config))}`);
    console.log(`pre-training I²MD (${config.modalities.join('+')}${config.cmd ? ', CMD' : ''}${config.imd ? ', IMD' : ''}${config.dna ? '+DNA' : ''}), ` +
      `${config.epochs} epochs of ${Math.floor(train.size / config.batchSize)} steps, batch ${config.batchSize} → ${runDir}`);
    const prov = provenance(startedAt);
    const t0 = performance.now();
    const r = await pretrain(train, config, { runDir, datasetName: 'synthetic' });
    prov.phases.pretrain = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    console.log(`encoder: ${describeEncoder(r.model.branches[0].encoderQ)}`);
    if (r.interrupted) {
      console.log(`interrupted at step ${r.state.step}; the checkpoint is in ${runDir}`);
      process.exitCode = r.signal === 'SIGTERM' ? 143 : 130;
      return;
    }
    // compare from the first logged step after the queue has filled: before, the InfoNCE terms rise
    // as real keys replace the random initial ones, and the first value would flatter the run
    const filledAt = Math.ceil(config.queueSize / config.batchSize);
    const from = r.losses.find((l) => l.step >= filledAt) ?? r.losses[0];
    const first = from?.terms.total, last = r.losses.at(-1)?.terms.total;
    console.log(`pre-training: ${r.state.step} steps, ${r.stepMs.toFixed(0)} ms/step (data ${r.dataMs.toFixed(1)} ms/step), ` +
      `loss ${first?.toFixed(3)} (step ${from?.step ?? '–'}, queue filled) → ${last?.toFixed(3)}`);

    const layout = getLayout(syn.dataset.layout);
    const evalOpts = { frames: config.frames, linearEpochs: args['linear-epochs'] as number, numClasses: syn.classNames.length };
    const pretrained = Object.fromEntries(r.model.branches.map((b) => [b.modality, b.encoderQ]));
    const random = Object.fromEntries(config.modalities.map((m, i) => [m, createEncoder({
      kind: config.encoder, layout, hidden: config.hidden, hiddenDim: config.hiddenDim, dropout: config.dropout, head: 'none', seed: 9000 + i,
      persons: syn.dataset.M, gruHidden: config.gruHidden, gruLayers: config.gruLayers, gruBidirectional: config.gruBidirectional,
    })]));
    const rows: EvalRow[] = [
      ...(await evaluateEncoders('random init', random, train, test, layout, evalOpts)),
      // the pre-trained joint stream keeps its predictions, history and a feature sample for the report
      ...(await evaluateEncoders('I²MD', pretrained, train, test, layout, { ...evalOpts, detail: config.modalities.includes('joint') ? 'joint' : config.modalities[0] })),
    ];
    printTable(rows);
    prov.phases.evaluation = (performance.now() - t1) / 1000;
    const results = {
      provenance: prov,
      adapter: g.summary, config, protocols: { linear: 'linear-fixed+std', knn: 'knn (centre crop 0.95, train and test)' },
      data: { kind: 'synthetic', size: syn.dataset.size, split: args.benchmark, train: train.size, test: test.size, normalize: 'none' },
      pretrain: { steps: r.state.step, msPerStep: r.stepMs, dataMsPerStep: r.dataMs, firstLoss: first, firstLossStep: from?.step, lastLoss: last },
      rows, seconds: (performance.now() - started) / 1000, classNames: syn.classNames,
    };
    writeFileAtomic(join(runDir, 'results.json'), JSON.stringify(results, null, 1));
    console.log(`results: ${join(runDir, 'results.json')} (total ${fmtTime(results.seconds)})`);
    console.log(`report: ${writeReport(runDir)}`);
  },
};
export default command;
