import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/util/errors.js';
import { initEngine, Tensor, tidy, backward } from '../../src/tensor/index.js';
import { add, addScalar, relu, mul } from '../../src/ops/elementwise.js';
import { matmul } from '../../src/ops/matmul/matmul.js';
import { sumAxes } from '../../src/ops/reduce.js';
import { randn, assertClose } from '../helpers/check.js';
import { Gpu } from '../../src/gpu/device.js';
import { useGpu } from '../../src/tensor/tensor.js';
import { host } from '../../src/gpu/host.js';

const t = suite('gpu/device');
let g: Gpu;
t.before(async () => { g = await initEngine(); });

t('device limits are requested from the adapter, not the defaults', () => {
  assert.ok(g.limits.maxStorageBuffersPerShaderStage >= 8);
  assert.ok(g.limits.maxComputeInvocationsPerWorkgroup >= 256);
});

for (const n of [1, 7, 1000, 1000003]) {
  t(`elementwise and reduction kernels at n=${n}`, async () => {
    const a = randn(n, n), b = randn(n, n + 1);
    const { s, total } = tidy(() => { const s = add(Tensor.from(a), Tensor.from(b)); return { s, total: sumAxes(s) }; });
    const got = await s.read();
    assertClose(got, a.map((v, i) => v + b[i]), 1e-6, 'add');
    let ref = 0; for (let i = 0; i < n; i++) ref += Math.fround(Math.fround(a[i]) + Math.fround(b[i]));
    assertClose([await total.item()], [ref], 1e-4, 'sum');
    s.dispose(); total.dispose();
  });
}

t('a training-like step repeated finds every bind group it needs in the cache', async () => {
  const w = Tensor.from(randn(64 * 48, 3), [64, 48]).param();
  const x = Tensor.from(randn(16 * 64, 4), [16, 64]).keep();
  const step = () => tidy(() => {
    // temporaries of one size freed in another order than made, as a backward pass frees them
    const [a, b, c] = [1, 2, 3].map((s) => addScalar(x, s));
    b.dispose(); a.dispose(); c.dispose(); g.flush();
    const y = relu(matmul(addScalar(x, 4), w));
    backward(sumAxes(mul(y, y), [0, 1]));
    w.grad?.dispose(); w.grad = undefined;
  });
  for (let i = 0; i < 2; i++) { step(); await g.sync(); }
  const d0 = g.dispatches, h0 = g.bindGroupHits;
  step(); await g.sync();
  assert.ok(g.dispatches - d0 > 5);
  assert.is(g.bindGroupHits - h0, g.dispatches - d0, 'every dispatch of the third step hit the cache');
  w.dispose(); x.dispose();
});

// Dawn's null backend exists only in Node (the `webgpu` package): the browser doctor skips this one
(host.kind === 'node' ? t : t.skip)('running out of GPU memory is a UserError naming what to shrink (Dawn\'s null device: 256 MiB)', async () => {
  const small = await Gpu.create('null');
  useGpu(small);
  const big: Tensor[] = [];
  let err: unknown;
  try {
    for (let i = 0; i < 3; i++) big.push(Tensor.empty([48 << 20]));   // 192 MiB each
    await small.sync();
    await small.sync();
  } catch (e) { err = e; } finally {
    for (const t of big) t.dispose();
    useGpu(g);
  }
  assert.instance(err, UserError);
  assert.is((err as UserError).exitCode, 3);
  assert.match((err as Error).message, /out of GPU memory on null-backend.*--batch-size/);
});

t('1000 dispatches in batches, one readback, right answer', async () => {
  const submits = g.submits;
  const out = tidy(() => {
    let x = Tensor.from(new Float32Array(257).fill(0.5));
    for (let i = 0; i < 1000; i++) x = addScalar(x, 1);
    return x;
  });
  const got = await out.read();
  assert.ok(got.every((v) => v === 1000.5), `got ${got[0]}`);
  const used = g.submits - submits;
  assert.ok(used >= 2 && used <= 20, `${used} submits for 1000 dispatches`);
  out.dispose();
});

t('pass timer: GPU time of the timed passes where the adapter has timestamp-query, else a clean refusal', async () => {
  const has = g.summary.features.includes('timestamp-query');
  assert.is(g.startPassTimer(), has);
  const t0 = performance.now();
  const out = tidy(() => {
    let x = Tensor.from(new Float32Array(1 << 20).fill(1));
    for (let i = 0; i < 40; i++) x = addScalar(x, 1);
    return x;
  });
  await g.sync();
  const wall = performance.now() - t0;
  const ms = await g.stopPassTimer();
  if (has) assert.ok(ms !== undefined && ms > 0 && ms <= wall + 1, `GPU ${ms} ms, wall ${wall.toFixed(1)} ms`);
  else assert.is(ms, undefined);
  assert.is(await g.stopPassTimer(), undefined, 'no timer running any more');
  assert.equal([...(await out.read()).subarray(0, 2)], [41, 41]);
  out.dispose();
  if (has) {
    // more passes than the query set holds: no figure rather than a partial one
    assert.ok(g.startPassTimer(2));
    const a = Tensor.from(new Float32Array(64).fill(1)), b = Tensor.empty([64]);
    tidy(() => { addScalar(a, 1); g.copy(a.buffer, 0, b.buffer, 0, 256); addScalar(a, 2); });
    assert.is(await g.stopPassTimer(), undefined);
    a.dispose(); b.dispose();
  }
});

t('a validation error names the kernel', async () => {
  const k = g.kernel('unary');
  // a buffer without STORAGE usage in a storage slot: Dawn rejects the bind group; the error must say which kernel
  const wrong = g.device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM });
  g.dispatch(k, { x: wrong, out: g.placeholder }, { n: 1, op: 0, alpha: 1, beta: 0 }, 1);
  try { await g.sync(); assert.unreachable('expected a validation error'); } catch (e) {
    assert.match((e as Error).message, /unary/);
  } finally { wrong.destroy(); }
});

t('named dispatch: a missing or unknown binding or param, or a value its field cannot hold, is an error naming the kernel and the name', () => {
  const k = g.kernel('unary');
  const x = Tensor.from([1, 2, 3]), out = Tensor.empty([3]);
  const params = { n: 3, op: 0, alpha: 2, beta: 0 };
  const cases: [Record<string, GPUBuffer>, Record<string, number>, RegExp][] = [
    [{ x: x.buffer }, params, /unary:main: binding 'out' \(2\) is not given/],
    [{ x: x.buffer, out: out.buffer, y: x.buffer }, params, /unary:main: no binding named 'y'/],
    [{ x: x.buffer, out: out.buffer }, { n: 3, op: 0, alpha: 2 }, /unary:main: param 'beta' is not given/],
    [{ x: x.buffer, out: out.buffer }, { ...params, gamma: 1 }, /unary:main: no param named 'gamma' in struct Params/],
    [{ x: x.buffer, out: out.buffer }, { ...params, n: -3 }, /unary:main: param 'n' is u32, cannot hold -3/],
    [{ x: x.buffer, out: out.buffer }, { ...params, op: 1.5 }, /unary:main: param 'op' is u32, cannot hold 1.5/],
  ];
  for (const [bindings, p, message] of cases) assert.throws(() => g.dispatch(k, bindings, p, 1), message);
  x.dispose(); out.dispose();
});

t.run();
