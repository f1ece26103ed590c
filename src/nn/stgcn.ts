/**
 * The ST-GCN encoder (docs/method.md#encoder) with the module and tensor names of the PyTorch ST-GCN
 * family, so checkpoints move both ways:
 *   data_bn                         BatchNorm1d over V·C channels of (N·M, V·C, T), channel v·C + c
 *   st_gcn_networks.{i}.gcn.conv    1×1 conv C_in → K·C_out, then Σ_k Σ_v x_k · (A_k ∘ M_k)
 *   st_gcn_networks.{i}.tcn.{0,2,3} BN → ReLU → conv 9×1 (stride s, pad 4) → BN → Dropout
 *   st_gcn_networks.{i}.residual    none (block 0), identity, or {0: 1×1 conv (stride s), 1: BN}
 *   edge_importance.{i}             the learnable masks M (K, V, V), initialised to 1
 *   fc.0 / fc.2 (or fc)             the projection head
 * Each block returns ReLU(tcn + residual); the feature is the mean over time, joints and persons.
 */
import { Tensor } from '../tensor/tensor.js';
import { releaseUnread } from '../tensor/autograd.js';
import { Rng } from '../util/random.js';
import { GpuRng } from '../ops/random.js';
import { addRelu, relu } from '../ops/elementwise.js';
import { reshape, permute } from '../ops/shape.js';
import { dropout } from '../ops/dropout.js';
import { graphConv } from '../ops/graphconv/graphconv.js';
import { GraphSupport } from '../ops/graphconv/support.js';
import { globalAvgPool } from '../ops/pool.js';
import { spatialPartition } from '../skeleton/graph.js';
import type { Layout } from '../skeleton/layouts.js';
import { Module, ModuleList, ParameterList } from './module.js';
import { Conv, BatchNorm, Linear, MlpHead } from './layers.js';
import { constant } from './init.js';

export type HeadKind = 'mlp' | 'linear' | 'none';

export interface STGCNConfig {
  layout: Layout;
  inChannels?: number;     // 3
  hidden?: number;         // h = 16
  hiddenDim?: number;      // D = 256
  dropout?: number;        // 0.5 (not in block 0)
  head?: HeadKind;         // 'mlp': fc.0 Linear(D,D) → ReLU → fc.2 Linear(D, headDim)
  headDim?: number;        // 128
  /** Override of the block plan [cin, cout, stride] (tiny test encoders); default the ten blocks of docs/method.md#encoder. */
  blocks?: [number, number, number][];
  seed?: number;           // initialisation (CPU Rng) and dropout (GpuRng) seed
}

export type ResolvedConfig = Required<Omit<STGCNConfig, 'blocks'>> & { blocks: [number, number, number][] };

/** The ten blocks of docs/method.md#encoder: 3→h, h→h ×3, h→2h (s2), 2h→2h ×2, 2h→4h (s2), 4h→4h, 4h→D. */
export function defaultBlocks(inChannels: number, h: number, D: number): [number, number, number][] {
  return [
    [inChannels, h, 1], [h, h, 1], [h, h, 1], [h, h, 1],
    [h, 2 * h, 2], [2 * h, 2 * h, 1], [2 * h, 2 * h, 1],
    [2 * h, 4 * h, 2], [4 * h, 4 * h, 1], [4 * h, D, 1],
  ];
}

export function resolveConfig(c: STGCNConfig): ResolvedConfig {
  const inChannels = c.inChannels ?? 3, hidden = c.hidden ?? 16, hiddenDim = c.hiddenDim ?? 256;
  const blocks = c.blocks ?? defaultBlocks(inChannels, hidden, hiddenDim);
  if (blocks.length === 0 || blocks[0][0] !== inChannels) throw new Error(`ST-GCN: the first block must take ${inChannels} channels`);
  blocks.forEach(([, cout], i) => { if (i + 1 < blocks.length && blocks[i + 1][0] !== cout) throw new Error(`ST-GCN: block ${i + 1} takes ${blocks[i + 1][0]} channels, block ${i} gives ${cout}`); });
  return {
    layout: c.layout, inChannels, hidden, hiddenDim: blocks[blocks.length - 1][1], dropout: c.dropout ?? 0.5,
    head: c.head ?? 'mlp', headDim: c.headDim ?? 128, blocks, seed: c.seed ?? 0,
  };
}

class GraphConvolution extends Module {
  readonly conv: Conv;
  constructor(rng: Rng, cin: number, readonly cout: number, readonly K: number) {
    super();
    this.conv = this.addChild('conv', new Conv(rng, cin, K * cout, 1));
  }
  forward(x: Tensor, A: Tensor, M: Tensor, support?: GraphSupport): Tensor {
    return graphConv(x, this.conv.weight, this.conv.bias, A, M, support);
  }
}

/** nn.Sequential(BN, ReLU, Conv 9×1, BN, Dropout): children "0", "2", "3" hold the state. */
class TemporalBlock extends Module {
  readonly bn0: BatchNorm;
  readonly conv: Conv;
  readonly bn3: BatchNorm;
  constructor(rng: Rng, channels: number, stride: number, readonly p: number, private dropRng: () => GpuRng) {
    super();
    this.bn0 = this.addChild('0', new BatchNorm(channels));
    this.conv = this.addChild('2', new Conv(rng, channels, channels, 9, stride, 4));
    this.bn3 = this.addChild('3', new BatchNorm(channels));
  }
  forward(x: Tensor): Tensor {
    const y = this.bn3.forward(this.conv.forward(this.bn0.forward(x, true)));   // BN, ReLU in one op
    const out = dropout(y, this.p, this.dropRng(), this.training);
    if (out !== y) releaseUnread(y);   // neither backward reads the batch norm's output (autograd.ts)
    return out;
  }
}

