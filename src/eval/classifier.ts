/**
 * What `linear --out` and `finetune --out` save, and `predict` reads: a self-contained classifier
 * file (safetensors) holding, for each stream, the encoder's state under `<modality>.encoder.` (the
 * PyTorch names of src/nn/checkpoint.ts), the linear classifier `<modality>.classifier.weight`
 * (classes, D) and `.bias` (classes), and — for linear probes trained on standardised features —
 * the training features' `<modality>.feature_mean` and `<modality>.feature_inv_std` (D), applied
 * before the classifier. The metadata holds each encoder's own metadata (`encoder.<modality>`, JSON),
 * the class names (`classes`, JSON), the frames, the stream fusion weights and what trained it.
 * Keeping the encoder inside makes the file usable without the run it came from (a fine-tuned
 * encoder differs from the run's anyway).
 */
import { saveSafetensors, loadSafetensors, type TensorMap } from '../data/safetensors.js';
import { stateDict, metadataOf, encoderFromState } from '../nn/checkpoint.js';
import type { Encoder } from '../nn/encoder.js';
import { allModalities, type Modality } from '../i2md/config.js';
import { UserError } from '../util/errors.js';

export const CLASSIFIER_FORMAT = 'i2md-classifier';

export interface ClassifierStream {
  modality: Modality;
  encoder: Encoder;
  weight: Float32Array;         // (classes, D) row-major
  bias: Float32Array;           // (classes)
  /** standardisation of the features before the classifier (linear probes) */
  mean?: Float64Array | Float32Array;
  invStd?: Float64Array | Float32Array;
}

export interface ClassifierInfo {
  trainedBy: 'linear' | 'finetune';
  classNames: string[];
  frames: number;
  fusionWeights?: number[];
  /** the encoder checkpoint it started from, the data it was trained on */
  source: string;
  data: string;
}

/** A stream as saved: the encoder's state read back (the encoder itself may be freed after). */
export interface SavedStream extends Omit<ClassifierStream, 'encoder'> { state: TensorMap; encoderMeta: Record<string, string>; featureDim: number }

/** Reads an encoder's state for saving with its classifier. */
export async function savedStream(s: ClassifierStream): Promise<SavedStream> {
  const { encoder, ...rest } = s;
  return { ...rest, state: await stateDict(encoder), encoderMeta: metadataOf(encoder), featureDim: encoder.featureDim };
}

export async function saveClassifier(path: string, given: (ClassifierStream | SavedStream)[], info: ClassifierInfo): Promise<void> {
  const streams = await Promise.all(given.map((s) => ('state' in s ? s : savedStream(s))));
  const tensors: TensorMap = {};
  const meta: Record<string, string> = {
    format: CLASSIFIER_FORMAT, trained_by: info.trainedBy, classes: JSON.stringify(info.classNames), frames: String(info.frames),
    streams: streams.map((s) => s.modality).join(','), source: info.source, data: info.data,
  };
  if (info.fusionWeights) meta.fusion_weights = info.fusionWeights.join(',');
  for (const s of streams) {
    const classes = s.bias.length, D = s.featureDim;
    if (s.weight.length !== classes * D) throw new Error(`classifier of ${s.modality}: ${s.weight.length} weights for ${classes} × ${D}`);
    for (const [n, t] of Object.entries(s.state)) tensors[`${s.modality}.encoder.${n}`] = t;
    tensors[`${s.modality}.classifier.weight`] = { dtype: 'F32', shape: [classes, D], data: s.weight };
    tensors[`${s.modality}.classifier.bias`] = { dtype: 'F32', shape: [classes], data: s.bias };
    if (s.mean && s.invStd) {
      tensors[`${s.modality}.feature_mean`] = { dtype: 'F32', shape: [D], data: Float32Array.from(s.mean) };
      tensors[`${s.modality}.feature_inv_std`] = { dtype: 'F32', shape: [D], data: Float32Array.from(s.invStd) };
    }
    meta[`encoder.${s.modality}`] = JSON.stringify(s.encoderMeta);
  }
  saveSafetensors(path, tensors, meta);
}

