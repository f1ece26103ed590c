/**
 * The recurrent encoder of the official CMD code (its `BIGRU`, docs/method.md#encoder), with the module
 * and tensor names of that PyTorch module so checkpoints move both ways (docs/gru.md):
 *   input_norm                       BatchNorm1d over the V·C·M input features, statistics over N and T
 *   encoder.gru.weight_ih_l{k}       (3H, in) of cell 0 of layer k, gates r, z, n stacked
 *   encoder.gru.weight_hh_l{k}       (3H, H)
 *   encoder.gru.bias_ih_l{k}, bias_hh_l{k}   (3H)
 *   encoder.gru.…_l{k}_reverse       the same for the layer's second cell
 *   fc.0 / fc.2 (or fc)              the projection head on the 2H-dimensional feature
 * Input (N, C, T, V, M) is flattened per frame as the official code does — permute to (N, T, V, C, M),
 * feature index v·C·M + c·M + m (v·6 + c·2 + m for NTU's C 3, M 2) — and normalised. Layer 0 reads
 * those V·C·M features, layer k > 0 the previous layer's two states side by side (2H). States start
 * at zero. The feature is the last layer's two states at the last step.
 *
 * Two modes (docs/gru.md has them side by side):
 *   faithful (default): both cells of a layer run forward in time. The official code calls a
 *     bidirectional nn.GRU one time step at a time, carrying the hidden state, so its "reverse"
 *     cell never sees the sequence backwards; this is what its published numbers were trained with.
 *   bidirectional: the second cell reads the sequence backwards (nn.GRU run over the whole
 *     sequence); the feature is each cell's state after its last step — the forward cell's at
 *     t = T−1 and the reverse cell's at t = 0 (nn.GRU's h_n).
 * Initialisation as the official code: Xavier-uniform on every 2-D GRU weight (fans of the whole
 * (3H, in) stack), PyTorch's default U(±1/√H) for the GRU biases, BN weight 1 / bias 0; the head's
 * first Linear PyTorch's default, the last Linear Xavier-uniform with a default bias (the official
 * code initialises its Linear(2H, 128) before wrapping it into the MLP).
 */
import { Tensor, G } from '../tensor/tensor.js';
import { Rng } from '../util/random.js';
import { reshape, permute, slice, concat } from '../ops/shape.js';
import { gruLayer, type GruCellWeights } from '../ops/gru/layer.js';
import type { Layout } from '../skeleton/layouts.js';
import { Module } from './module.js';
import { BatchNorm, Linear, MlpHead } from './layers.js';
import { xavierUniform, xavierValues, uniformValues } from './init.js';
import type { HeadKind } from './stgcn.js';

export interface GRUConfig {
  layout: Layout;
  persons?: number;         // M: 2
  inChannels?: number;      // C: 3
  hidden?: number;          // H: 1024
  layers?: number;          // 3
  bidirectional?: boolean;  // false: both cells forward in time, as the official code
  head?: HeadKind;          // 'mlp': fc.0 Linear(2H, 2H) → ReLU → fc.2 Linear(2H, headDim)
  headDim?: number;         // 128
  seed?: number;
}

export type GRUResolved = Required<GRUConfig> & { inputSize: number };

export function resolveGRUConfig(c: GRUConfig): GRUResolved {
  const r = {
    layout: c.layout, persons: c.persons ?? 2, inChannels: c.inChannels ?? 3, hidden: c.hidden ?? 1024, layers: c.layers ?? 3,
    bidirectional: c.bidirectional ?? false, head: c.head ?? 'mlp', headDim: c.headDim ?? 128, seed: c.seed ?? 0,
  };
  for (const k of ['persons', 'inChannels', 'hidden', 'layers', 'headDim'] as const) {
    if (!Number.isInteger(r[k]) || r[k] < 1) throw new Error(`GRU encoder: ${k} must be a positive integer, got ${r[k]}`);
  }
  return { ...r, inputSize: r.layout.V * r.inChannels * r.persons };
}

/** The GRU cell weights with a tensor of a given shape drawn U(±1/√H), PyTorch's nn.GRU default. */
function defaultBias(rng: Rng, n: number, hidden: number): Tensor {
  return Tensor.from(uniformValues(rng, n, 1 / Math.sqrt(hidden)), [n]);
}

