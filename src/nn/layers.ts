/**
 * The layers the encoder is built from, named and shaped as their PyTorch counterparts so that
 * state dicts match: Conv (Conv2d with a (KT, 1) kernel), Linear, BatchNorm (1d and 2d: channels
 * on axis 1), Sequential (children named "0", "1", …).
 */
import type { Tensor } from '../tensor/tensor.js';
import type { Rng } from '../util/random.js';
import { Module, type Counter } from './module.js';
import { kaimingUniform, fanInBias, constant } from './init.js';
import { temporalConv } from '../ops/tconv/tconv.js';
import { batchNorm, type BatchNormState } from '../ops/batchnorm.js';
import { linear } from '../ops/matmul/matmul.js';
import { relu } from '../ops/elementwise.js';

/** Conv2d(cin, cout, kernel_size=(kt, 1), stride=(stride, 1), padding=(pad, 0)) over (N, C, T, V). */
export class Conv extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(rng: Rng, readonly cin: number, readonly cout: number, readonly kt = 1, readonly stride = 1, readonly pad = (kt - 1) / 2) {
    super();
    this.weight = this.addParam('weight', kaimingUniform(rng, [cout, cin, kt, 1]));
    this.bias = this.addParam('bias', fanInBias(rng, cout, cin * kt));
  }
  forward(x: Tensor): Tensor {
    return temporalConv(x, this.weight, this.bias, { stride: this.stride, pad: this.pad });
  }
}

/** Linear(fin, fout): y = x·Wᵀ + b with W (fout, fin). */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(rng: Rng, readonly fin: number, readonly fout: number) {
    super();
    this.weight = this.addParam('weight', kaimingUniform(rng, [fout, fin]));
    this.bias = this.addParam('bias', fanInBias(rng, fout, fin));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/**
 * BatchNorm over axis 1 (BatchNorm1d on (N, C) / (N, C, T), BatchNorm2d on (N, C, T, V)), PyTorch
 * defaults: weight 1, bias 0, running mean 0 and variance 1, momentum 0.1, eps 1e-5;
 * num_batches_tracked counts the training forwards.
 */
export class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly state: BatchNormState;
  readonly numBatchesTracked: Counter;
  constructor(readonly channels: number, readonly momentum = 0.1, readonly eps = 1e-5) {
    super();
    this.weight = this.addParam('weight', constant([channels], 1));
    this.bias = this.addParam('bias', constant([channels], 0));
    this.state = {
      runningMean: this.addBuffer('running_mean', constant([channels], 0)),
      runningVar: this.addBuffer('running_var', constant([channels], 1)),
    };
    this.numBatchesTracked = this.addCounter('num_batches_tracked');
  }
  /**
   * `relu`: the ReLU that follows, fused into the norm's passes (same values as `relu(forward(x))`).
   * `channelAxis`: where the channels sit (1 as in PyTorch; the GRU encoder normalises a
   * time-major (T, N, F) input over its last axis, the same statistics as BatchNorm1d on (N, F, T)).
   */
  forward(x: Tensor, relu = false, channelAxis = 1): Tensor {
    if (this.training) this.numBatchesTracked.value++;
    return batchNorm(x, this.weight, this.bias, this.state, { training: this.training, momentum: this.momentum, eps: this.eps, channelAxis, relu });
  }
}

/** Linear(D, D) → ReLU → Linear(D, out): children "0" and "2" as nn.Sequential names them. */
export class MlpHead extends Module {
  readonly fc0: Linear;
  readonly fc2: Linear;
  constructor(rng: Rng, dim: number, out: number) {
    super();
    this.fc0 = this.addChild('0', new Linear(rng, dim, dim));
    this.fc2 = this.addChild('2', new Linear(rng, dim, out));
  }
  forward(x: Tensor): Tensor {
    return this.fc2.forward(relu(this.fc0.forward(x)));
  }
}
