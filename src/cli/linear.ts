/**
 * `linear`: linear evaluation (docs/method.md#evaluation) of a pre-trained encoder — frozen, BN in eval mode —
 * with a new linear classifier on its features of the dataset's training split, tested on the
 * test split every 5 epochs; best and last top-1/top-5. `--modality all` evaluates every stream
 * of a run and fuses their softmax outputs with --fusion-weights ("3s").
 */
import { numberOption, rules } from '../util/options.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { featureSample, type EvalRow } from '../eval/suite.js';
import { runFolderOf } from '../eval/load-encoder.js';
import { writeReport } from '../eval/report.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { extractFeatures } from '../eval/features.js';
import { linearEvaluate, type LinearResult } from '../eval/linear.js';
import { linearEvaluateCrops } from '../eval/linear-crops.js';
import { fuseHistories } from '../eval/suite.js';
import { linearProtocol, protocolLabel, LINEAR_PROTOCOLS } from '../eval/protocol.js';
import { loadEncoderFrom, checkLayoutMatch } from '../eval/load-encoder.js';
import type { EncoderKind } from '../nn/encoder.js';
import { dataOptions, checkpointOptions, openEvalData, streamsOf, numberList, fusionWeights, positive, pct } from './eval-common.js';

const command: Command = {
  name: 'linear',
  describe: 'linear evaluation of a pre-trained encoder (frozen, BN eval) on a dataset\'s train/test split',
  options: (y) => checkpointOptions(dataOptions(y))
    .option('epochs', { type: 'number', default: 80, describe: 'classifier epochs' })
    .option('lr', { type: 'number', default: 0.1, describe: 'classifier learning rate' })
    .option('milestones', { type: 'string', default: '50,70', describe: 'epochs at which lr × 0.1' })
    .option('eval-every', { type: 'number', default: 5, describe: 'test every N epochs' })
    .option('protocol', { choices: [...LINEAR_PROTOCOLS], default: 'crops', describe: 'crops: a fresh random crop (scale U[0.5,1)) of every training sequence each epoch through the frozen encoder (the official); fixed: centre-crop features computed once' })
    .option('standardize', { type: 'boolean', describe: 'standardise each feature with the training statistics (default: off for crops, on for fixed)' })
    .option('fusion-weights', { type: 'string', describe: 'with --modality all: weights of the streams\' softmax outputs (default 1,1,1)' })
    .option('report', { type: 'boolean', default: false, describe: 'with a run folder: add the results to RUN/results.json and rebuild RUN/report.html' }),
  async run(args) {
    const runDir = args.report ? runFolderOf(args.checkpoint as string) : undefined;
    if (args.report && !runDir) throw new UserError('--report needs --checkpoint to be a pre-training run folder');
    const g = await initEngine();
    console.error(`adapter: ${g.name}`);
    const data = openEvalData(args);
    const streams = streamsOf(args);
    const weights = streams.length > 1 ? fusionWeights(args, streams) : undefined;
    console.error(`data: ${data.name}: ${data.train.size} training / ${data.test.size} test sequences, ${data.numClasses} classes, layout ${data.layout.name}`);
    const opts = {
      epochs: positive(args, 'epochs'), lr: positive(args, 'lr', false), milestones: numberList(args.milestones, 'milestones'),
      batchSize: positive(args, 'batch-size'), evalEvery: positive(args, 'eval-every'), seed: args.seed as number, numClasses: data.numClasses,
    };
    const protocol = linearProtocol(args.protocol, args.standardize as boolean | undefined);
    const label = protocolLabel(protocol);
    if (!args.json) console.error(`protocol: ${label}; best of the test evaluations every ${opts.evalEvery} epochs, and last`);
    const out: Record<string, unknown>[] = [];
    const rows: EvalRow[] = [];
    const results: LinearResult[] = [];
    let testLabels: Int32Array | undefined;
    for (const m of streams) {
      const enc = loadEncoderFrom(args.checkpoint as string, m, { layout: data.layout, encoder: args.encoder as EncoderKind | undefined });
      try {
        checkLayoutMatch(enc, data.layout, data.name);
        const frames = numberOption(args, 'frames', rules.frames, true) ?? enc.config?.frames ?? 64;
        const t0 = performance.now();
        let r: LinearResult, fte;
        if (protocol.name === 'fixed') {
          const ftr = await extractFeatures(enc.model, data.train, m, data.layout, { frames, batchSize: opts.batchSize });
          fte = await extractFeatures(enc.model, data.test, m, data.layout, { frames, batchSize: opts.batchSize });
          r = await linearEvaluate(ftr, fte, { ...opts, standardize: protocol.standardize });
        } else {
          const c = await linearEvaluateCrops(enc.model, data.train, data.test, m, data.layout,
            { ...opts, standardize: protocol.standardize, frames, minCrop: enc.config?.minCrop ?? frames, featureBatch: opts.batchSize });
          r = c; fte = c.testFeatures;
        }
        console.error(`${m}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        out.push({ stream: m, best: r.best, last: r.last, bestTop5: r.bestTop5, lastTop5: r.lastTop5, history: r.history, frames, checkpoint: enc.path });
        results.push(r); testLabels = fte.labels;
        rows.push({ encoder: 'pre-trained', stream: m, linear: r.best, linearLast: r.last, linearTop5: r.bestTop5,
          detail: rows.length === 0 ? { history: r.history, labels: [...fte.labels], predictions: [...r.predictions], sample: featureSample(fte) } : undefined });
        if (!args.json) console.log(`${m.padEnd(7)} ${label} top-1 best ${pct(r.best)} last ${pct(r.last)} · top-5 best ${pct(r.bestTop5)} last ${pct(r.lastTop5)}`);
      } finally {
        enc.model.dispose();
      }
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
      const path = join(runDir, 'results.json');
      const prev = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { rows?: EvalRow[] } : {};
      const keep = (prev.rows ?? []).filter((r) => r.encoder !== 'pre-trained');
      writeFileAtomic(path, JSON.stringify({ ...prev, adapter: g.summary, protocol: label, data: { path: data.name, benchmark: data.benchmark, normalize: data.normalize, train: data.train.size, test: data.test.size },
        rows: [...keep, ...rows], ...(data.classNames ? { classNames: data.classNames } : {}) }, null, 1));
      console.error(`results: ${path}\nreport: ${writeReport(runDir)}`);
    }
    if (args.json) console.log(JSON.stringify({ protocol: label, standardize: protocol.standardize, data: data.name, benchmark: data.benchmark, normalize: data.normalize, options: opts, streams: out, fusion: fused }, null, 1));
  },
};
export default command;
