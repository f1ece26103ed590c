/**
 * What the rest of the engine needs from an encoder, whichever it is: the ST-GCN of the ST-GCN
 * family (src/nn/stgcn.ts) or the recurrent encoder of the official CMD code (src/nn/gru.ts). The
 * pre-training model, the step, feature extraction, evaluation and the checkpoints only use this
 * interface; `createEncoder` builds either from one description.
 */
import type { Tensor } from '../tensor/tensor.js';
import type { GpuRng } from '../ops/random.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Module } from './module.js';
import { STGCN, type HeadKind } from './stgcn.js';
import { GRUEncoder } from './gru.js';

export type EncoderKind = 'stgcn' | 'gru';
export const encoderKinds: readonly EncoderKind[] = ['stgcn', 'gru'];

export interface Encoder extends Module {
  readonly kind: EncoderKind;
  /** Size of the feature `features` returns: what linear evaluation and the heads read. */
  readonly featureDim: number;
  /** Output size of the projection head (0 without a head). */
  readonly headDim: number;
  readonly head: HeadKind;
  readonly layout: Layout;
  /** Persons the input must have, where the architecture fixes it (the GRU's input size does). */
  readonly persons?: number;
  /** x (N, C, T, V, M) → the feature (N, featureDim). */
  features(x: Tensor): Tensor;
  /** The projection head on a feature (not normalised: the caller L2-normalises). */
  project(feature: Tensor): Tensor;
  /** Dropout's random streams, where the encoder has dropout (checkpoints store them). */
  dropRng?: GpuRng;
}

/** Everything that builds an encoder; each kind reads its own fields. */
export interface EncoderSpec {
  kind: EncoderKind;
  layout: Layout;
  head?: HeadKind;
  headDim?: number;
  seed?: number;
  /** ST-GCN: hidden channels h, feature size D, dropout, block plan. */
  hidden?: number;
  hiddenDim?: number;
  dropout?: number;
  blocks?: [number, number, number][];
  /** GRU: persons M of the input (its size is V·3·M), hidden size, layers, a true bidirectional layer. */
  persons?: number;
  gruHidden?: number;
  gruLayers?: number;
  gruBidirectional?: boolean;
}

export function createEncoder(s: EncoderSpec): Encoder {
  if (s.kind === 'gru') {
    return new GRUEncoder({
      layout: s.layout, persons: s.persons, hidden: s.gruHidden, layers: s.gruLayers, bidirectional: s.gruBidirectional,
      head: s.head, headDim: s.headDim, seed: s.seed,
    });
  }
  return new STGCN({ layout: s.layout, hidden: s.hidden, hiddenDim: s.hiddenDim, dropout: s.dropout, head: s.head, headDim: s.headDim, blocks: s.blocks, seed: s.seed });
}

/** A one-line description for logs: "GRU 3 × 1024 (both cells forward), feature 2048". */
export function describeEncoder(e: Encoder): string {
  if (e instanceof GRUEncoder) {
    const c = e.config;
    return `GRU ${c.layers} × ${c.hidden} (${c.bidirectional ? 'bidirectional' : 'both cells forward, as the official code'}), input ${c.inputSize}, feature ${e.featureDim}`;
  }
  const c = (e as STGCN).config;
  return `ST-GCN h ${c.hidden}, D ${c.hiddenDim}, ${c.blocks.length} blocks, feature ${e.featureDim}`;
}
