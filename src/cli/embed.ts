/**
 * `embed`: features of an (N, 3, T, V, M) float32 .npy from an encoder checkpoint (ST-GCN or GRU:
 * an encoder safetensors, a run folder, or an official PyTorch checkpoint.pth.tar with --modality
 * choosing its stream) — the encoder in eval mode (BN running statistics), batch by batch so any
 * file size fits, written as (N, D) features or, with --head, the L2-normalised projection-head outputs.
 * The file holds joints whatever the stream: the motion and bone inputs of --modality motion|bone
 * are built from them on the GPU (docs/method.md#modalities), as pre-training built them. The
 * frames are the file's own (no crop): the encoder's pre-training frames are printed beside them,
 * since features of much longer or shorter sequences are not what the encoder learnt.
 */
import { firstNonFinite } from '../data/finite.js';
import { checkOutputPath } from '../util/atomic.js';
import type { Command } from './command.js';
import { UserError, FormatError } from '../util/errors.js';
import { initEngine, tidy, noGrad, Tensor } from '../tensor/index.js';
import { NpyFile, NpyStreamWriter } from '../data/npy.js';
import { l2Normalize } from '../ops/softmax.js';
import { loadEncoderFrom } from '../eval/load-encoder.js';
import type { EncoderKind } from '../nn/encoder.js';
import type { Modality } from '../i2md/config.js';
import { encoderOption, planThreadsForCheckpoint } from './eval-common.js';
import { modalityOf } from '../i2md/step.js';

export interface EmbedOptions { checkpoint: string; data: string; out: string; head?: boolean; batch?: number; modality?: Modality; encoder?: EncoderKind }

export async function embedFile(o: EmbedOptions): Promise<{ rows: number; dim: number; frames: number; trainedFrames?: number }> {
  const batch = o.batch ?? 32;
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`--batch-size ${batch}: expected a positive integer`);
  planThreadsForCheckpoint(o.checkpoint);
  await initEngine();
  const modality = o.modality ?? 'joint';
  const loaded = loadEncoderFrom(o.checkpoint, modality, { encoder: o.encoder });
  const model = loaded.model;
  let file: NpyFile | undefined;
  try {
    file = NpyFile.open(o.data);
    model.eval();
    const shape = file.shape;
    const V = model.layout.V, M = model.persons;
    if (shape.length !== 5 || shape[1] !== 3 || shape[3] !== V || (M !== undefined && shape[4] !== M))
      throw new UserError(`${o.data}: shape (${shape.join(', ')}) is not (N, 3, T, ${V}, ${M ?? 'M'}) for this encoder`);
    if (o.head && model.head === 'none') throw new UserError(`${o.checkpoint}: this encoder has no projection head (--head)`);
    const [N, C, T] = shape;
    if (N < 1 || T < 1 || shape[4] < 1) throw new FormatError(o.data, 'header', `shape (${shape.join(', ')}) has an empty dimension: expected at least one sample, frame and person`);
    checkOutputPath(o.out, '--out');
    const dim = o.head ? model.headDim : model.featureDim;
    const writer = new NpyStreamWriter(o.out, '<f4', [dim], N);
    try {
      for (let start = 0; start < N; start += batch) {
        const b = Math.min(batch, N - start);
        const raw = file.readRows(start, b);
        const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number | bigint>, Number);
        const bad = firstNonFinite(data);
        if (bad >= 0) throw new FormatError(o.data, `sample ${start + Math.floor(bad / (C * T * V * shape[4]))}`, `value ${data[bad]}: the input must be finite`);
        const out = tidy(() => noGrad(() => {
          const f = model.features(modalityOf(Tensor.from(data, [b, C, T, V, shape[4]]), modality, model.layout.bones));
          return o.head ? l2Normalize(model.project(f)) : f;
        }));
        const features = await out.read();
        // finite inputs and weights can still overflow: never write NaN features as if they were fine
        const nf = firstNonFinite(features);
        if (nf >= 0) throw new UserError(`${o.out}: the feature of sample ${start + Math.floor(nf / dim)} is ${features[nf]} (the encoder overflowed on ${o.data})`);
        writer.append(features);
        out.dispose();
      }
    } finally {
      writer.close();
    }
    return { rows: N, dim, frames: T, trainedFrames: loaded.frames };
  } finally {
    file?.close();
    model.dispose();
  }
}

const command: Command = {
  name: 'embed',
  describe: 'encode an (N, 3, T, V, M) .npy with an encoder checkpoint into (N, D) features (or L2-normalised head outputs)',
  options: (y) => y
    .option('checkpoint', { type: 'string', demandOption: true, describe: 'encoder checkpoint: a pretrain run folder, an encoder .safetensors (export, init, convert), or an official checkpoint.pth.tar' })
    .option('modality', { choices: ['joint', 'motion', 'bone'], default: 'joint', describe: 'stream to encode: the joints in --data are turned into motion or bone inputs for that stream\'s encoder' })
    .option('data', { type: 'string', demandOption: true, describe: 'input .npy, float32 joints (N, 3, T, V, M)' })
    .option('out', { type: 'string', describe: 'output .npy (default: <data>.features.npy, or <data>.head.npy with --head)' })
    .option('head', { type: 'boolean', default: false, describe: 'write the L2-normalised projection-head outputs instead of the features' })
    .option('batch-size', { alias: 'batch', type: 'number', default: 32, describe: 'samples per GPU batch' })
    .option('encoder', encoderOption),
  run: async (args) => {
    const data = args.data as string;
    const head = Boolean(args.head);
    const out = (args.out as string | undefined) ?? data.replace(/\.npy$/, '') + (head ? '.head.npy' : '.features.npy');
    const t0 = performance.now();
    const r = await embedFile({ checkpoint: args.checkpoint as string, data, out, head, batch: args['batch-size'] as number, modality: args.modality as Modality, encoder: args.encoder as EncoderKind | undefined });
    console.error(`frames: ${r.frames} (the file's); the encoder was pre-trained on ${r.trainedFrames ?? 'an unrecorded number of'} frames`);
    console.log(`wrote ${out}: (${r.rows}, ${r.dim}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  },
};
export default command;
