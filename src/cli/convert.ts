/**
 * `convert IN.pth.tar --out X.safetensors`: a PyTorch checkpoint (the official CMD code's
 * `checkpoint.pth.tar`, or any torch.save of a state dict of one of our encoders) as our
 * safetensors, read without Python (src/data/torch-checkpoint.ts). A pre-training checkpoint keeps
 * every stream under the official names (encoder_q.*, encoder_k_motion.*, queue, …) — what a GRU
 * run of this engine writes — unless --modality picks one stream's query encoder, which is then
 * written as a plain encoder file (the names `init` writes). Every stream written is rebuilt as an
 * encoder first, so a file that would not load is refused here, with its names and shapes listed.
 */
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { readTorchStateDict } from '../data/torch-checkpoint.js';
import { saveSafetensors, type TensorMap } from '../data/safetensors.js';
import { encoderFromState, metadataOf } from '../nn/checkpoint.js';
import { describeEncoder } from '../nn/encoder.js';
import { officialStreams, streamState } from '../eval/load-encoder.js';
import type { Modality } from '../i2md/config.js';
import { resolveLayout } from './init.js';
import { UserError } from '../util/errors.js';

export interface ConvertOptions { input: string; out: string; modality?: Modality | 'all'; layout?: string }

export async function convertCheckpoint(o: ConvertOptions): Promise<{ tensors: number; streams: Modality[]; description: string; epoch?: number }> {
  await initEngine();
  const { tensors, epoch } = readTorchStateDict(o.input);
  const streams = officialStreams(tensors);
  const want = o.modality ?? 'all';
  const layout = o.layout ? resolveLayout(o.layout) : undefined;
  const picked: Modality[] = want === 'all' ? (streams.length ? streams : ['joint']) : [want];
  if (want !== 'all' && streams.length && !streams.includes(want)) throw new UserError(`${o.input}: holds the ${streams.join(', ')} stream(s), not ${want}`);
  // rebuild each stream written: the file must load, and the metadata comes from the encoder it makes
  let meta: Record<string, string> = {};
  let description = '';
  for (const m of picked) {
    const model = encoderFromState(streamState(tensors, m, o.input), {}, `${o.input}${streams.length ? ` (${m} query encoder)` : ''}`, { layout });
    meta = metadataOf(model);
    description = describeEncoder(model);
    model.dispose();
  }
  const source = { source: o.input, ...(epoch !== undefined ? { epoch: String(epoch) } : {}) };
  let out: TensorMap;
  if (want === 'all' && streams.length) {
    out = tensors;
    meta = { ...meta, ...source, streams: streams.join(',') };
  } else {
    out = streamState(tensors, picked[0], o.input);
    meta = { ...meta, ...source, ...(streams.length ? { modality: picked[0] } : {}) };
  }
  saveSafetensors(o.out, out, meta);
  return { tensors: Object.keys(out).length, streams: want === 'all' ? streams : picked, description, epoch };
}

const command: Command = {
  name: 'convert <input>',
  describe: 'convert a PyTorch checkpoint (the official CMD checkpoint.pth.tar, or a state dict) into our safetensors, without Python',
  options: (y) => y
    .positional('input', { type: 'string', describe: 'the .pth / .pth.tar file (PyTorch ≥ 1.6 zip format)' })
    .option('out', { type: 'string', demandOption: true, describe: 'safetensors file to write' })
    .option('modality', { choices: ['joint', 'motion', 'bone', 'all'], default: 'all', describe: 'one stream\'s query encoder as a plain encoder file, or every stream (all)' })
    .option('layout', { type: 'string', describe: 'skeleton layout when the input size does not tell it (ntu25, ucla20, msr20 or a JSON file)' }),
  async run(args) {
    const r = await convertCheckpoint({ input: args.input as string, out: args.out as string, modality: args.modality as Modality | 'all', layout: args.layout as string | undefined });
    console.log(`wrote ${args.out as string}: ${r.tensors} tensors${r.streams.length ? `, streams ${r.streams.join(', ')}` : ''}${r.epoch !== undefined ? `, epoch ${r.epoch}` : ''}; ${r.description}`);
  },
};
export default command;
