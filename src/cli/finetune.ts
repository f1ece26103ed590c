/**
 * `finetune`: semi-supervised evaluation (docs/method.md#evaluation) — the pre-trained encoder and a new linear
 * classifier fine-tuned together on a class-stratified `--label-fraction` of the training split
 * (1: full fine-tuning), `--repeats` different subsets, mean ± std of the best test top-1.
 * `transfer` (src/cli/transfer.ts) runs the same with a checkpoint pre-trained on another dataset.
 */
import { numberOption, rules } from '../util/options.js';
import type { Argv } from 'yargs';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { semiSupervised } from '../eval/finetune.js';
import { describeCoverage } from '../eval/subsets.js';
import { loadEncoderFrom, checkLayoutMatch, evalFrames } from '../eval/load-encoder.js';
import type { Modality } from '../i2md/config.js';
import type { EncoderKind } from '../nn/encoder.js';
import { UserError } from '../util/errors.js';
import { fmtTime } from '../util/progress.js';
import { dataOptions, checkpointOptions, openEvalData, streamsOf, numberList, fusionWeights, positive, pct, outPath, classNamesOf, planThreadsForCheckpoint } from './eval-common.js';
import { saveClassifier, savedStream, type SavedStream } from '../eval/classifier.js';

export function finetuneOptions(y: Argv, defaultFraction: number): Argv {
  return checkpointOptions(dataOptions(y))
    .option('label-fraction', { type: 'number', default: defaultFraction, describe: 'labelled fraction of the training split, class-stratified (1 = all)' })
    .option('repeats', { type: 'number', default: 1, describe: 'different random subsets (seeds seed, seed+1, …)' })
    .option('epochs', { type: 'number', default: 80, describe: 'fine-tuning epochs' })
    .option('lr', { type: 'number', default: 0.01, describe: 'learning rate (encoder and classifier)' })
    .option('lr-steps', { alias: 'milestones', type: 'string', default: '50,70', describe: 'epochs at which lr × 0.1 (as pretrain\'s --lr-steps)' })
    .option('weight-decay', { type: 'number', default: 0, describe: 'SGD weight decay' })
    .option('eval-every', { type: 'number', default: 5, describe: 'test every N epochs' })
    .option('fusion-weights', { type: 'string', describe: 'with --modality all: weights of the streams\' softmax outputs (default 1,1,1)' })
    .option('out', { type: 'string', describe: 'save the fine-tuned encoder(s) and classifier with the class names to this .safetensors (for predict; the last repeat)' });
}

export async function runFinetune(args: Record<string, unknown>, mode: 'finetune' | 'transfer'): Promise<void> {
  planThreadsForCheckpoint(args.checkpoint);
  const g = await initEngine();
  console.error(`adapter: ${g.name}`);
  const fraction = args['label-fraction'] as number;
  if (!(fraction > 0 && fraction <= 1)) throw new UserError(`--label-fraction ${fraction}: expected a number in (0, 1]`);
  const data = openEvalData(args);
  const streams = streamsOf(args);
  const weights = streams.length > 1 ? fusionWeights(args, streams) : undefined;
  const ckpt = args.checkpoint as string;
  // load each stream once up front: the layout check fails before any training starts
  const encoder = args.encoder as EncoderKind | undefined;
  const probe = streams.map((m) => loadEncoderFrom(ckpt, m, { layout: data.layout, encoder }));
  const { frames, minCrop, line } = evalFrames(probe[0], numberOption(args, 'frames', rules.frames, true));
  console.error(line);
  try {
    for (const p of probe) checkLayoutMatch(p, data.layout, data.name);
  } finally {
    for (const p of probe) p.model.dispose();
  }
  const source = probe[0].dataset ? `pre-trained on ${probe[0].dataset}` : probe[0].path;
  console.error(`${mode}: ${source} → ${data.name} (${data.train.size} training / ${data.test.size} test, ${data.numClasses} classes, layout ${data.layout.name}), ` +
    `label fraction ${fraction}, ${args.repeats} repeat(s), streams ${streams.join('+')}`);
  const epochs = positive(args, 'epochs');
  const saveTo = outPath(args.out);
  let firstEnd = 0;
  const saved: SavedStream[] = [];
  const res = await semiSupervised((m: Modality) => loadEncoderFrom(ckpt, m, { layout: data.layout, encoder }).model, streams, data.train, data.test, data.layout, {
    fraction, repeats: positive(args, 'repeats'), frames, minCrop, epochs, lr: positive(args, 'lr', false),
    milestones: numberList(args['lr-steps'], 'lr-steps'), batchSize: positive(args, 'batch-size'), evalEvery: positive(args, 'eval-every'),
    weightDecay: args['weight-decay'] as number, seed: args.seed as number, numClasses: data.numClasses, fusionWeights: weights,
    onEpoch: (e) => {
      // ETA of this stream's fine-tuning from the mean epoch time since its first epoch ended
      if (e.epoch === 1) firstEnd = performance.now();
      const per = e.epoch > 1 ? (performance.now() - firstEnd) / (e.epoch - 1) / 1000 : undefined;
      const eta = per === undefined ? '' : ` · ${per.toFixed(1)} s/epoch, ETA ${fmtTime(per * (epochs - e.epoch))}`;
      if (!args.json) console.error(`  epoch ${e.epoch}/${epochs}: train loss ${e.loss.toFixed(4)}, train top-1 ${pct(e.top1)}${e.test ? `, test top-1 ${pct(e.test.top1)}` : ''}${eta}`);
    },
    onTrained: saveTo ? async (modality, encoder, c) => { saved.push(await savedStream({ modality, encoder, weight: c.weight, bias: c.bias })); } : undefined,
    onRepeat: (r, i) => {
      if (args.json) return;
      console.log(`repeat ${i + 1} (seed ${r.seed}): ${describeCoverage(r.coverage)}`);
      for (const s of r.streams) console.log(`  ${s.modality.padEnd(7)} best top-1 ${pct(s.best)} (last ${pct(s.last)}, best top-5 ${pct(s.bestTop5)})`);
      if (r.fused) console.log(`  fusion (last) top-1 ${pct(r.fused.top1)} · top-5 ${pct(r.fused.top5)}`);
    },
  });
  if (saveTo) {
    await saveClassifier(saveTo, saved, { trainedBy: 'finetune', classNames: classNamesOf(data), frames, fusionWeights: weights, source: ckpt, data: data.name });
    console.error(`fine-tuned encoder${saved.length > 1 ? 's' : ''} and classifier: ${saveTo} (${saved.map((s) => s.modality).join('+')}, the last repeat's, last epoch's weights; use it with predict)`);
  }
  if (args.json) {
    console.log(JSON.stringify({ protocol: mode, checkpoint: ckpt, data: data.name, benchmark: data.benchmark, weights, ...res }, null, 1));
    return;
  }
  for (const s of res.summary) {
    console.log(`${mode} ${(100 * fraction).toFixed(fraction < 0.1 ? 1 : 0)}% labels · ${s.stream}: best top-1 ${(100 * s.mean).toFixed(2)} ± ${(100 * s.std).toFixed(2)}% over ${s.n} subset(s)`);
  }
}

const command: Command = {
  name: 'finetune',
  describe: 'semi-supervised / full fine-tuning of a pre-trained encoder with a new classifier (--label-fraction, --repeats)',
  options: (y) => finetuneOptions(y, 1),
  run: (args) => runFinetune(args, 'finetune'),
};
export default command;
