/**
 * The I²MD model: per modality a query encoder with its instance head (and, with IMD, a cluster
 * head), their momentum copies, and slot-aligned queues (docs/method.md). Everything the training
 * step changes lives here, so a checkpoint is this object's tensors plus a few numbers.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { createEncoder, type Encoder } from '../nn/encoder.js';
import { MlpHead } from '../nn/layers.js';
import type { Module } from '../nn/module.js';
import type { Layout } from '../skeleton/layouts.js';
import { Rng } from '../util/random.js';
import { MemoryQueue } from './queue.js';
import type { Modality, PretrainConfig } from './config.js';
import { runNames, type RunNames } from './names.js';

export interface Branch {
  modality: Modality;
  encoderQ: Encoder;         // with its instance head as `fc`
  encoderK: Encoder;
  clusterQ?: MlpHead;        // IMD: the cluster-level head g
  clusterK?: MlpHead;
  queue: MemoryQueue;        // instance keys (d, K)
  clusterQueue?: MemoryQueue;
}

/** Copies every parameter and buffer of `src` into `dst` (MoCo starts the key as the query). */
export function copyState(src: Module, dst: Module): void {
  const a = [...src.parameters(), ...src.buffers()], b = [...dst.parameters(), ...dst.buffers()];
  if (a.length !== b.length) throw new Error('copyState: modules differ');
  a.forEach((t, i) => G().copy(t.buffer, 0, b[i].buffer, 0, t.size * 4));
}

export class I2MDModel {
  readonly branches: Branch[];
  /** How the checkpoint names each stream's tensors (src/i2md/names.ts). */
  readonly names: RunNames;

  /** `persons`: M of the data (the GRU's input size is V·3·M; ST-GCN takes any M). */
  constructor(readonly config: PretrainConfig, readonly layout: Layout, persons = 2) {
    const c = config;
    const rng = new Rng(c.seed);
    this.names = runNames(c.encoder);
    this.branches = c.modalities.map((modality, i) => {
      const seed = (c.seed * 1000 + i * 17 + 1) >>> 0;
      const enc = {
        kind: c.encoder, layout, head: 'mlp' as const, headDim: c.headDim,
        hidden: c.hidden, hiddenDim: c.hiddenDim, dropout: c.dropout, blocks: c.blocks,
        persons, gruHidden: c.gruHidden, gruLayers: c.gruLayers, gruBidirectional: c.gruBidirectional,
      };
      const encoderQ = createEncoder({ ...enc, seed });
      const encoderK = createEncoder({ ...enc, seed: seed + 7 });
      copyState(encoderQ, encoderK);
      const branch: Branch = { modality, encoderQ, encoderK, queue: MemoryQueue.random(c.headDim, c.queueSize, rng) };
      if (c.imd) {
        branch.clusterQ = new MlpHead(new Rng(seed + 3), encoderQ.featureDim, c.headDim);
        branch.clusterK = new MlpHead(new Rng(seed + 5), encoderQ.featureDim, c.headDim);
        copyState(branch.clusterQ, branch.clusterK);
        branch.clusterQueue = MemoryQueue.random(c.headDim, c.queueSize, rng);
      }
      return branch;
    });
  }

  /** The trained parameters (queries and their heads), in a fixed order. */
  queryParameters(): Tensor[] {
    return this.branches.flatMap((b) => [...b.encoderQ.parameters(), ...(b.clusterQ?.parameters() ?? [])]);
  }

  /** (key, query) parameter pairs for the EMA — parameters only, not BN running statistics. */
  emaPairs(): [Tensor[], Tensor[]] {
    const k: Tensor[] = [], q: Tensor[] = [];
    for (const b of this.branches) {
      k.push(...b.encoderK.parameters()); q.push(...b.encoderQ.parameters());
      if (b.clusterK && b.clusterQ) { k.push(...b.clusterK.parameters()); q.push(...b.clusterQ.parameters()); }
    }
    return [k, q];
  }

  train(): void {
    for (const b of this.branches) { b.encoderQ.train(); b.encoderK.train(); b.clusterQ?.train(); b.clusterK?.train(); }
  }

  /** Every tensor of the state under a stable name (checkpoints; src/i2md/names.ts). */
  namedTensors(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const all = (prefix: string, m: Module) => {
      for (const [n, t] of [...m.namedParameters(), ...m.namedBuffers()]) out.push([`${prefix}.${n}`, t]);
    };
    for (const b of this.branches) {
      const m = b.modality;
      all(this.names.encoder(m, 'q'), b.encoderQ);
      all(this.names.encoder(m, 'k'), b.encoderK);
      if (b.clusterQ && b.clusterK) { all(this.names.cluster(m, 'q'), b.clusterQ); all(this.names.cluster(m, 'k'), b.clusterK); }
      out.push([this.names.queue(m), b.queue.features]);
      if (b.clusterQueue) out.push([this.names.clusterQueue(m), b.clusterQueue.features]);
    }
    return out;
  }

  /** BatchNorm's num_batches_tracked counters, by the same names. */
  namedCounters(): [string, { value: number }][] {
    const out: [string, { value: number }][] = [];
    for (const b of this.branches) {
      for (const [n, c] of b.encoderQ.namedCounters()) out.push([`${this.names.encoder(b.modality, 'q')}.${n}`, c]);
      for (const [n, c] of b.encoderK.namedCounters()) out.push([`${this.names.encoder(b.modality, 'k')}.${n}`, c]);
    }
    return out;
  }

  get queuePtr(): number { return this.branches[0].queue.ptr; }
  set queuePtr(p: number) { for (const b of this.branches) { b.queue.ptr = p; if (b.clusterQueue) b.clusterQueue.ptr = p; } }

  dispose(): void {
    for (const b of this.branches) {
      b.encoderQ.dispose(); b.encoderK.dispose(); b.clusterQ?.dispose(); b.clusterK?.dispose();
      b.queue.features.dispose(); b.clusterQueue?.features.dispose();
    }
  }
}