class Residual extends Module {
  readonly conv: Conv;
  readonly bn: BatchNorm;
  constructor(rng: Rng, cin: number, cout: number, stride: number) {
    super();
    this.conv = this.addChild('0', new Conv(rng, cin, cout, 1, stride, 0));
    this.bn = this.addChild('1', new BatchNorm(cout));
  }
  forward(x: Tensor): Tensor { return this.bn.forward(this.conv.forward(x)); }
}

export class StGcnBlock extends Module {
  readonly gcn: GraphConvolution;
  readonly tcn: TemporalBlock;
  readonly residual?: Residual;
  readonly identity: boolean;
  constructor(rng: Rng, readonly cin: number, readonly cout: number, readonly stride: number, K: number,
    p: number, residual: boolean, dropRng: () => GpuRng) {
    super();
    this.gcn = this.addChild('gcn', new GraphConvolution(rng, cin, cout, K));
    this.tcn = this.addChild('tcn', new TemporalBlock(rng, cout, stride, p, dropRng));
    this.identity = residual && cin === cout && stride === 1;
    if (residual && !this.identity) this.residual = this.addChild('residual', new Residual(rng, cin, cout, stride));
  }
  forward(x: Tensor, A: Tensor, M: Tensor, support?: GraphSupport): Tensor {
    const res = this.identity ? x : this.residual?.forward(x);
    const y = this.tcn.forward(this.gcn.forward(x, A, M, support));
    if (!res) return relu(y);
    const out = addRelu(y, res);
    // the add's backward reads only its output: the temporal branch and a residual branch's
    // batch norm output go now (x itself, the identity residual, is read by the aggregation)
    releaseUnread(...(res === x ? [y] : [y, res]));
    return out;
  }
}

export class STGCN extends Module {
  readonly kind = 'stgcn' as const;
  readonly config: ResolvedConfig;
  readonly K: number;
  readonly V: number;
  /** The spatial partition (K, V, V): a kept constant, not part of the state. */
  readonly A: Tensor;
  /** A's nonzero entries: A ∘ M is zero off them, so the aggregation computes only these (src/ops/graphconv/support.ts). */
  readonly support: GraphSupport;
  readonly dataBn: BatchNorm;
  readonly blocks: StGcnBlock[];
  readonly edgeImportance: Tensor[];
  readonly fc?: MlpHead | Linear;
  /** Dropout's random streams; replace it to reseed. */
  dropRng: GpuRng;

  constructor(config: STGCNConfig) {
    super();
    const c = this.config = resolveConfig(config);
    const rng = new Rng(c.seed);
    this.dropRng = new GpuRng(c.seed >>> 0);
    const partition = spatialPartition(c.layout);
    this.V = c.layout.V;
    this.K = partition.length / (this.V * this.V);
    this.A = Tensor.from(partition, [this.K, this.V, this.V]).keep();
    this.support = GraphSupport.of(partition, this.K, this.V);
    // registration order = PyTorch's: data_bn, st_gcn_networks, edge_importance, fc
    this.dataBn = this.addChild('data_bn', new BatchNorm(c.inChannels * this.V));
    const nets = this.addChild('st_gcn_networks', new ModuleList<StGcnBlock>());
    c.blocks.forEach(([cin, cout, stride], i) => {
      nets.append(new StGcnBlock(rng, cin, cout, stride, this.K, i === 0 ? 0 : c.dropout, i !== 0, () => this.dropRng));
    });
    this.blocks = nets.items;
    const masks = this.addChild('edge_importance', new ParameterList());
    for (let i = 0; i < c.blocks.length; i++) masks.append(constant([this.K, this.V, this.V], 1));
    this.edgeImportance = masks.items;
    if (c.head === 'mlp') this.fc = this.addChild('fc', new MlpHead(rng, c.hiddenDim, c.headDim));
    else if (c.head === 'linear') this.fc = this.addChild('fc', new Linear(rng, c.hiddenDim, c.headDim));
  }

  /** The feature size D (the encoder interface, src/nn/encoder.ts). */
  get featureDim(): number { return this.config.hiddenDim; }
  get headDim(): number { return this.fc ? this.config.headDim : 0; }
  get head(): HeadKind { return this.config.head; }
  get layout(): Layout { return this.config.layout; }

  /** x (N, C, T, V, M) → the pooled feature (N, D). */
  features(x: Tensor): Tensor {
    if (x.rank !== 5) throw new Error(`ST-GCN: input must be (N, C, T, V, M), got [${x.shape}]`);
    const [N, C, T, V, M] = x.shape;
    if (C !== this.config.inChannels || V !== this.V) throw new Error(`ST-GCN: input [${x.shape}] does not have C = ${this.config.inChannels}, V = ${this.V}`);
    // data_bn on (N·M, V·C, T), channel v·C + c, then back to (N·M, C, T, V)
    let h = reshape(permute(x, [0, 4, 3, 1, 2]), [N * M, V * C, T]);
    h = this.dataBn.forward(h);
    h = reshape(permute(reshape(h, [N, M, V, C, T]), [0, 1, 3, 4, 2]), [N * M, C, T, V]);
    this.blocks.forEach((b, i) => { h = b.forward(h, this.A, this.edgeImportance[i], this.support); });
    return globalAvgPool(h, M);
  }

  /** The projection head on a feature (not normalised: the caller L2-normalises). */
  project(feature: Tensor): Tensor {
    if (!this.fc) throw new Error('ST-GCN: this encoder has no head');
    return this.fc.forward(feature);
  }

  forward(x: Tensor): Tensor { return this.features(x); }

  override dispose(): void {
    super.dispose();
    this.A.dispose();
  }
}
