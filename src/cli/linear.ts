/**
 * `linear`: linear evaluation (docs/method.md#evaluation) of a pre-trained encoder — frozen, BN in eval mode —
 * with a new linear classifier on its features of the dataset's training split, tested on the
 * test split every 5 epochs; best and last top-1/top-5. `--modality all` evaluates every stream
 * of a run and fuses their softmax outputs with --fusion-weights ("3s").
 */
import { numberOption, rules } from '../util/options.js';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { featureSample, type EvalRow } from '../eval/suite.js';
import { runFolderOf } from '../eval/load-encoder.js';
import { writeReport } from '../eval/report.js';
import { UserError } from '../util/errors.js';
import { extractFeatures } from '../eval/features.js';
import { linearEvaluate, type LinearResult } from '../eval/linear.js';
import { linearEvaluateCrops } from '../eval/linear-crops.js';
import { fuseHistories } from '../eval/suite.js';
import { linearProtocol, protocolLabel, LINEAR_PROTOCOLS } from '../eval/protocol.js';
import { loadEncoderFrom, checkLayoutMatch, evalFrames } from '../eval/load-encoder.js';
import type { EncoderKind } from '../nn/encoder.js';
import { provenance } from '../util/provenance.js';
import { recordInRun, dataOptions, checkpointOptions, openEvalData, streamsOf, numberList, fusionWeights, positive, pct, outPath, classNamesOf, planThreadsForCheckpoint } from './eval-common.js';
import { saveClassifier, type ClassifierStream } from '../eval/classifier.js';

