import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync } from 'node:fs';
import { findAdapter, eglState, noAdapterHelp } from '../../src/gpu/adapter.js';
import { UserError } from '../../src/util/errors.js';
import { initEngine } from '../../src/tensor/index.js';
import type { Gpu } from '../../src/gpu/device.js';

const t = suite('gpu/adapter');
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

t.run();
