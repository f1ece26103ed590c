/**
 * `init`: a freshly initialised encoder as a checkpoint — ST-GCN (PyTorch default initialisation)
 * or, with --encoder gru, the official CMD GRU (its own initialisation), seeded.
 */
import type { Command } from './command.js';
import { UserError } from '../util/errors.js';
import { initEngine } from '../tensor/index.js';
import { getLayout, loadLayoutJson, type Layout } from '../skeleton/layouts.js';
import { createEncoder, describeEncoder, type EncoderKind } from '../nn/encoder.js';
import { saveEncoder } from '../nn/checkpoint.js';

export function resolveLayout(spec: string): Layout {
  return spec.endsWith('.json') ? loadLayoutJson(spec) : getLayout(spec);
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`--${name} ${String(v)}: expected a positive integer`);
  return v;
}

export interface InitOptions {
  out: string; layout?: string; hidden?: number; hiddenDim?: number; headDim?: number; seed?: number;
  encoder?: EncoderKind; persons?: number; gruHidden?: number; gruLayers?: number; gruBidirectional?: boolean;
}

/** Builds, saves and frees an encoder; returns its parameter count. */
export async function initEncoder(o: InitOptions): Promise<{ parameters: number; names: number; description: string }> {
  await initEngine();
  const model = createEncoder({
    kind: o.encoder ?? 'stgcn', layout: resolveLayout(o.layout ?? 'ntu25'), hidden: o.hidden, hiddenDim: o.hiddenDim, headDim: o.headDim, seed: o.seed ?? 0,
    persons: o.persons, gruHidden: o.gruHidden, gruLayers: o.gruLayers, gruBidirectional: o.gruBidirectional,
  });
  try {
    await saveEncoder(o.out, model, { seed: String(o.seed ?? 0) });
    return {
      parameters: model.parameters().reduce((a, t) => a + t.size, 0), names: model.namedParameters().length + model.namedBuffers().length + model.namedCounters().length,
      description: describeEncoder(model),
    };
  } finally {
    model.dispose();
  }
}

const command: Command = {
  name: 'init',
  describe: 'write a freshly initialised encoder (ST-GCN, or --encoder gru: the official CMD GRU) with its MLP head as a safetensors checkpoint',
  options: (y) => y
    .option('out', { type: 'string', demandOption: true, describe: 'checkpoint to write (.safetensors)' })
    .option('encoder', { choices: ['stgcn', 'gru'], default: 'stgcn', describe: 'which encoder' })
    .option('gru-hidden', { type: 'number', default: 1024, describe: 'GRU: hidden size H (the feature is 2H)' })
    .option('gru-layers', { type: 'number', default: 3, describe: 'GRU: layers' })
    .option('gru-bidirectional', { type: 'boolean', default: false, describe: 'GRU: the second cell reads the sequence backwards (default: both forward, as the official code)' })
    .option('persons', { type: 'number', default: 2, describe: 'GRU: persons M of the input (its size is V·3·M)' })
    .option('layout', { type: 'string', default: 'ntu25', describe: 'skeleton layout: ntu25, ucla20, msr20 or a layout JSON file' })
    .option('hidden', { type: 'number', default: 16, describe: 'channels of the first blocks (h; later blocks use 2h, 4h)' })
    .option('hidden-dim', { type: 'number', default: 256, describe: 'feature size D (channels of the last block)' })
    .option('head-dim', { type: 'number', default: 128, describe: 'output size of the MLP projection head' })
    .option('seed', { type: 'number', default: 0, describe: 'initialisation seed' }),
  run: async (args) => {
    const seed = args.seed as number;
    if (!Number.isInteger(seed) || seed < 0) throw new UserError(`--seed ${String(seed)}: expected a non-negative integer`);
    const r = await initEncoder({
      out: args.out as string, layout: args.layout as string, seed,
      hidden: positiveInt('hidden', args.hidden), hiddenDim: positiveInt('hidden-dim', args.hiddenDim), headDim: positiveInt('head-dim', args.headDim),
      encoder: args.encoder as EncoderKind, persons: positiveInt('persons', args.persons),
      gruHidden: positiveInt('gru-hidden', args['gru-hidden']), gruLayers: positiveInt('gru-layers', args['gru-layers']), gruBidirectional: Boolean(args['gru-bidirectional']),
    });
    console.log(`wrote ${args.out}: ${r.description}; ${r.names} tensors, ${r.parameters} parameters`);
  },
};
export default command;
