/**
 * Every evaluation the study reports for one set of per-stream encoders, each labelled with its
 * protocol (src/eval/protocol.ts): linear with fresh crops (the official) and/or on fixed
 * standardised features — best of the test evaluations and last — and k-NN (centre crops). The
 * fusion of several streams is computed the same way as a stream: its `best` is the best test
 * evaluation of the averaged softmax outputs, its `last` the classifiers' final evaluation.
 */
import type { SkeletonDataset } from '../data/dataset.js';
import type { Encoder } from '../nn/encoder.js';
import type { Layout } from '../skeleton/layouts.js';
import type { Modality } from '../i2md/config.js';
import { extractFeatures } from '../eval/features.js';
import { knnEvaluate } from '../eval/knn.js';
import { linearEvaluate, type LinearResult } from '../eval/linear.js';
import { linearEvaluateCrops } from '../eval/linear-crops.js';
import { fuseHistories } from '../eval/suite.js';
import { linearProtocol, type LinearProtocolName } from '../eval/protocol.js';

export interface BestLast { best: number; last: number }
export interface StreamScores { linear: Partial<Record<LinearProtocolName, BestLast>>; knn1: number; knn20: number }
export interface EncoderScores { streams: Partial<Record<Modality, StreamScores>>; fusion: Partial<Record<LinearProtocolName, BestLast>> }

export interface EvaluateOptions {
  frames: number; minCrop?: number; numClasses: number;
  protocols: LinearProtocolName[]; linearEpochs: number; seed?: number;
  /** streams the crops protocol runs on (default all): it runs the encoder every epoch, the costly part of a study */
  cropStreams?: Modality[];
}

/** Milestones at the official 50/80 and 70/80 of the epochs. */
export const milestonesFor = (epochs: number): number[] => [Math.round(epochs * 5 / 8), Math.round(epochs * 7 / 8)];

/** Best and last top-1 of the fused softmax outputs over the streams' common evaluations. */
export function fuseBestLast(results: LinearResult[], labels: Int32Array, classes: number): BestLast {
  const f = fuseHistories(results, labels, classes);
  return { best: f.best, last: f.last };
}

export async function evaluateStreams(
  encoders: Partial<Record<Modality, Encoder>>, train: SkeletonDataset, test: SkeletonDataset, layout: Layout, o: EvaluateOptions,
): Promise<EncoderScores> {
  const out: EncoderScores = { streams: {}, fusion: {} };
  const perProtocol: Partial<Record<LinearProtocolName, LinearResult[]>> = {};
  let labels: Int32Array | undefined;
  const lin = { epochs: o.linearEpochs, milestones: milestonesFor(o.linearEpochs), numClasses: o.numClasses, seed: o.seed ?? 0 };
  for (const [m, enc] of Object.entries(encoders) as [Modality, Encoder][]) {
    const ftr = await extractFeatures(enc, train, m, layout, { frames: o.frames });
    const fte = await extractFeatures(enc, test, m, layout, { frames: o.frames });
    labels = fte.labels;
    const k = knnEvaluate(ftr.features, ftr.labels, fte.features, fte.labels, ftr.d, { k: 20 });
    const s: StreamScores = { linear: {}, knn1: k.top1, knn20: k.knn };
    for (const p of o.protocols) {
      if (p === 'crops' && o.cropStreams && !o.cropStreams.includes(m)) continue;
      const proto = linearProtocol(p);
      const r = p === 'fixed'
        ? await linearEvaluate(ftr, fte, { ...lin, standardize: proto.standardize })
        : await linearEvaluateCrops(enc, train, test, m, layout, { ...lin, standardize: proto.standardize, frames: o.frames, minCrop: o.minCrop });
      s.linear[p] = { best: r.best, last: r.last };
      (perProtocol[p] ??= []).push(r);
    }
    out.streams[m] = s;
  }
  if (labels && Object.keys(encoders).length > 1) {
    for (const p of o.protocols) if ((perProtocol[p]?.length ?? 0) > 1) out.fusion[p] = fuseBestLast(perProtocol[p]!, labels, o.numClasses);
  }
  return out;
}

