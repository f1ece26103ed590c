import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, withKernel } from '../helpers/check.js';
import { Tensor, tidy, noGrad, backward, G } from '../../src/tensor/index.js';
import { batchNorm, batchNormState, batchNormRef, type BatchNormState } from '../../src/ops/batchnorm.js';
import { relu } from '../../src/ops/elementwise.js';
import { mul, sumAll } from '../helpers/ops.js';

const t = suite('ops/batchnorm');
t.before(async () => { await engine(); });

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function freeState(s: BatchNormState): void { s.runningMean.dispose(); s.runningVar.dispose(); }

const trainShapes: [number[], number][] = [
  [[3, 2, 4, 5], 1],   // (N, C, T, V)
  [[4, 3, 7], 1],      // (N, C, T): BatchNorm1d
  [[5, 3], 1],         // (N, C)
  [[2, 1, 3, 1], 1],   // one channel
  [[3, 4, 100], 1],    // m = 300 > workgroup size
  [[2, 3, 4], 2],      // channels last
  // rows of ≥ 64 take the per-row entries: scalar (odd rows) and vec4, one and several row groups
  [[2, 3, 67], 1],
  [[2, 2, 131], 1],
  [[2, 2, 3, 100], 1],
];
// the per-channel statistics at the software adapters' workgroup of 8 and the GPUs' 256, here both
for (const statsWg of [8, 256]) for (const [shape, axis] of trainShapes) {
  t(`train [${shape}] axis ${axis}, statistics workgroup ${statsWg}: forward and gradients for x, weight, bias`, async () => {
    const C = shape[axis];
    const state = batchNormState(C);
    await withKernel('batchnorm', statsWg, () => checkOp({
      shapes: [shape, [C], [C]],
      gpu: ([x, w, b]) => batchNorm(x, w, b, state, { training: true, channelAxis: axis }),
      ref: ([x, w, b]) => batchNormRef(x, shape, axis, w, b, { train: true }).y,
      tol: 3e-3,
    }));
    freeState(state);
  });
}

for (const shape of [[3, 5, 7], [2, 3, 68], [2, 3, 65]]) t(`train without affine parameters [${shape}]: forward and gradient`, async () => {
  const state = batchNormState(shape[1]);
  await checkOp({
    shapes: [shape],
    gpu: ([x]) => batchNorm(x, undefined, undefined, state, { training: true }),
    ref: ([x]) => batchNormRef(x, shape, 1, undefined, undefined, { train: true }).y,
  });
  freeState(state);
});

t('running statistics: momentum update with the unbiased variance, two steps', async () => {
  const shape = [4, 3, 5, 2];
  const state = batchNormState(3);
  const rm = [0, 0, 0], rv = [1, 1, 1];
  for (const [seed, momentum] of [[1, 0.1], [2, 0.3]]) {
    const x = randn(prod(shape), seed, -2, 3);
    noGrad(() => tidy(() => { batchNorm(Tensor.from(x, shape), undefined, undefined, state, { training: true, momentum }); }));
    const r = batchNormRef(x.map(Math.fround), shape, 1, undefined, undefined, { train: true });
    for (let c = 0; c < 3; c++) {
      rm[c] = (1 - momentum) * rm[c] + momentum * r.mean[c];
      rv[c] = (1 - momentum) * rv[c] + momentum * r.varB[c] * r.m / (r.m - 1);
    }
    assertClose(await state.runningMean.read(), rm, 1e-5, 'running mean');
    assertClose(await state.runningVar.read(), rv, 1e-5, 'running var');
  }
  freeState(state);
});

