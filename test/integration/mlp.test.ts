/**
 * End-to-end checks of the engine as a whole: a small MLP learns two spirals with SGD, and a
 * thousand training steps keep the pool's live bytes flat (no tensor leaks out of a step).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { Tensor, tidy, backward, noGrad, G } from '../../src/tensor/index.js';
import { linear } from '../../src/ops/matmul/matmul.js';
import { relu } from '../../src/ops/elementwise.js';
import { crossEntropy } from '../../src/ops/losses.js';
import { SGD } from '../../src/optim/sgd.js';
import { Rng } from '../../src/util/random.js';

const t = suite('train/mlp');
t.before(async () => { await engine(); });

/** Two interleaved spirals, n points each, with a little noise: not linearly separable. */
function spirals(n: number, rng: Rng): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(4 * n), y = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const r = (i / n) * 1.0 + 0.05, a = (i / n) * 3 * Math.PI;
    for (const c of [0, 1]) {
      const j = 2 * i + c, s = c === 0 ? 1 : -1;
      x[2 * j] = s * r * Math.cos(a) + 0.01 * rng.normal();
      x[2 * j + 1] = s * r * Math.sin(a) + 0.01 * rng.normal();
      y[j] = c;
    }
  }
  return { x, y };
}

class Mlp {
  params: Tensor[];
  constructor(rng: Rng, sizes: number[]) {
    this.params = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const bound = 1 / Math.sqrt(sizes[i]);
      this.params.push(Tensor.from(Float32Array.from({ length: sizes[i + 1] * sizes[i] }, () => rng.uniform(-bound, bound) * Math.sqrt(6)), [sizes[i + 1], sizes[i]]).param());
      this.params.push(Tensor.from(new Float32Array(sizes[i + 1]), [sizes[i + 1]]).param());
    }
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (let i = 0; i < this.params.length; i += 2) {
      h = linear(h, this.params[i], this.params[i + 1]);
      if (i + 2 < this.params.length) h = relu(h);
    }
    return h;
  }
}

t('a small MLP learns two spirals to ≥ 98% with SGD', async () => {
  const rng = new Rng(7);
  const { x, y } = spirals(150, rng);
  const n = y.length;
  const mlp = new Mlp(rng, [2, 64, 64, 2]);
  const sgd = new SGD({ momentum: 0.9 });
  const X = Tensor.from(x, [n, 2]).keep(), Y = Tensor.from(y, [n], 'i32').keep();
  for (let step = 0; step < 1500; step++) {
    tidy(() => { backward(crossEntropy(mlp.forward(X), Y)); sgd.step(mlp.params, step < 1000 ? 0.1 : 0.03); });
  }
  const logits = noGrad(() => tidy(() => mlp.forward(X)));
  const s = await logits.read();
  let hit = 0;
  for (let i = 0; i < n; i++) if ((s[2 * i + 1] > s[2 * i] ? 1 : 0) === y[i]) hit++;
  assert.ok(hit / n >= 0.98, `accuracy ${(100 * hit / n).toFixed(1)}%`);
  logits.dispose(); X.dispose(); Y.dispose(); sgd.dispose(); mlp.params.forEach((p) => p.dispose());
});

t('1000 training steps keep the pool\'s live bytes flat', async () => {
  const rng = new Rng(3);
  const { x, y } = spirals(32, rng);
  const mlp = new Mlp(rng, [2, 16, 2]);
  const sgd = new SGD({ momentum: 0.9, weightDecay: 1e-4 });
  const X = Tensor.from(x, [64, 2]).keep(), Y = Tensor.from(y, [64], 'i32').keep();
  const step = () => tidy(() => { backward(crossEntropy(mlp.forward(X), Y)); sgd.step(mlp.params, 0.05); });
  for (let i = 0; i < 10; i++) step();   // optimiser state now exists
  await G().sync();
  const before = G().pool.liveBytes;
  for (let i = 0; i < 1000; i++) step();
  await G().sync();
  assert.is(G().pool.liveBytes, before, 'live bytes grew');
  X.dispose(); Y.dispose(); sgd.dispose(); mlp.params.forEach((p) => p.dispose());
});

t.run();
