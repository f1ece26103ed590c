/**
 * Encoder checkpoints as safetensors with the PyTorch names of each encoder — the ST-GCN family's
 * (docs/method.md#encoder) or the official CMD GRU's (src/nn/gru.ts): every parameter and buffer under
 * its dotted name, BatchNorm's num_batches_tracked as an int64 scalar, and `__metadata__`
 * recording the encoder, layout and sizes so `loadEncoder` rebuilds the same model (a state dict
 * saved from PyTorch without metadata loads too: the encoder is told by its names, the sizes by
 * the shapes). Loading checks names and shapes first and reports every missing, unexpected and
 * mis-shaped tensor in one error.
 */
import { G } from '../tensor/tensor.js';
import { saveSafetensors, loadSafetensors, encodeSafetensors, checkNames, type TensorMap } from '../data/safetensors.js';
import { UserError } from '../util/errors.js';
import { getLayout, layoutNames, type Layout } from '../skeleton/layouts.js';
import type { Module } from './module.js';
import { STGCN, defaultBlocks, type HeadKind, type ResolvedConfig } from './stgcn.js';
import { GRUEncoder } from './gru.js';
import type { Encoder, EncoderKind } from './encoder.js';
import { GRU_FORMAT, gruMetadata, gruConfigFromCheckpoint, isGruState } from './gru-checkpoint.js';

export const FORMAT = 'i2md-stgcn';

/** name → shape of everything a model's state holds ([] for the counters). */
export function expectedShapes(model: Module): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [n, t] of [...model.namedParameters(), ...model.namedBuffers()]) out[n] = [...t.shape];
  for (const [n] of model.namedCounters()) out[n] = [];
  return out;
}

/** The model's state read back from the GPU, as safetensors tensors. */
export async function stateDict(model: Module): Promise<TensorMap> {
  const out: TensorMap = {};
  for (const [n, t] of [...model.namedParameters(), ...model.namedBuffers()]) out[n] = { dtype: 'F32', shape: [...t.shape], data: await t.read() };
  for (const [n, c] of model.namedCounters()) out[n] = { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(c.value)) };
  return out;
}

/** Writes tensors into the model after checking names, shapes and dtypes (one error for all). */
export function loadStateDict(model: Module, tensors: TensorMap, what = 'checkpoint'): void {
  checkNames(tensors, expectedShapes(model), what);
  const bad: string[] = [];
  for (const [n, t] of [...model.namedParameters(), ...model.namedBuffers()]) if (tensors[n].dtype !== 'F32') bad.push(`${n}: ${tensors[n].dtype}, expected F32`);
  for (const [n] of model.namedCounters()) if (tensors[n].dtype !== 'I64' && tensors[n].dtype !== 'I32') bad.push(`${n}: ${tensors[n].dtype}, expected I64`);
  if (bad.length) throw new UserError(`${what} has tensors of the wrong type:\n  ${bad.join('\n  ')}`);
  for (const [n, t] of [...model.namedParameters(), ...model.namedBuffers()]) G().write(t.buffer, tensors[n].data as Float32Array);
  for (const [n, c] of model.namedCounters()) c.value = Number(tensors[n].data[0]);
}

/** What rebuilds the encoder: layout (by name, plus its full table) and sizes, all strings. */
export function encoderMetadata(model: STGCN): Record<string, string> {
  const c = model.config;
  const { name, V, edges, centre, bones } = c.layout;
  return {
    format: FORMAT,
    layout: name,
    layout_table: JSON.stringify({ name, V, edges, centre, bones }),
    V: String(V), K: String(model.K),
    in_channels: String(c.inChannels), hidden: String(c.hidden), hidden_dim: String(c.hiddenDim),
    dropout: String(c.dropout), head: c.head, head_dim: String(c.headDim),
    blocks: JSON.stringify(c.blocks),
  };
}

/** The metadata that rebuilds an encoder of either kind. */
export function metadataOf(model: Encoder): Record<string, string> {
  return model instanceof GRUEncoder ? gruMetadata(model) : encoderMetadata(model as STGCN);
}

/** The encoder as safetensors bytes (what saveEncoder writes; a page downloads these). */
export async function encodeEncoder(model: Encoder, extra: Record<string, string> = {}): Promise<Uint8Array> {
  return encodeSafetensors(await stateDict(model), { ...metadataOf(model), ...extra });
}

export async function saveEncoder(path: string, model: Encoder, extra: Record<string, string> = {}): Promise<void> {
  saveSafetensors(path, await stateDict(model), { ...metadataOf(model), ...extra });
}

/** Which encoder a checkpoint holds: its metadata's format, else its tensor names. */
export function encoderKindOf(meta: Record<string, string>, tensors: TensorMap): EncoderKind {
  if (meta.format === GRU_FORMAT) return 'gru';
  if (meta.format === FORMAT) return 'stgcn';
  return isGruState(tensors) ? 'gru' : 'stgcn';
}