for (const shape of [[2, 3, 4, 5], [2, 3, 4, 25], [2, 3, 65]]) t(`eval [${shape}] uses the running statistics (and leaves them alone): forward and gradients`, async () => {
  const rm = [0.3, -0.2, 1.5], rv = [0.5, 2, 0.05];
  const state = { runningMean: Tensor.from(rm).keep(), runningVar: Tensor.from(rv).keep() };
  await checkOp({
    shapes: [shape, [3], [3]],
    gpu: ([x, w, b]) => batchNorm(x, w, b, state, { training: false }),
    ref: ([x, w, b]) => batchNormRef(x, shape, 1, w, b, { train: false, rm, rv }).y,
  });
  assertClose(await state.runningMean.read(), rm, 1e-7, 'running mean unchanged');
  assertClose(await state.runningVar.read(), rv, 1e-7, 'running var unchanged');
  freeState(state);
});

// 4,800 values a channel, and 204,800 (the paper preset's first blocks: each of 8 lanes sums 25,600)
for (const statsWg of [8, 256]) for (const shape of [[16, 2, 300], [128, 2, 1600]]) {
  t(`numerically careful statistics [${shape}], workgroup ${statsWg}: mean 1000, std 0.1 (E[x²] − E[x]² would lose it all)`, async () => {
    const x = randn(prod(shape), 5, -0.17, 0.17).map((v) => Math.fround(1000 + v));
    const state = batchNormState(2);
    const y = await withKernel('batchnorm', statsWg,
      () => noGrad(() => tidy(() => batchNorm(Tensor.from(x, shape), undefined, undefined, state, { training: true, momentum: 1 }))));
    const r = batchNormRef(x, shape, 1, undefined, undefined, { train: true });
    assertClose(await state.runningMean.read(), r.mean, 1e-6, 'mean');
    assertClose(await state.runningVar.read(), Array.from(r.varB, (v) => v * r.m / (r.m - 1)), 1e-3, 'variance');
    assertClose(await y.read(), r.y, 2e-3, 'normalised output');
    y.dispose(); freeState(state);
  });
}

/**
 * x nudged until no normalised output lies within 0.02 of the ReLU's kink, where central
 * differences of step 10⁻³ would straddle it (the seed-17 input of [2, 2, 3, 100] has one at 9·10⁻⁵).
 */
function awayFromKink(x: Float64Array, shape: number[], w: Float64Array, b: Float64Array): Float64Array {
  const out = x.slice();
  for (let round = 0; round < 20; round++) {
    const y = batchNormRef(out, shape, 1, w, b, { train: true }).y;
    const near = [...y.keys()].filter((j) => Math.abs(y[j]) < 0.02);
    if (near.length === 0) return out;
    for (const j of near) out[j] += 0.05;
  }
  throw new Error('awayFromKink: outputs keep landing on the kink');
}

// The ReLU fused into the norm (ST-GCN's BN → ReLU): every entry (flat, per-row scalar and vec4,
// statistics scalar and vec4) at both statistics workgroups, against max(reference, 0)
const reluShapes = [[3, 2, 4, 5], [5, 3], [2, 3, 67], [2, 2, 3, 100]];
for (const statsWg of [8, 256]) for (const shape of reluShapes) {
  t(`train + ReLU [${shape}], statistics workgroup ${statsWg}: forward and gradients for x, weight, bias`, async () => {
    const C = shape[1];
    const w = randn(C, 48), b = randn(C, 79);
    const x = awayFromKink(randn(prod(shape), 17), shape, w, b);
    const state = batchNormState(C);
    await withKernel('batchnorm', statsWg, () => checkOp({
      shapes: [shape, [C], [C]], inputs: [x, w, b],
      gpu: ([x, w, b]) => batchNorm(x, w, b, state, { training: true, relu: true }),
      ref: ([x, w, b]) => batchNormRef(x, shape, 1, w, b, { train: true }).y.map((v) => Math.max(v, 0)),
      tol: 3e-3,
    }));
    freeState(state);
  });
}