/** Whether a safetensors file is a classifier file (by its metadata). */
export function isClassifierFile(metadata: Record<string, string>): boolean {
  return metadata.format === CLASSIFIER_FORMAT;
}

export function loadClassifier(path: string): { streams: ClassifierStream[]; info: ClassifierInfo } {
  const { tensors, metadata } = loadSafetensors(path);
  if (!isClassifierFile(metadata)) throw new UserError(`${path}: not a classifier file (expected the output of linear --out or finetune --out; metadata format is ${JSON.stringify(metadata.format ?? null)})`);
  const parse = <T>(key: string): T => {
    try { return JSON.parse(metadata[key]) as T; } catch { throw new UserError(`${path}: metadata "${key}" is not JSON`); }
  };
  const names = parse<string[]>('classes');
  const mods = (metadata.streams ?? '').split(',').filter(Boolean) as Modality[];
  if (!mods.length || mods.some((m) => !allModalities.includes(m))) throw new UserError(`${path}: metadata "streams" = ${JSON.stringify(metadata.streams)} names no known stream`);
  const streams: ClassifierStream[] = [];
  try {
    for (const m of mods) {
      const own: TensorMap = {};
      const prefix = `${m}.encoder.`;
      for (const [n, t] of Object.entries(tensors)) if (n.startsWith(prefix)) own[n.slice(prefix.length)] = t;
      const encoder = encoderFromState(own, parse<Record<string, string>>(`encoder.${m}`), `${path} (${m} encoder)`);
      const w = tensors[`${m}.classifier.weight`], b = tensors[`${m}.classifier.bias`];
      if (!w || !b || w.shape.length !== 2 || w.shape[1] !== encoder.featureDim || b.shape[0] !== w.shape[0] || w.shape[0] !== names.length) {
        encoder.dispose();
        throw new UserError(`${path}: ${m}.classifier.weight/bias missing or not (${names.length} classes, ${encoder.featureDim})`);
      }
      const mean = tensors[`${m}.feature_mean`]?.data as Float32Array | undefined, inv = tensors[`${m}.feature_inv_std`]?.data as Float32Array | undefined;
      streams.push({ modality: m, encoder, weight: w.data as Float32Array, bias: b.data as Float32Array, mean, invStd: inv });
    }
  } catch (e) {
    for (const s of streams) s.encoder.dispose();
    throw e;
  }
  const fusionWeights = metadata.fusion_weights ? metadata.fusion_weights.split(',').map(Number) : undefined;
  return {
    streams,
    info: { trainedBy: metadata.trained_by === 'finetune' ? 'finetune' : 'linear', classNames: names, frames: Number(metadata.frames) || 64, fusionWeights, source: metadata.source ?? '', data: metadata.data ?? '' },
  };
}

/** Softmax probabilities (N, classes) of a stream's classifier on its features (N, D), on the CPU. */
export function classify(s: ClassifierStream, features: Float32Array, n: number): Float32Array {
  const classes = s.bias.length, D = features.length / Math.max(1, n);
  const out = new Float32Array(n * classes);
  const x = new Float64Array(D);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) x[j] = s.mean && s.invStd ? (features[i * D + j] - s.mean[j]) * s.invStd[j] : features[i * D + j];
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      let v = s.bias[c];
      for (let j = 0; j < D; j++) v += x[j] * s.weight[c * D + j];
      out[i * classes + c] = v;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += (out[i * classes + c] = Math.exp(out[i * classes + c] - max));
    for (let c = 0; c < classes; c++) out[i * classes + c] /= sum;
  }
  return out;
}

/** The k most probable classes of each row, most probable first (ties: the lower class). */
export function topK(probs: Float32Array, classes: number, k: number): { index: number; probability: number }[][] {
  const n = probs.length / classes;
  const out: { index: number; probability: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: classes }, (_, c) => ({ index: c, probability: probs[i * classes + c] }));
    row.sort((a, b) => b.probability - a.probability || a.index - b.index);
    out.push(row.slice(0, Math.min(k, classes)));
  }
  return out;
}
