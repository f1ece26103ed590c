/**
 * Where an evaluation gets its encoder (ST-GCN or GRU, src/nn/encoder.ts): a pre-training run
 * folder (checkpoint.safetensors holding each stream's query encoder — `<modality>.encoder_q.<names>`
 * in ST-GCN runs, the official MoCo names `encoder_q.`, `encoder_q_motion.`, `encoder_q_bone.` in GRU
 * runs — and checkpoint.json holding the config), a plain encoder safetensors (src/nn/checkpoint.ts,
 * encoder, layout and sizes in its metadata), a safetensors holding several streams under the
 * official names (`convert` of an official checkpoint), or an official PyTorch checkpoint itself
 * (`checkpoint.pth.tar`, read without Python by src/data/torch-checkpoint.ts). The projection head
 * is loaded but takes no part in evaluation.
 *
 * A run folder does not record its skeleton layout, only the joint count (edge_importance is
 * (K, V, V)) and the dataset it was trained on; the layout is taken from, in order: metadata
 * (`layout_table`), the embedded synthetic set (ntu25), the training dataset still at its path,
 * the unique built-in layout with that V, and finally the evaluation dataset's layout when V
 * agrees (said so in `layoutSource`).
 */
import { host } from '../gpu/host.js';
import { loadSafetensors, type TensorMap, assertFiniteTensors } from '../data/safetensors.js';
import { readTorchStateDict, isZip } from '../data/torch-checkpoint.js';
import { FileRegion } from '../data/npy.js';
import { STGCN } from '../nn/stgcn.js';
import { GRUEncoder } from '../nn/gru.js';
import type { Encoder, EncoderKind } from '../nn/encoder.js';
import { loadStateDict, encoderFromState } from '../nn/checkpoint.js';
import { gruConfigFromCheckpoint } from '../nn/gru-checkpoint.js';
import { readTrainState, weightsFile, stateFile, weightsPath } from '../i2md/checkpoint.js';
import { runNames, officialSuffix } from '../i2md/names.js';
import { getLayout, layoutNames, type Layout } from '../skeleton/layouts.js';
import { allModalities, type Modality, type PretrainConfig } from '../i2md/config.js';
import { openDataset } from '../data/open.js';
import { UserError } from '../util/errors.js';

export interface LoadedEncoder {
  model: Encoder;
  kind: 'run' | 'encoder' | 'torch';
  path: string;                 // the weights file read
  modality: Modality;
  layout: Layout;
  layoutSource: 'metadata' | 'synthetic' | 'training data' | 'joint count' | 'evaluation data';
  /** The pre-training config (run folders only): frames, minCrop … */
  config?: PretrainConfig;
  /**
   * The frames and minimum crop the encoder was pre-trained with: a run's config, an exported
   * file's metadata (`frames`, `min_crop`); undefined for files that do not record them.
   */
  frames?: number;
  minCrop?: number;
  dataset?: string;             // what the run was pre-trained on
}

export interface LoadOptions {
  /** The evaluation dataset's layout: used when the checkpoint does not say, checked when it does. */
  layout?: Layout;
  seed?: number;
  /** The encoder the caller expects (--encoder): a checkpoint holding the other is an error. */
  encoder?: EncoderKind;
}

/** Whether a path is a PyTorch checkpoint (a zip that is not a safetensors): .pth, .pth.tar, .pt … */
export function isTorchFile(path: string): boolean {
  if (/\.(pth|pt|tar|ckpt)$/i.test(path)) return true;
  if (/\.safetensors$/i.test(path)) return false;
  const f = new FileRegion(path);
  try { return isZip(f.read(0, 4)); } finally { f.close(); }
}

const STREAM_PREFIX = /^encoder_q(_motion|_bone)?\./;

/** The streams a state dict holds under the official MoCo names (empty: a single encoder's state). */
export function officialStreams(tensors: TensorMap): Modality[] {
  const found = new Set<Modality>();
  for (const name of Object.keys(tensors)) {
    const m = STREAM_PREFIX.exec(name);
    if (m) found.add(m[1] ? (m[1].slice(1) as Modality) : 'joint');
  }
  return allModalities.filter((m) => found.has(m));
}

/** One stream's query encoder out of a multi-stream state dict (names without the prefix). */
export function streamState(tensors: TensorMap, modality: Modality, file: string): TensorMap {
  const streams = officialStreams(tensors);
  if (streams.length === 0) return tensors;
  if (!streams.includes(modality)) throw new UserError(`${file}: holds the ${streams.join(', ')} stream(s), not ${modality} (--modality ${streams.join('|')})`);
  const prefix = `encoder_q${officialSuffix(modality)}.`;
  const own: TensorMap = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith(prefix)) own[name.slice(prefix.length)] = t;
  return own;
}