const command: Command = {
  name: 'linear',
  describe: 'linear evaluation of a pre-trained encoder (frozen, BN eval) on a dataset\'s train/test split',
  options: (y) => checkpointOptions(dataOptions(y))
    .option('epochs', { type: 'number', default: 80, describe: 'classifier epochs' })
    .option('lr', { type: 'number', default: 0.1, describe: 'classifier learning rate' })
    .option('lr-steps', { alias: 'milestones', type: 'string', default: '50,70', describe: 'epochs at which lr × 0.1 (as pretrain\'s --lr-steps)' })
    .option('eval-every', { type: 'number', default: 5, describe: 'test every N epochs' })
    .option('protocol', { choices: [...LINEAR_PROTOCOLS], default: 'crops', describe: 'crops: a fresh random crop (scale U[0.5,1)) of every training sequence each epoch through the frozen encoder (the official); fixed: centre-crop features computed once' })
    .option('standardize', { type: 'boolean', describe: 'standardise each feature with the training statistics (default: off for crops, on for fixed)' })
    .option('fusion-weights', { type: 'string', describe: 'with --modality all: weights of the streams\' softmax outputs (default 1,1,1)' })
    .option('report', { type: 'boolean', default: false, describe: 'with a run folder: add the results to RUN/results.json and rebuild RUN/report.html' })
    .option('out', { type: 'string', describe: 'save the trained classifier with its encoder(s) and class names to this .safetensors (for predict)' }),
  async run(args) {
    const runDir = args.report ? runFolderOf(args.checkpoint as string) : undefined;
    if (args.report && !runDir) throw new UserError('--report needs --checkpoint to be a pre-training run folder');
    const saveTo = outPath(args.out);
    const prov = provenance(new Date()), started = performance.now();
    planThreadsForCheckpoint(args.checkpoint);
    const g = await initEngine();
    console.error(`adapter: ${g.name}`);
    const data = openEvalData(args);
    const streams = streamsOf(args);
    const weights = streams.length > 1 ? fusionWeights(args, streams) : undefined;
    console.error(`data: ${data.name}: ${data.train.size} training / ${data.test.size} test sequences, ${data.numClasses} classes, layout ${data.layout.name}`);
    const opts = {
      epochs: positive(args, 'epochs'), lr: positive(args, 'lr', false), milestones: numberList(args['lr-steps'], 'lr-steps'),
      batchSize: positive(args, 'batch-size'), evalEvery: positive(args, 'eval-every'), seed: args.seed as number, numClasses: data.numClasses,
    };
    const protocol = linearProtocol(args.protocol, args.standardize as boolean | undefined);
    const label = protocolLabel(protocol);
    if (!args.json) console.error(`protocol: ${label}; best of the test evaluations every ${opts.evalEvery} epochs, and last`);
    const out: Record<string, unknown>[] = [];
    const rows: EvalRow[] = [];
    const results: LinearResult[] = [];
    let testLabels: Int32Array | undefined;
    const saved: ClassifierStream[] = [];   // with --out: each stream's encoder and classifier, saved at the end
    let usedFrames = 0;
    try {
      for (const m of streams) {
        const enc = loadEncoderFrom(args.checkpoint as string, m, { layout: data.layout, encoder: args.encoder as EncoderKind | undefined });
        try {
          checkLayoutMatch(enc, data.layout, data.name);
          const { frames, minCrop, line } = evalFrames(enc, numberOption(args, 'frames', rules.frames, true));
          console.error(`${m}: ${line}`);
          const t0 = performance.now();
          let r: LinearResult, fte;
          if (protocol.name === 'fixed') {
            const ftr = await extractFeatures(enc.model, data.train, m, data.layout, { frames, batchSize: opts.batchSize, progress: `${m} train features` });
            fte = await extractFeatures(enc.model, data.test, m, data.layout, { frames, batchSize: opts.batchSize, progress: `${m} test features` });
            console.error(`${m}: training the classifier`);
            r = await linearEvaluate(ftr, fte, { ...opts, standardize: protocol.standardize, progress: `${m} classifier epochs` });
          } else {
            const c = await linearEvaluateCrops(enc.model, data.train, data.test, m, data.layout,
              { ...opts, standardize: protocol.standardize, frames, minCrop, featureBatch: opts.batchSize, progress: `${m} classifier epochs` });
            r = c; fte = c.testFeatures;
          }
          console.error(`${m}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          out.push({ stream: m, best: r.best, last: r.last, bestTop5: r.bestTop5, lastTop5: r.lastTop5, history: r.history, frames, checkpoint: enc.path });
          results.push(r); testLabels = fte.labels;
          rows.push({ encoder: 'pre-trained', stream: m, linear: r.best, linearLast: r.last, linearTop5: r.bestTop5,
            detail: rows.length === 0 ? { history: r.history, labels: [...fte.labels], predictions: [...r.predictions], sample: featureSample(fte) } : undefined });
          if (!args.json) console.log(`${m.padEnd(7)} ${label} top-1 best ${pct(r.best)} last ${pct(r.last)} · top-5 best ${pct(r.bestTop5)} last ${pct(r.lastTop5)}`);
          usedFrames = frames;
          if (saveTo) saved.push({ modality: m, encoder: enc.model, weight: r.classifier.weight, bias: r.classifier.bias, mean: r.stats?.mean, invStd: r.stats?.inv });
        } finally {
          if (!saveTo) enc.model.dispose();
        }
      }
      if (saveTo) {
        await saveClassifier(saveTo, saved, {
          trainedBy: 'linear', classNames: classNamesOf(data), frames: usedFrames, fusionWeights: weights, source: args.checkpoint as string, data: data.name,
        });
        console.error(`classifier: ${saveTo} (${saved.map((k) => k.modality).join('+')}, ${data.numClasses} classes; the last epoch's weights; use it with predict)`);
      }
    } finally {
      for (const k of saved) k.encoder.dispose();
    }
    let fused: Record<string, unknown> | undefined;
    if (results.length > 1 && testLabels) {
      const f = fuseHistories(results, testLabels, data.numClasses, weights);
      fused = { streams, weights, best: f.best, last: f.last, bestTop5: f.bestTop5, lastTop5: f.lastTop5 };
      rows.push({ encoder: 'pre-trained', stream: `${streams.length}s fusion`, linear: f.best, linearLast: f.last, linearTop5: f.bestTop5, weights });
      if (!args.json) console.log(`${streams.length}s fusion (weights ${weights!.join(',')}) top-1 best ${pct(f.best)} last ${pct(f.last)} · top-5 best ${pct(f.bestTop5)} last ${pct(f.lastTop5)}`);
    }
    if (runDir) {
      // merge: this command's rows replace its earlier ones; everything else in results.json stays
      prov.phases.linear = (performance.now() - started) / 1000;
      const path = recordInRun(runDir, prov, (prev) => ({ ...prev, adapter: g.summary, protocol: label,
        data: { path: data.name, benchmark: data.benchmark, normalize: data.normalize, train: data.train.size, test: data.test.size },
        rows: [...(prev.rows ?? []).filter((r) => r.encoder !== 'pre-trained'), ...rows], ...(data.classNames ? { classNames: data.classNames } : {}) }));
      console.error(`results: ${path}\nreport: ${writeReport(runDir)}`);
    }
    if (args.json) console.log(JSON.stringify({ protocol: label, standardize: protocol.standardize, data: data.name, benchmark: data.benchmark, normalize: data.normalize, options: opts, streams: out, fusion: fused }, null, 1));
  },
};
export default command;
