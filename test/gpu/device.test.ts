import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { findAdapter, eglState, noAdapterHelp } from '../../src/gpu/adapter.js';
import { UserError } from '../../src/util/errors.js';
import { initEngine, Tensor, tidy, backward } from '../../src/tensor/index.js';
import { add, addScalar, relu, mul } from '../../src/ops/elementwise.js';
import { matmul } from '../../src/ops/matmul/matmul.js';
import { sumAxes } from '../../src/ops/reduce.js';
import { BufferPool } from '../../src/gpu/pool.js';
import { pipelineKey, kernelFiles, kernelInterface } from '../../src/gpu/kernels.js';
import { randn, assertClose } from '../helpers/check.js';
import { Gpu } from '../../src/gpu/device.js';
import { useGpu } from '../../src/tensor/tensor.js';

const t = suite('gpu/runtime');
let g: Gpu;
t.before(async () => { g = await initEngine(); });

const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
const installed = (lib: string) => libDirs.some((d) => existsSync(`${d}/${lib}`));
/** Whether a driver manifest is present (a loader alone offers no adapter). */
const manifest = (dirs: string[], env: string[]) =>
  env.some((v) => process.env[v]) || dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
// GL ES is the software path (Mesa's EGL, surfaceless): a GPU driver's EGL vendor need not offer it
const eglDriver = () => ['/usr/share/glvnd/egl_vendor.d', '/etc/glvnd/egl_vendor.d'].some((d) => existsSync(`${d}/50_mesa.json`));
const vulkanDriver = () => manifest(['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'], ['VK_DRIVER_FILES', 'VK_ICD_FILENAMES', 'VK_ADD_DRIVER_FILES']);

t('the engine picked an adapter and names it', () => {
  assert.ok(g.name.length > 0);
  assert.ok(['opengles', 'vulkan', 'metal', 'd3d12', 'd3d11', 'opengl'].includes(g.summary.backend), g.summary.backend);
});

t('each installed backend offers an adapter', async () => {
  const backends = [eglState() === 'ok' && eglDriver() && 'opengles', installed('libvulkan.so.1') && vulkanDriver() && 'vulkan'].filter(Boolean) as string[];
  assert.ok(backends.length > 0, 'no EGL or Vulkan loader with a driver installed');
  for (const b of backends) {
    const found = await findAdapter(b);
    assert.is(found.backend, b);
    assert.ok(found.adapter.limits.maxStorageBuffersPerShaderStage >= 4);
  }
});

t('GL ES needs the unversioned libEGL.so that Dawn loads (libegl-dev), and the help says so', async () => {
  const only = (...present: string[]) => (p: string) => present.includes(p);
  assert.is(eglState(only('/usr/lib/x86_64-linux-gnu/libEGL.so', '/usr/lib/x86_64-linux-gnu/libEGL.so.1'), 'linux'), 'ok');
  assert.is(eglState(only('/usr/lib/aarch64-linux-gnu/libEGL.so.1'), 'linux'), 'no-dev-link');
  assert.is(eglState(only(), 'linux'), 'missing');
  assert.is(eglState(only(), 'darwin'), 'ok');
  assert.match(noAdapterHelp, /libegl-dev/);
  if (eglState() === 'no-dev-link') {
    try { await findAdapter('opengles'); assert.unreachable('opengles without libEGL.so should fail'); }
    catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, /libegl-dev/); }
  }
});

t('forcing a backend that does not exist is a clear error (exit code 2)', async () => {
  for (const b of ['nosuch', 'd3d12']) {
    try {
      await findAdapter(b);
      if (b === 'd3d12' && process.platform === 'win32') continue;
      assert.unreachable(`backend ${b} should fail`);
    } catch (e) {
      assert.instance(e, UserError);
      assert.is((e as UserError).exitCode, 2);
      assert.match((e as Error).message, b === 'nosuch' ? /unknown backend 'nosuch'/ : /offers no adapter|no .*loader/);
    }
  }
});

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

t('a freed buffer of the same size class is reused after the batch is submitted', () => {
  const pool = g.pool;
  const x = Tensor.empty([1000]);
  const buf = x.buffer;
  x.dispose();
  g.flush();
  const created = pool.created;
  const y = Tensor.empty([990]); // same class as 1000 floats
  assert.is(pool.created, created, 'no new buffer');
  assert.is(y.buffer, buf, 'the same buffer came back');
  y.dispose();
  assert.is(BufferPool.sizeClass(4000), BufferPool.sizeClass(3960));
  assert.ok(BufferPool.sizeClass(5000) <= 5000 * 1.25);
});

t('a buffer released inside an unsubmitted batch is not handed out before the submit', () => {
  const x = Tensor.from([1, 2, 3]);
  const y = addScalar(x, 1); // recorded, not submitted
  const buf = x.buffer;
  x.dispose();
  const z = Tensor.empty([3]);
  assert.is.not(z.buffer, buf);
  y.dispose(); z.dispose(); g.flush();
});

t('the pool hands out its oldest free buffer of a size class, whatever order they were freed in', () => {
  let made = 0;
  const fake = { createBuffer: () => ({ id: made++ }) } as unknown as GPUDevice;
  const pool = new BufferPool(fake, 0, 'test');
  const bufs = [0, 1, 2, 3].map(() => pool.acquire(1000));
  for (const i of [2, 0, 3, 1]) pool.release(bufs[i]);
  pool.submitted();
  assert.equal([0, 1, 2].map(() => (pool.acquire(1000) as unknown as { id: number }).id), [0, 1, 2]);
  pool.release(bufs[0]); pool.submitted();
  assert.is((pool.acquire(900) as unknown as { id: number }).id, 0, 'the same class, the oldest again');
  assert.is(pool.created, 4);
});

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

t('running out of GPU memory is a UserError naming what to shrink (Dawn\'s null device: 256 MiB)', async () => {
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

t('pipeline cache: the second request of a kernel is a hit', () => {
  const k1 = g.kernel('binary');
  const hits = g.pipelines.hits;
  const k2 = g.kernel('binary');
  assert.is(k1, k2);
  assert.is(g.pipelines.hits, hits + 1);
  const k3 = g.kernel('binary', 'main', { WG: 64 });
  assert.is.not(k3, k1, 'overrides make another pipeline');
  assert.is(g.kernel('binary', 'same4', { WG: 64, RV: 2 }), g.kernel('binary', 'same4', { RV: 2, WG: 64 }), 'override order does not matter');
  assert.is(pipelineKey('binary', 'same4', { WG: 64, RV: 2 }), 'binary:same4{RV=2,WG=64}');
  assert.is(pipelineKey('binary', 'main', {}), 'binary:main');
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

t('every kernel file follows the binding rules (one name per binding, a vec4 view adds 4) and every entry reflects', () => {
  const files = kernelFiles();
  assert.ok(files.length > 20, `${files.length} kernel files`);
  for (const f of files) {
    const m = kernelInterface(f);
    assert.equal(m.errors, [], f);
    assert.ok(m.entries.size > 0, `${f}: no entry point found`);
  }
});

t.run();