/** The run folder a path names (the folder, or a checkpoint.{json,safetensors} inside it), else undefined. */
export function runFolderOf(path: string): string | undefined {
  if (!host.files.exists(path)) throw new UserError(`${path}: no such file or folder`);
  if (host.files.isDir(path)) {
    if (!host.files.exists(host.path.join(path, stateFile))) throw new UserError(`${path}: no ${stateFile} — not a pre-training run folder with a checkpoint`);
    return path;
  }
  if ([stateFile, weightsFile].includes(host.path.basename(path)) && host.files.exists(host.path.join(host.path.dirname(path), stateFile))) return host.path.dirname(path);
  return undefined;
}

/** The tensors and metadata of an encoder file: safetensors, or a PyTorch checkpoint's state dict. */
function readWeights(path: string): { tensors: TensorMap; metadata: Record<string, string>; torch: boolean } {
  const r = isTorchFile(path) ? { tensors: readTorchStateDict(path).tensors, metadata: {}, torch: true } : { ...loadSafetensors(path), torch: false };
  assertFiniteTensors(path, r.tensors);
  return r;
}

/** The modalities a checkpoint holds (a single encoder: the one in its metadata, else joint). */
export function checkpointModalities(path: string): Modality[] {
  const run = runFolderOf(path);
  if (run) return readTrainState(run).config.modalities;
  const { tensors, metadata } = readWeights(path);
  const streams = officialStreams(tensors);
  if (streams.length) return streams;
  return [(allModalities as string[]).includes(metadata.modality) ? metadata.modality as Modality : 'joint'];
}

export function loadEncoderFrom(path: string, modality: Modality, opts: LoadOptions = {}): LoadedEncoder {
  const run = runFolderOf(path);
  if (!run) {
    const { tensors, metadata, torch } = readWeights(path);
    const multi = officialStreams(tensors).length > 0;
    if (!multi && metadata.modality && metadata.modality !== modality) {
      throw new UserError(`${path}: this encoder was trained on the ${metadata.modality} stream, not ${modality} (--modality ${metadata.modality})`);
    }
    const what = multi ? `${path} (${modality} query encoder)` : path;
    const model = encoderFromState(streamState(tensors, modality, path), metadata, what, { seed: opts.seed, layout: opts.layout, expect: opts.encoder });
    // ST-GCN files default to ntu25 in their metadata's absence; a GRU state may take the data's layout
    const source = metadata.layout || metadata.layout_table || model.kind === 'stgcn' ? 'metadata'
      : opts.layout && model.layout === opts.layout ? 'evaluation data' : 'joint count';
    const frames = optionalInt(metadata.frames), minCrop = optionalInt(metadata.min_crop);
    return { model, kind: torch ? 'torch' : 'encoder', path, modality, layout: model.layout, layoutSource: source, frames, minCrop };
  }
  const state = readTrainState(run);
  const config = state.config;
  if (!config.modalities.includes(modality)) {
    throw new UserError(`${run}: the run pre-trained ${config.modalities.join(', ')}, not ${modality} (--modality ${config.modalities.join('|')})`);
  }
  const file = weightsPath(run, state);
  const { tensors, metadata } = loadSafetensors(file);
  assertFiniteTensors(file, tensors);
  if (opts.encoder && opts.encoder !== config.encoder) throw new UserError(`${run}: the run pre-trained ${config.encoder === 'gru' ? 'GRU' : 'ST-GCN'} encoders, not ${opts.encoder} (--encoder ${config.encoder})`);
  const prefix = `${runNames(config.encoder).encoder(modality, 'q')}.`;
  const own: TensorMap = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith(prefix)) own[name.slice(prefix.length)] = t;
  // BatchNorm's num_batches_tracked live in checkpoint.json (`counters`), not in the weights
  const counters = (state as unknown as { counters?: Record<string, number> }).counters ?? {};
  for (const [name, v] of Object.entries(counters)) {
    if (name.startsWith(prefix)) own[name.slice(prefix.length)] = { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(Math.round(v))) };
  }
  let model: Encoder, layout: Layout, source: LoadedEncoder['layoutSource'];
  if (config.encoder === 'gru') {
    const ih = own['encoder.gru.weight_ih_l0'];
    if (!ih || ih.shape.length !== 2) throw new UserError(`${file}: no ${prefix}encoder.gru.weight_ih_l0 — not a GRU pre-training checkpoint`);
    // the input size is V·3·M: the layout is found the way ST-GCN runs find it, from V
    const V = guessJoints(ih.shape[1], state.dataset, opts.layout);
    ({ layout, source } = runLayout(metadata, state.dataset, V, opts.layout, file));
    const c = gruConfigFromCheckpoint({ layout_table: JSON.stringify(layout), bidirectional: String(config.gruBidirectional) }, own, file);
    model = new GRUEncoder({ ...c, seed: opts.seed ?? 0 });
  } else {
    const mask = own['edge_importance.0'];
    if (!mask || mask.shape.length !== 3) throw new UserError(`${file}: no ${prefix}edge_importance.0 — not an I²MD pre-training checkpoint`);
    const V = mask.shape[1];
    ({ layout, source } = runLayout(metadata, state.dataset, V, opts.layout, file));
    model = new STGCN({
      layout, hidden: config.hidden, hiddenDim: config.hiddenDim, dropout: config.dropout, head: 'mlp', headDim: config.headDim, seed: opts.seed ?? 0,
      blocks: config.blocks,   // a run with its own block plan (tests, the study's encoder sizes)
    });
  }
  try {
    loadStateDict(model, own, `${file} (${modality} query encoder)`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, kind: 'run', path: file, modality, layout, layoutSource: source, config, dataset: state.dataset, frames: config.frames, minCrop: config.minCrop };
}

