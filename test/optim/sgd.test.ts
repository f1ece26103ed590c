import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn, assertClose, withKernel } from '../helpers/check.js';
import { Tensor, tidy, backward, G } from '../../src/tensor/index.js';
import { mul, sumAll } from '../helpers/ops.js';
import { SGD, sgdRef, type SgdOptions, type SgdRefState } from '../../src/optim/sgd.js';

const t = suite('optim/sgd');
t.before(async () => { await engine(); });

// nine parameters: two full groups of the four-slot kernel and a partial one; one full group and a
// partial one of the five-slot kernel
const shapes = [[1], [7], [3, 5, 13], [1000], [257], [2], [64, 3], [5000], [9]];
const f32s = (a: Float64Array) => a.map(Math.fround);

async function runCase(opts: Required<SgdOptions>, steps: number, restartAt?: number): Promise<void> {
  const init = shapes.map((s, i) => f32s(randn(s.reduce((a, b) => a * b, 1), 100 + i, -2, 2)));
  const params = init.map((x, i) => Tensor.from(x, shapes[i]).param());
  const refs: SgdRefState[] = init.map((x) => ({ p: x.slice() }));
  let opt = new SGD(opts);
  for (let step = 0; step < steps; step++) {
    if (step === restartAt) {
      // a checkpoint round trip in the middle of training
      const saved = await opt.state();
      opt.dispose();
      opt = new SGD(opts);
      opt.load(saved);
    }
    const lr = 0.1 * (step + 1);
    params.forEach((p, i) => {
      const g = f32s(randn(p.size, 1000 * step + i, -1, 1));
      p.grad = Tensor.from(g, p.shape).keep();
      sgdRef(refs[i], g, lr, opts);
    });
    opt.step(params, lr);
    for (const p of params) assert.is(p.grad, undefined, 'gradients cleared');
  }
  for (let i = 0; i < params.length; i++) assertClose(await params[i].read(), refs[i].p, 2e-6, `parameter ${i}`);
  const st = await opt.state();
  for (let i = 0; i < params.length; i++) {
    if (refs[i].v) assertClose(st[i]!, refs[i].v!, 2e-6, `velocity ${i}`);
    else assert.ok(!st[i], 'no velocity without momentum');
  }
  opt.dispose();
  for (const p of params) p.dispose();
}

const base = { momentum: 0.9, weightDecay: 1e-4, dampening: 0, nesterov: false };
// both multi-tensor entries (4 parameters a dispatch, 5 where the device has 16 storage buffers)
for (const slots of [4, 5] as const) {
  const run = (opts: Required<SgdOptions>, steps: number, restartAt?: number) => withKernel('sgd', slots, async () => {
    if (G().limits.maxStorageBuffersPerShaderStage < 3 * slots) return;
    await runCase(opts, steps, restartAt);
  });
  t(`${slots} a dispatch: momentum 0.9, weight decay 1e-4: five steps equal the float64 PyTorch rule`, () => run(base, 5));
  t(`${slots} a dispatch: checkpoint: state() then load() into a fresh optimiser continues exactly`, () => run(base, 5, 2));
  t(`${slots} a dispatch: plain SGD (momentum 0) with weight decay`, () => run({ ...base, momentum: 0, weightDecay: 0.01 }, 3));
  t(`${slots} a dispatch: dampening: the first step still sets v = d (no dampening), later ones damp`, () => run({ ...base, dampening: 0.5 }, 3));
  t(`${slots} a dispatch: nesterov`, () => run({ ...base, nesterov: true }, 3));
}

t('a parameter without a gradient is left alone; a backward pass feeds the step', async () => {
  const a = Tensor.from([1, 2, 3]).param(), b = Tensor.from([4, 5]).param();
  const c = Tensor.from([0.5, -1, 2]);
  tidy(() => { backward(sumAll(mul(a, c))); });
  assert.ok(a.grad && !b.grad);
  const opt = new SGD({ momentum: 0.9 });
  const live = G().pool.liveBytes;
  opt.step([a, b], 0.1);
  assert.ok(G().pool.liveBytes < live + 256, 'the gradient was freed (the velocity took its place)');
  assertClose(await a.read(), [0.95, 2.1, 2.8], 1e-6);
  assertClose(await b.read(), [4, 5], 0);
  assert.equal((await opt.state()).map((v) => (v ? v.length : null)), [3]);
  for (const x of [a, b, c]) x.dispose();
  opt.dispose();
});

t('rejects nesterov without momentum and a changed parameter list', () => {
  assert.throws(() => new SGD({ nesterov: true }), /nesterov/);
  const opt = new SGD({ momentum: 0.9 });
  const a = Tensor.from([1, 2]).param(); a.grad = Tensor.from([1, 1]).keep();
  opt.step([a], 0.1);
  const b = Tensor.from([1, 2, 3]).param(); b.grad = Tensor.from([1, 1, 1]).keep();
  assert.throws(() => opt.step([b], 0.1), /same list/);
  for (const x of [a, b, b.grad]) x.dispose();
  opt.dispose();
});

t.run();
