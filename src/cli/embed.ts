/**
 * `embed`: features of an (N, 3, T, V, M) float32 .npy from an encoder checkpoint — the encoder
 * in eval mode (BN running statistics), batch by batch so any file size fits, written as (N, D)
 * features or, with --head, the L2-normalised projection-head outputs.
 */
import type { Command } from './command.js';
import { UserError } from '../util/errors.js';
import { initEngine, tidy, noGrad, Tensor } from '../tensor/index.js';
import { NpyFile, NpyStreamWriter } from '../data/npy.js';
import { l2Normalize } from '../ops/softmax.js';
import { loadEncoder } from '../nn/checkpoint.js';

export interface EmbedOptions { checkpoint: string; data: string; out: string; head?: boolean; batch?: number }

export async function embedFile(o: EmbedOptions): Promise<{ rows: number; dim: number }> {
  const batch = o.batch ?? 32;
  if (!Number.isInteger(batch) || batch < 1) throw new UserError(`--batch ${batch}: expected a positive integer`);
  await initEngine();
  const { model } = loadEncoder(o.checkpoint);
  const file = NpyFile.open(o.data);
  try {
    model.eval();
    const shape = file.shape;
    const { inChannels, head } = model.config;
    if (shape.length !== 5 || shape[1] !== inChannels || shape[3] !== model.V)
      throw new UserError(`${o.data}: shape (${shape.join(', ')}) is not (N, ${inChannels}, T, ${model.V}, M) for this encoder`);
    if (o.head && head === 'none') throw new UserError(`${o.checkpoint}: this encoder has no projection head (--head)`);
    const [N, C, T, V, M] = shape;
    const dim = o.head ? model.config.headDim : model.config.hiddenDim;
    const writer = new NpyStreamWriter(o.out, '<f4', [dim], N);
    try {
      for (let start = 0; start < N; start += batch) {
        const b = Math.min(batch, N - start);
        const raw = file.readRows(start, b);
        const data = raw instanceof Float32Array ? raw : Float32Array.from(raw as ArrayLike<number | bigint>, Number);
        const out = tidy(() => noGrad(() => {
          const f = model.features(Tensor.from(data, [b, C, T, V, M]));
          return o.head ? l2Normalize(model.project(f)) : f;
        }));
        writer.append(await out.read());
        out.dispose();
      }
    } finally {
      writer.close();
    }
    return { rows: N, dim };
  } finally {
    file.close();
    model.dispose();
  }
}

const command: Command = {
  name: 'embed',
  describe: 'encode an (N, 3, T, V, M) .npy with an encoder checkpoint into (N, D) features (or L2-normalised head outputs)',
  options: (y) => y
    .option('checkpoint', { type: 'string', demandOption: true, describe: 'encoder checkpoint (.safetensors from init or pretrain)' })
    .option('data', { type: 'string', demandOption: true, describe: 'input .npy, float32 (N, 3, T, V, M)' })
    .option('out', { type: 'string', describe: 'output .npy (default: <data>.features.npy, or <data>.head.npy with --head)' })
    .option('head', { type: 'boolean', default: false, describe: 'write the L2-normalised projection-head outputs instead of the features' })
    .option('batch', { type: 'number', default: 32, describe: 'samples per GPU batch' }),
  run: async (args) => {
    const data = args.data as string;
    const head = Boolean(args.head);
    const out = (args.out as string | undefined) ?? data.replace(/\.npy$/, '') + (head ? '.head.npy' : '.features.npy');
    const t0 = performance.now();
    const r = await embedFile({ checkpoint: args.checkpoint as string, data, out, head, batch: args.batch as number });
    console.log(`wrote ${out}: (${r.rows}, ${r.dim}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  },
};
export default command;
