/**
 * What a GRU encoder checkpoint records besides its tensors, and how a configuration is read back:
 * from our `__metadata__`, or — for a state dict saved from the official PyTorch module, which has
 * none — from the tensor shapes (hidden size from weight_hh_l0, layers from the weight_ih_l{k}
 * present, input size from weight_ih_l0, the head from fc.*) and the input size's layout.
 */
import { UserError } from '../util/errors.js';
import { getLayout, layoutNames, type Layout } from '../skeleton/layouts.js';
import type { TensorMap } from '../data/safetensors.js';
import { resolveGRUConfig, type GRUEncoder, type GRUConfig } from './gru.js';
import type { HeadKind } from './stgcn.js';

export const GRU_FORMAT = 'i2md-gru';

export function gruMetadata(model: GRUEncoder): Record<string, string> {
  const c = model.config;
  const { name, V, edges, centre, bones } = c.layout;
  return {
    format: GRU_FORMAT, encoder: 'gru',
    layout: name, layout_table: JSON.stringify({ name, V, edges, centre, bones }), V: String(V),
    persons: String(c.persons), in_channels: String(c.inChannels), input_size: String(c.inputSize),
    hidden: String(c.hidden), layers: String(c.layers), bidirectional: String(c.bidirectional),
    head: c.head, head_dim: String(c.headDim),
  };
}

/** Whether a state dict holds the GRU encoder (by its names). */
export function isGruState(tensors: Record<string, unknown>): boolean {
  return 'encoder.gru.weight_ih_l0' in tensors;
}

function intOf(meta: Record<string, string>, key: string, file: string, fallback: number): number {
  if (meta[key] === undefined) return fallback;
  const v = Number(meta[key]);
  if (!Number.isInteger(v) || v < 1) throw new UserError(`${file}: metadata "${key}" = ${JSON.stringify(meta[key])} is not a size`);
  return v;
}

/**
 * The layout of a GRU state dict: named in the metadata, else the built-in layout whose V·3·M is
 * the input size (M = 2, then 1) — unique for NTU's 150; `hint` (the evaluation data's layout)
 * decides between layouts with the same joint count.
 */
function layoutOf(meta: Record<string, string>, inputSize: number, file: string, hint?: Layout): { layout: Layout; persons: number } {
  const personsFor = (l: Layout) => inputSize / (3 * l.V);
  const fits = (l: Layout) => Number.isInteger(personsFor(l)) && personsFor(l) >= 1;
  let layout: Layout | undefined;
  if (meta.layout_table) {
    try { layout = JSON.parse(meta.layout_table) as Layout; } catch { throw new UserError(`${file}: metadata "layout_table" is not JSON`); }
  } else if (meta.layout) {
    if (!layoutNames().includes(meta.layout)) throw new UserError(`${file}: metadata names the unknown layout ${JSON.stringify(meta.layout)}`);
    layout = getLayout(meta.layout);
  } else if (hint && fits(hint)) {
    layout = hint;
  } else {
    for (const M of [2, 1]) {
      const same = layoutNames().map(getLayout).filter((l) => l.V * 3 * M === inputSize);
      if (same.length === 1) { layout = same[0]; break; }
      if (same.length > 1) throw new UserError(`${file}: a GRU input of ${inputSize} features fits the layouts ${same.map((l) => l.name).join(', ')}; name one (metadata "layout", or evaluate on data with that layout)`);
    }
  }
  if (!layout || !fits(layout)) throw new UserError(`${file}: a GRU input of ${inputSize} features is not V·3·M for ${layout ? `the layout ${layout.name} (V ${layout.V})` : 'any built-in layout'}`);
  const persons = meta.persons !== undefined ? intOf(meta, 'persons', file, 2) : personsFor(layout);
  return { layout, persons };
}

/** The GRU configuration a checkpoint describes (metadata first, tensor shapes otherwise). */
export function gruConfigFromCheckpoint(meta: Record<string, string>, tensors: TensorMap, file: string, hint?: Layout): Omit<Required<GRUConfig>, 'seed'> {
  if (meta.format !== undefined && meta.format !== GRU_FORMAT) throw new UserError(`${file}: format "${meta.format}" is not an ${GRU_FORMAT} checkpoint`);
  const ih0 = tensors['encoder.gru.weight_ih_l0']?.shape, hh0 = tensors['encoder.gru.weight_hh_l0']?.shape;
  if (!ih0 || !hh0 || ih0.length !== 2 || hh0.length !== 2) throw new UserError(`${file}: not a GRU encoder state (encoder.gru.weight_ih_l0 / weight_hh_l0 missing or not 2-D)`);
  let layers = 0;
  while (tensors[`encoder.gru.weight_ih_l${layers}`]) layers++;
  const hidden = intOf(meta, 'hidden', file, hh0[1]);
  const { layout, persons } = layoutOf(meta, ih0[1], file, hint);
  const head: HeadKind = (meta.head as HeadKind | undefined) ?? (tensors['fc.2.weight'] ? 'mlp' : tensors['fc.weight'] ? 'linear' : 'none');
  if (!['mlp', 'linear', 'none'].includes(head)) throw new UserError(`${file}: metadata "head" = ${JSON.stringify(meta.head)}`);
  const headShape = tensors[head === 'mlp' ? 'fc.2.weight' : 'fc.weight']?.shape;
  const bidirectional = meta.bidirectional === 'true';
  if (meta.bidirectional !== undefined && !['true', 'false'].includes(meta.bidirectional)) throw new UserError(`${file}: metadata "bidirectional" = ${JSON.stringify(meta.bidirectional)}`);
  const out = {
    layout, persons, inChannels: intOf(meta, 'in_channels', file, 3), hidden, layers: intOf(meta, 'layers', file, layers),
    bidirectional, head, headDim: intOf(meta, 'head_dim', file, headShape?.[0] ?? 128),
  };
  resolveGRUConfig(out);
  return out;
}
