/**
 * The three baselines every study cell is judged against, on the same split and normalisation:
 *   raw-joint 1-NN  — the evaluation views' joint coordinates, nearest training sequence (no learning);
 *   random encoder  — the cell's encoder, randomly initialised, evaluated like the pre-trained one;
 *   supervised      — the same encoder trained with the labels (train-eval crops, the fine-tuning
 *                     recipe from scratch): the ceiling of that encoder at that size.
 * The encoder baselines depend only on the encoder's shape and frames, so cells that share them
 * share one measurement (see `encoderSignature`).
 */
import type { SkeletonDataset } from '../data/dataset.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality, PretrainConfig } from '../i2md/config.js';
import { createEncoder, type Encoder } from '../nn/encoder.js';
import { finetune } from '../eval/finetune.js';
import { rawJointNN } from '../eval/raw-nn.js';
import { evaluateStreams, milestonesFor, type EncoderScores, type EvaluateOptions, type BestLast } from './evaluate.js';
import { formatBlocks } from './grid.js';

/** What makes two cells' encoder baselines the same measurement. */
export function encoderSignature(c: PretrainConfig): string {
  if (c.encoder === 'gru') return `gru ${c.gruLayers}x${c.gruHidden}${c.gruBidirectional ? ' bidirectional' : ''} T${c.frames} crop${c.minCrop}`;
  // a block plan fixes every width (the feature size is its last block's); otherwise h and D do
  return `stgcn ${c.blocks ? `blocks ${formatBlocks(c.blocks)}` : `h${c.hidden} D${c.hiddenDim}`} T${c.frames} crop${c.minCrop} drop${c.dropout}`;
}

/** A fresh encoder of the config's kind and shape (no projection head), seeded apart from pre-training's. */
export function freshEncoder(c: PretrainConfig, layout: Layout, seed: number, persons: number): Encoder {
  return createEncoder({
    kind: c.encoder, layout, head: 'none', seed: 9000 + seed,
    hidden: c.hidden, hiddenDim: c.hiddenDim, dropout: c.dropout, blocks: c.blocks,
    persons, gruHidden: c.gruHidden, gruLayers: c.gruLayers, gruBidirectional: c.gruBidirectional,
  });
}

export function rawBaseline(train: SkeletonDataset, test: SkeletonDataset, frames: number): number {
  return rawJointNN(train, test, frames);
}

export async function randomEncoderBaseline(
  c: PretrainConfig, streams: Modality[], train: SkeletonDataset, test: SkeletonDataset, layout: Layout, seed: number, o: EvaluateOptions,
): Promise<EncoderScores> {
  const encs = Object.fromEntries(streams.map((m, i) => [m, freshEncoder(c, layout, seed * 10 + i, train.M)])) as Partial<Record<Modality, Encoder>>;
  try {
    return await evaluateStreams(encs, train, test, layout, o);
  } finally {
    for (const e of Object.values(encs)) e!.dispose();
  }
}

export interface SupervisedOptions { epochs: number; lr: number; seed: number; numClasses: number }

/** The encoder trained from scratch with labels on the training split; best and last test top-1. */
export async function supervisedBaseline(
  c: PretrainConfig, stream: Modality, train: SkeletonDataset, test: SkeletonDataset, layout: Layout, o: SupervisedOptions,
): Promise<BestLast> {
  const enc = freshEncoder(c, layout, o.seed, train.M);
  try {
    const r = await finetune(enc, train, test, stream, layout, {
      frames: c.frames, minCrop: c.minCrop, epochs: o.epochs, lr: o.lr, milestones: milestonesFor(o.epochs), seed: o.seed, numClasses: o.numClasses,
    });
    return { best: r.best, last: r.last };
  } finally {
    enc.dispose();
  }
}
