/**
 * `knn`: k-NN evaluation (docs/method.md#evaluation) of a pre-trained encoder — L2-normalised frozen features of
 * the training split as the memory, 1-NN by cosine similarity and k-NN (default 20) with votes
 * weighted exp(sim / τ).
 */
import { numberOption, rules } from '../util/options.js';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { extractFeatures } from '../eval/features.js';
import { knnEvaluate } from '../eval/knn.js';
import { evalFrames, loadEncoderFrom, checkLayoutMatch, runFolderOf } from '../eval/load-encoder.js';
import { writeReport } from '../eval/report.js';
import { provenance } from '../util/provenance.js';
import { UserError } from '../util/errors.js';
import type { EncoderKind } from '../nn/encoder.js';
import { KNN_PROTOCOL } from '../eval/protocol.js';
import { dataOptions, checkpointOptions, openEvalData, streamsOf, positive, pct, recordInRun, planThreadsForCheckpoint } from './eval-common.js';

const command: Command = {
  name: 'knn',
  describe: 'k-NN evaluation (1-NN cosine, 20-NN weighted) of a pre-trained encoder on a dataset\'s train/test split',
  options: (y) => checkpointOptions(dataOptions(y))
    .option('k', { type: 'number', default: 20, describe: 'neighbours of the weighted vote' })
    .option('temperature', { type: 'number', default: 0.1, describe: 'vote weight exp(similarity / τ)' })
    .option('report', { type: 'boolean', default: false, describe: 'with a run folder: add the results to RUN/results.json and rebuild RUN/report.html' }),
  async run(args) {
    const runDir = args.report ? runFolderOf(args.checkpoint as string) : undefined;
    if (args.report && !runDir) throw new UserError('--report needs --checkpoint to be a pre-training run folder');
    const prov = provenance(new Date()), started = performance.now();
    planThreadsForCheckpoint(args.checkpoint);
    const g = await initEngine();
    console.error(`adapter: ${g.name}`);
    const data = openEvalData(args);
    console.error(`data: ${data.name}: ${data.train.size} training / ${data.test.size} test sequences, layout ${data.layout.name}`);
    const k = positive(args, 'k'), temperature = positive(args, 'temperature', false);
    const out: Record<string, unknown>[] = [];
    for (const m of streamsOf(args)) {
      const enc = loadEncoderFrom(args.checkpoint as string, m, { layout: data.layout, encoder: args.encoder as EncoderKind | undefined });
      try {
        checkLayoutMatch(enc, data.layout, data.name);
        const { frames, line } = evalFrames(enc, numberOption(args, 'frames', rules.frames, true));
        console.error(`${m}: ${line}`);
        const bs = positive(args, 'batch-size');
        const ftr = await extractFeatures(enc.model, data.train, m, data.layout, { frames, batchSize: bs, progress: `${m} train features` });
        const fte = await extractFeatures(enc.model, data.test, m, data.layout, { frames, batchSize: bs, progress: `${m} test features` });
        const r = knnEvaluate(ftr.features, ftr.labels, fte.features, fte.labels, ftr.d, { k, temperature });
        out.push({ stream: m, knn1: r.top1, knn: r.knn, k: r.k, temperature, frames, checkpoint: enc.path });
        if (!args.json) console.log(`${m.padEnd(7)} 1-NN ${pct(r.top1)} · ${r.k}-NN ${pct(r.knn)}`);
      } finally {
        enc.model.dispose();
      }
    }
    if (runDir) {
      // the k-NN columns of this run's pre-trained rows (added when linear has not written them)
      prov.phases.knn = (performance.now() - started) / 1000;
      const path = recordInRun(runDir, prov, (prev) => {
        const rows = [...(prev.rows ?? [])];
        for (const o of out) {
          const at = rows.findIndex((r) => r.encoder === 'pre-trained' && r.stream === o.stream);
          const knn = { knn1: o.knn1 as number, knn20: o.knn as number };
          if (at >= 0) rows[at] = { ...rows[at], ...knn };
          else rows.push({ encoder: 'pre-trained', stream: o.stream as string, linear: NaN, linearLast: NaN, ...knn });
        }
        return { ...prev, adapter: prev.adapter ?? g.summary, knnProtocol: `${KNN_PROTOCOL}, k ${k}, τ ${temperature}`, rows, ...(data.classNames ? { classNames: data.classNames } : {}) };
      });
      console.error(`results: ${path}\nreport: ${writeReport(runDir)}`);
    }
    if (args.json) console.log(JSON.stringify({ protocol: KNN_PROTOCOL, data: data.name, benchmark: data.benchmark, normalize: data.normalize, streams: out }, null, 1));
  },
};
export default command;