/** nn.GRU's parameters, named as PyTorch names them, two cells per layer. */
export class GRUWeights extends Module {
  /** [layer][cell] */
  readonly cells: GruCellWeights[][] = [];
  constructor(rng: Rng, inputSize: number, readonly hidden: number, readonly layers: number) {
    super();
    const H = hidden;
    for (let k = 0; k < layers; k++) {
      const fin = k === 0 ? inputSize : 2 * H;
      const layer: GruCellWeights[] = [];
      for (const suffix of ['', '_reverse']) {
        layer.push({
          wIh: this.addParam(`weight_ih_l${k}${suffix}`, xavierUniform(rng, [3 * H, fin])),
          wHh: this.addParam(`weight_hh_l${k}${suffix}`, xavierUniform(rng, [3 * H, H])),
          bIh: this.addParam(`bias_ih_l${k}${suffix}`, defaultBias(rng, 3 * H, H)),
          bHh: this.addParam(`bias_hh_l${k}${suffix}`, defaultBias(rng, 3 * H, H)),
        });
      }
      this.cells.push(layer);
    }
  }
}

/** The official `EncoderRNN`: a module holding the nn.GRU as `gru`. */
class RecurrentStack extends Module {
  readonly gru: GRUWeights;
  constructor(rng: Rng, inputSize: number, hidden: number, layers: number) {
    super();
    this.gru = this.addChild('gru', new GRUWeights(rng, inputSize, hidden, layers));
  }
}

export class GRUEncoder extends Module {
  readonly kind = 'gru' as const;
  readonly config: GRUResolved;
  readonly encoder: RecurrentStack;
  readonly fc?: MlpHead | Linear;
  readonly inputNorm: BatchNorm;

  constructor(config: GRUConfig) {
    super();
    const c = this.config = resolveGRUConfig(config);
    const rng = new Rng(c.seed);
    const D = 2 * c.hidden;
    // registration order = the official module's: encoder, fc, input_norm
    this.encoder = this.addChild('encoder', new RecurrentStack(rng, c.inputSize, c.hidden, c.layers));
    if (c.head === 'mlp') {
      const head = new MlpHead(rng, D, c.headDim);
      reinitXavier(head.fc2.weight, rng);
      this.fc = this.addChild('fc', head);
    } else if (c.head === 'linear') {
      const head = new Linear(rng, D, c.headDim);
      reinitXavier(head.weight, rng);
      this.fc = this.addChild('fc', head);
    }
    this.inputNorm = this.addChild('input_norm', new BatchNorm(c.inputSize));
  }

  get featureDim(): number { return 2 * this.config.hidden; }
  get headDim(): number { return this.fc ? this.config.headDim : 0; }
  get head(): HeadKind { return this.config.head; }
  get layout(): Layout { return this.config.layout; }
  get persons(): number { return this.config.persons; }

  /** x (N, C, T, V, M) → (N, 2H): the last layer's two states at the last step. */
  features(x: Tensor): Tensor {
    if (x.rank !== 5) throw new Error(`GRU encoder: input must be (N, C, T, V, M), got [${x.shape}]`);
    const [N, C, T, V, M] = x.shape;
    const c = this.config;
    if (C * V * M !== c.inputSize) {
      throw new Error(`GRU encoder: input [${x.shape}] has C·V·M = ${C * V * M} features per frame, the encoder reads ${c.inputSize} (V ${c.layout.V} × C ${c.inChannels} × M ${c.persons})`);
    }
    // time-major (T, N, V·C·M) with feature v·C·M + c·M + m; the norm's statistics cover N and T
    let h = reshape(permute(x, [2, 0, 3, 1, 4]), [T, N, c.inputSize]);
    h = this.inputNorm.forward(h, false, 2);
    const reverse = c.bidirectional ? [false, true] : [false, false];
    for (const cells of this.encoder.gru.cells) h = gruLayer(h, cells, { reverse });
    return lastStates(h, c.hidden, c.bidirectional);
  }

  project(feature: Tensor): Tensor {
    if (!this.fc) throw new Error('GRU encoder: this encoder has no head');
    return this.fc.forward(feature);
  }

  forward(x: Tensor): Tensor { return this.features(x); }
}

/**
 * Each cell's state after its last step, side by side (N, 2H): with both cells forward, the last
 * time step of the sequence; bidirectional, the forward cell's at T−1 and the reverse cell's at 0.
 */
export function lastStates(seq: Tensor, H: number, bidirectional: boolean): Tensor {
  const [T, N, W] = seq.shape;
  const last = slice(seq, 0, T - 1, T);
  if (!bidirectional) return reshape(last, [N, W]);
  const rev = slice(slice(seq, 0, 0, 1), 2, H, 2 * H);
  return reshape(concat([slice(last, 2, 0, H), rev], 2), [N, W]);
}

/** Overwrites a Linear weight (out, in) with Xavier-uniform values (the official head's last layer). */
function reinitXavier(w: Tensor, rng: Rng): void {
  G().write(w.buffer, xavierValues(rng, w.shape[0], w.shape[1]));
}
