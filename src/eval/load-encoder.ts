/**
 * Where an evaluation gets its encoder: either a pre-training run folder (checkpoint.safetensors
 * holding `<modality>.encoder_q.<PyTorch names>`, checkpoint.json holding the config) or a plain
 * encoder safetensors (src/nn/checkpoint.ts, layout and sizes in its metadata). Both give an
 * STGCN without its projection head's role in evaluation (the head is loaded but unused).
 *
 * A run folder does not record its skeleton layout, only the joint count (edge_importance is
 * (K, V, V)) and the dataset it was trained on; the layout is taken from, in order: metadata
 * (`layout_table`), the embedded synthetic set (ntu25), the training dataset still at its path,
 * the unique built-in layout with that V, and finally the evaluation dataset's layout when V
 * agrees (said so in `layoutSource`).
 */
import { existsSync, statSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { loadSafetensors, type TensorMap } from '../data/safetensors.js';
import { STGCN } from '../nn/stgcn.js';
import { loadEncoder, loadStateDict } from '../nn/checkpoint.js';
import { readTrainState, weightsFile, stateFile } from '../i2md/checkpoint.js';
import { getLayout, layoutNames, type Layout } from '../skeleton/layouts.js';
import { allModalities, type Modality, type PretrainConfig } from '../i2md/config.js';
import { openDataset } from '../data/open.js';
import { UserError } from '../util/errors.js';

export interface LoadedEncoder {
  model: STGCN;
  kind: 'run' | 'encoder';
  path: string;                 // the weights file read
  modality: Modality;
  layout: Layout;
  layoutSource: 'metadata' | 'synthetic' | 'training data' | 'joint count' | 'evaluation data';
  /** The pre-training config (run folders only): frames, minCrop … */
  config?: PretrainConfig;
  dataset?: string;             // what the run was pre-trained on
}

export interface LoadOptions {
  /** The evaluation dataset's layout: used when the checkpoint does not say, checked when it does. */
  layout?: Layout;
  seed?: number;
}

/** The run folder a path names (the folder, or a checkpoint.{json,safetensors} inside it), else undefined. */
export function runFolderOf(path: string): string | undefined {
  if (!existsSync(path)) throw new UserError(`${path}: no such file or folder`);
  if (statSync(path).isDirectory()) {
    if (!existsSync(join(path, stateFile))) throw new UserError(`${path}: no ${stateFile} — not a pre-training run folder with a checkpoint`);
    return path;
  }
  if ([stateFile, weightsFile].includes(basename(path)) && existsSync(join(dirname(path), stateFile))) return dirname(path);
  return undefined;
}

/** The modalities a checkpoint holds (a plain encoder file: the one in its metadata, else joint). */
export function checkpointModalities(path: string): Modality[] {
  const run = runFolderOf(path);
  if (run) return readTrainState(run).config.modalities;
  const { metadata } = loadSafetensors(path);
  return [(allModalities as string[]).includes(metadata.modality) ? metadata.modality as Modality : 'joint'];
}

export function loadEncoderFrom(path: string, modality: Modality, opts: LoadOptions = {}): LoadedEncoder {
  const run = runFolderOf(path);
  if (!run) {
    const { model, metadata } = loadEncoder(path, opts.seed ?? 0);
    if (metadata.modality && metadata.modality !== modality) {
      model.dispose();
      throw new UserError(`${path}: this encoder was trained on the ${metadata.modality} stream, not ${modality} (--modality ${metadata.modality})`);
    }
    return { model, kind: 'encoder', path, modality, layout: model.config.layout, layoutSource: 'metadata' };
  }
  const state = readTrainState(run);
  const config = state.config;
  if (!config.modalities.includes(modality)) {
    throw new UserError(`${run}: the run pre-trained ${config.modalities.join(', ')}, not ${modality} (--modality ${config.modalities.join('|')})`);
  }
  const file = join(run, weightsFile);
  const { tensors, metadata } = loadSafetensors(file);
  const prefix = `${modality}.encoder_q.`;
  const own: TensorMap = {};
  for (const [name, t] of Object.entries(tensors)) if (name.startsWith(prefix)) own[name.slice(prefix.length)] = t;
  // BatchNorm's num_batches_tracked live in checkpoint.json (`counters`), not in the weights
  const counters = (state as unknown as { counters?: Record<string, number> }).counters ?? {};
  for (const [name, v] of Object.entries(counters)) {
    if (name.startsWith(prefix)) own[name.slice(prefix.length)] = { dtype: 'I64', shape: [], data: BigInt64Array.of(BigInt(Math.round(v))) };
  }
  const mask = own['edge_importance.0'];
  if (!mask || mask.shape.length !== 3) throw new UserError(`${file}: no ${prefix}edge_importance.0 — not an I²MD pre-training checkpoint`);
  const V = mask.shape[1];
  const { layout, source } = runLayout(metadata, state.dataset, V, opts.layout, file);
  const model = new STGCN({
    layout, hidden: config.hidden, hiddenDim: config.hiddenDim, dropout: config.dropout, head: 'mlp', headDim: config.headDim, seed: opts.seed ?? 0,
    blocks: config.blocks,   // a run with its own block plan (tests, the study's encoder sizes)
  });
  try {
    loadStateDict(model, own, `${file} (${modality} query encoder)`);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, kind: 'run', path: file, modality, layout, layoutSource: source, config, dataset: state.dataset };
}

function runLayout(meta: Record<string, string>, dataset: string, V: number, hint: Layout | undefined, file: string): { layout: Layout; source: LoadedEncoder['layoutSource'] } {
  const check = (l: Layout, source: LoadedEncoder['layoutSource']) => {
    if (l.V !== V) throw new UserError(`${file}: the encoder has ${V} joints but its layout ${l.name} has ${l.V}`);
    return { layout: l, source };
  };
  if (meta.layout_table) return check(JSON.parse(meta.layout_table) as Layout, 'metadata');
  if (meta.layout && layoutNames().includes(meta.layout)) return check(getLayout(meta.layout), 'metadata');
  if (dataset === 'synthetic') return check(getLayout('ntu25'), 'synthetic');
  if (dataset && existsSync(dataset)) {
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