const optionalInt = (v: string | undefined): number | undefined => (v !== undefined && Number.isInteger(Number(v)) && Number(v) > 0 ? Number(v) : undefined);

/** Frames of an encoder that records none (an official checkpoint, init's file): the design's T. */
export const DEFAULT_FRAMES = 64;

/**
 * The frames an evaluation feeds the encoder, and why: --frames, else the ones it was pre-trained
 * with (its run's config or an export's metadata — so a run folder and its export give the same
 * score), else 64. Every evaluation prints the line `frames: …` this returns.
 */
export function evalFrames(enc: LoadedEncoder, flag?: unknown): { frames: number; minCrop: number; line: string } {
  if (flag !== undefined && (typeof flag !== 'number' || !Number.isInteger(flag) || flag < 1)) throw new UserError(`--frames ${String(flag)}: expected a positive integer`);
  const frames = (flag as number | undefined) ?? enc.frames ?? DEFAULT_FRAMES;
  const source = flag !== undefined ? '--frames' : enc.frames !== undefined ? `pre-trained with, from ${enc.kind === 'run' ? 'the run\'s config' : 'the checkpoint\'s metadata'}` : 'the checkpoint records none; the default';
  const minCrop = Math.min(enc.minCrop ?? frames, frames);
  return { frames, minCrop, line: `frames: ${frames} (${source})` };
}

/** Joints of a GRU run's skeleton from its input size V·3·M: the synthetic set and NTU have 25 joints and 2 persons. */
function guessJoints(inputSize: number, dataset: string, hint?: Layout): number {
  if (hint && inputSize % (3 * hint.V) === 0) return hint.V;
  if (dataset === 'synthetic' || inputSize === 150) return 25;
  return inputSize % 6 === 0 ? inputSize / 6 : inputSize / 3;
}

function runLayout(meta: Record<string, string>, dataset: string, V: number, hint: Layout | undefined, file: string): { layout: Layout; source: LoadedEncoder['layoutSource'] } {
  const check = (l: Layout, source: LoadedEncoder['layoutSource']) => {
    if (l.V !== V) throw new UserError(`${file}: the encoder has ${V} joints but its layout ${l.name} has ${l.V}`);
    return { layout: l, source };
  };
  if (meta.layout_table) return check(JSON.parse(meta.layout_table) as Layout, 'metadata');
  if (meta.layout && layoutNames().includes(meta.layout)) return check(getLayout(meta.layout), 'metadata');
  if (dataset === 'synthetic') return check(getLayout('ntu25'), 'synthetic');
  if (dataset && host.files.exists(dataset)) {
    try {
      const name = openDataset(dataset).all.layout;
      if (layoutNames().includes(name)) return check(getLayout(name), 'training data');
    } catch { /* the training data moved or changed: fall through */ }
  }
  const sameV = layoutNames().map(getLayout).filter((l) => l.V === V);
  if (sameV.length === 1) return { layout: sameV[0], source: 'joint count' };
  if (hint && hint.V === V) return { layout: hint, source: 'evaluation data' };
  throw new UserError(`${file}: cannot tell the skeleton layout of this ${V}-joint encoder (pre-trained on ${dataset || 'unknown data'})`);
}

/**
 * Transfer and evaluation need the encoder's skeleton to be the dataset's: the same joint count,
 * and — when both are known by name — the same layout (joint order and bones).
 */
export function checkLayoutMatch(enc: LoadedEncoder, dataLayout: Layout, dataName: string): void {
  const el = enc.layout;
  if (el.V !== dataLayout.V) {
    throw new UserError(`layout mismatch: the encoder (${enc.path}) was pre-trained on the ${el.name} skeleton (${el.V} joints), ` +
      `but ${dataName} has the ${dataLayout.name} skeleton (${dataLayout.V} joints); transfer needs the same joint layout`);
  }
  const sameGraph = JSON.stringify(el.bones) === JSON.stringify(dataLayout.bones) && el.centre === dataLayout.centre;
  if (!sameGraph && enc.layoutSource !== 'evaluation data') {
    throw new UserError(`layout mismatch: the encoder (${enc.path}) uses the ${el.name} skeleton, ${dataName} uses ${dataLayout.name} ` +
      `(same ${el.V} joints, different bones); the graph convolutions would mix the wrong joints`);
  }
}