for (const shape of [[2, 3, 4, 5], [2, 3, 4, 25]]) t(`eval + ReLU [${shape}]: forward and gradients`, async () => {
  const rm = [0.3, -0.2, 1.5], rv = [0.5, 2, 0.05];
  const state = { runningMean: Tensor.from(rm).keep(), runningVar: Tensor.from(rv).keep() };
  await checkOp({
    shapes: [shape, [3], [3]],
    gpu: ([x, w, b]) => batchNorm(x, w, b, state, { training: false, relu: true }),
    ref: ([x, w, b]) => batchNormRef(x, shape, 1, w, b, { train: false, rm, rv }).y.map((v) => Math.max(v, 0)),
  });
  freeState(state);
});

// the fused op is the composition exactly: same output and gradients to the bit
for (const training of [true, false]) for (const shape of [[4, 8, 30, 25], [4, 8, 7, 3], [2, 2, 3, 100], [4, 8, 16, 25]]) {
  t(`${training ? 'train' : 'eval'} + ReLU [${shape}] equals relu(batchNorm(x)) bit for bit, output and all gradients`, async () => {
    const n = prod(shape), C = shape[1];
    const x = randn(n, 21, -2, 2), w = randn(C, 22), b = randn(C, 23, -0.5, 0.5), g = randn(n, 24);
    const run = async (fused: boolean) => {
      const state = batchNormState(C);
      const got = tidy(() => {
        const [tx, tw, tb] = [Tensor.from(x, shape), Tensor.from(w), Tensor.from(b)];
        for (const p of [tx, tw, tb]) p.requiresGrad = true;
        const y = fused ? batchNorm(tx, tw, tb, state, { training, relu: true }) : relu(batchNorm(tx, tw, tb, state, { training }));
        backward(sumAll(mul(y, Tensor.from(g, shape))));
        return [y, tx.grad!, tw.grad!, tb.grad!];
      });
      const out: Float32Array[] = [];
      for (const u of got) { out.push(await u.read()); u.dispose(); }
      freeState(state);
      return out;
    };
    const [fused, plain] = [await run(true), await run(false)];
    assert.ok(fused[0].some((v) => v === 0) && fused[0].some((v) => v > 0), 'the ReLU cuts some outputs and keeps others');
    ['y', 'dx', 'dweight', 'dbias'].forEach((what, i) => assert.equal(fused[i], plain[i], what));
  });
}

t('a bigger (N, C, T, V) block matches the reference; no tensors leak', async () => {
  const shape = [4, 16, 30, 25];
  const x = randn(prod(shape), 9, -3, 3), w = randn(16, 10), b = randn(16, 11);
  const state = batchNormState(16);
  const before = G().pool.liveBytes;
  const y = tidy(() => batchNorm(Tensor.from(x, shape), Tensor.from(w), Tensor.from(b), state, { training: true }));
  assertClose(await y.read(), batchNormRef(x.map(Math.fround), shape, 1, w.map(Math.fround), b.map(Math.fround), { train: true }).y, 1e-4);
  y.dispose();
  assert.is(G().pool.liveBytes, before, 'only the output outlived the tidy');
  freeState(state);
});

t('the fused ReLU keeps NaN: a NaN in a channel makes that channel NaN, not 0', async () => {
  const x = Tensor.from([NaN, 1, 2, 3, 4, 5, 6, 7], [2, 4]);
  const y = [...await batchNorm(x, undefined, undefined, batchNormState(4), { channelAxis: 1, training: true, relu: true }).read()];
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[4]), `channel 0: ${y[0]}, ${y[4]}`);
  assert.ok(y.filter((v, i) => i % 4 !== 0).every(Number.isFinite), `other channels: ${y}`);
});

t('rejects one value per channel in training and mismatched parameters', () => {
  const state = batchNormState(3);
  assert.throws(() => tidy(() => batchNorm(Tensor.from(randn(3, 1), [1, 3]), undefined, undefined, state, { training: true })), /more than 1 value/);
  assert.throws(() => tidy(() => batchNorm(Tensor.from(randn(6, 1), [2, 3]), Tensor.from([1, 1]), Tensor.from([0, 0]), state, { training: true })), /weight/);
  freeState(state);
});

t.run();