function layoutFrom(meta: Record<string, string>, file: string): Layout {
  if (meta.layout_table) {
    try {
      const l = JSON.parse(meta.layout_table) as Layout;
      if (l && Number.isInteger(l.V) && Array.isArray(l.edges) && Array.isArray(l.bones) && Number.isInteger(l.centre)) return l;
    } catch { /* reported below */ }
    throw new UserError(`${file}: metadata "layout_table" is not a layout`);
  }
  if (meta.layout && layoutNames().includes(meta.layout)) return getLayout(meta.layout);
  throw new UserError(`${file}: metadata names no known layout (got ${JSON.stringify(meta.layout)})`);
}

function intMeta(meta: Record<string, string>, key: string, file: string, fallback?: number): number {
  if (meta[key] === undefined && fallback !== undefined) return fallback;
  const v = Number(meta[key]);
  if (!Number.isInteger(v) || v < 0) throw new UserError(`${file}: metadata "${key}" = ${JSON.stringify(meta[key])} is not a size`);
  return v;
}

/**
 * The encoder configuration a checkpoint describes: from its metadata, or — for a state dict
 * saved from PyTorch with little or no metadata — inferred from the tensor shapes, assuming the
 * ten-block plan of docs/method.md#encoder (strides cannot be read from weights) and the layout named in metadata
 * (default ntu25).
 */
export function configFromCheckpoint(meta: Record<string, string>, tensors: TensorMap, file: string): Omit<ResolvedConfig, 'seed'> {
  if (meta.format !== undefined && meta.format !== FORMAT) throw new UserError(`${file}: format "${meta.format}" is not an ${FORMAT} checkpoint`);
  const layout = layoutFrom({ layout: 'ntu25', ...meta }, file);
  const shapeOf = (n: string) => tensors[n]?.shape;
  let blocks: [number, number, number][];
  if (meta.blocks !== undefined) {
    try { blocks = JSON.parse(meta.blocks); } catch { throw new UserError(`${file}: metadata "blocks" is not JSON`); }
    if (!Array.isArray(blocks) || !blocks.every((b) => Array.isArray(b) && b.length === 3 && b.every((v) => Number.isInteger(v) && v > 0)))
      throw new UserError(`${file}: metadata "blocks" is not a list of [cin, cout, stride]`);
  } else {
    const first = shapeOf('st_gcn_networks.0.tcn.2.weight'), last = shapeOf('st_gcn_networks.9.tcn.2.weight'), cin = shapeOf('st_gcn_networks.0.gcn.conv.weight');
    if (!first || !last || !cin) throw new UserError(`${file}: no "blocks" metadata and not the ten-block ST-GCN of the design (st_gcn_networks.0/9 missing)`);
    blocks = defaultBlocks(cin[1], first[0], last[0]);
  }
  let head: HeadKind = (meta.head as HeadKind | undefined) ?? (tensors['fc.2.weight'] ? 'mlp' : tensors['fc.weight'] ? 'linear' : 'none');
  if (!['mlp', 'linear', 'none'].includes(head)) throw new UserError(`${file}: metadata "head" = ${JSON.stringify(meta.head)}`);
  const headShape = shapeOf(head === 'mlp' ? 'fc.2.weight' : 'fc.weight');
  return {
    layout, blocks, head, dropout: Number(meta.dropout ?? '0.5'),
    inChannels: blocks[0][0], hidden: intMeta(meta, 'hidden', file, blocks[0][1]),
    hiddenDim: blocks[blocks.length - 1][1], headDim: intMeta(meta, 'head_dim', file, headShape?.[0] ?? 128),
  };
}

/**
 * Rebuilds the encoder a state dict describes and loads its weights. `layout` (the data's) names
 * the skeleton where the state does not; `what` names the source in errors.
 */
export function encoderFromState(tensors: TensorMap, metadata: Record<string, string>, what: string, opts: { seed?: number; layout?: Layout; expect?: EncoderKind } = {}): Encoder {
  const kind = encoderKindOf(metadata, tensors);
  if (opts.expect && opts.expect !== kind) throw new UserError(`${what} holds a ${kind === 'gru' ? 'GRU' : 'ST-GCN'} encoder, not ${opts.expect} (--encoder ${kind})`);
  const seed = opts.seed ?? 0;
  const model: Encoder = kind === 'gru'
    ? new GRUEncoder({ ...gruConfigFromCheckpoint(metadata, tensors, what, opts.layout), seed })
    : new STGCN({ ...configFromCheckpoint(metadata, tensors, what), seed });
  try {
    loadStateDict(model, tensors, what);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

/** Rebuilds the encoder a checkpoint file describes and loads its weights. */
export function loadEncoder(path: string, seed = 0): { model: Encoder; metadata: Record<string, string> } {
  const { tensors, metadata } = loadSafetensors(path);
  return { model: encoderFromState(tensors, metadata, path, { seed }), metadata };
}
