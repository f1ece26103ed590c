/**
 * Finding a WebGPU adapter on any machine. Order of preference:
 *   1. a hardware adapter from Dawn's default backend (Vulkan/Metal/D3D12, core feature level);
 *   2. among software adapters, llvmpipe through OpenGL ES (compatibility feature level) before
 *      Vulkan lavapipe, which reaches a fraction of llvmpipe's FMA throughput on the same CPU.
 * `I2MD_BACKEND` (or `--backend`) forces one backend. With no adapter at all we stop with exit
 * code 2 and the packages that give a software one.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { create, globals } from 'webgpu';
import { UserError } from '../util/errors.js';
import { chooseSoftwareThreads, type ThreadsChoice } from './threads.js';

export { knownBackends, isSoftware, type Backend, type Found } from './adapter-info.js';
import { knownBackends, isSoftware, type Backend, type Found } from './adapter-info.js';

let installedGlobals = false;
// Dawn's async runner keeps polling every instance it has seen; an instance that the garbage
// collector frees under it crashes the process (null mutex in ProcessEvents). So we hold them all.
const instances: GPU[] = [];
function gpuFor(backend?: Backend): GPU {
  if (!installedGlobals) { Object.assign(globalThis, globals); installedGlobals = true; }
  // Dawn rounds GPU timestamps to 2¹⁶ ns (a browser's defence against timing attacks): that would
  // make every kernel under 65 µs read 0 or 65 µs in the benchmarks and the tuner
  const gpu = create([...(backend ? [`backend=${backend}`] : []), 'disable-dawn-features=timestamp_quantization']) as GPU;
  instances.push(gpu);
  return gpu;
}

/** The threads Mesa's software drivers were started with (src/gpu/threads.ts), once an adapter was asked for. */
export let softwareThreads: ThreadsChoice | undefined;

/** The environment Mesa's software drivers need to start silently and their thread count (kept if the user set them). */
function prepareEnvironment(): void {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  if (softwareThreads) return;   // the drivers read it once
  softwareThreads = chooseSoftwareThreads((name) => process.env[name], availableParallelism());
  if (softwareThreads.threads !== undefined) process.env.LP_NUM_THREADS = String(softwareThreads.threads);
}

/** Whether a Vulkan loader is present: asking Dawn without one prints a warning we can avoid. */
function hasVulkanLoader(): boolean {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return process.platform !== 'linux' || dirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
}

export type EglState = 'ok' | 'missing' | 'no-dev-link';

/**
 * Whether Dawn's OpenGL ES backend can start. Dawn dlopens the unversioned `libEGL.so`, which
 * only the development package (libegl-dev) provides: with just libegl1's `libEGL.so.1` it fails
 * and the engine would quietly land on lavapipe, several times slower.
 */
export function eglState(exists: (path: string) => boolean = existsSync, platform = process.platform): EglState {
  if (platform !== 'linux') return 'ok';
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];
  if (dirs.some((d) => exists(`${d}/libEGL.so`))) return 'ok';
  return dirs.some((d) => exists(`${d}/libEGL.so.1`)) ? 'no-dev-link' : 'missing';
}

const eglDevHelp = 'Dawn loads libEGL.so, which the package libegl-dev provides: sudo apt-get install libegl-dev';

async function request(backend: Backend | undefined, featureLevel: 'core' | 'compatibility'): Promise<Found | undefined> {
  const gpu = gpuFor(backend);
  const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' } as GPURequestAdapterOptions);
  if (!adapter) return undefined;
  const wgslFeatures = [...((gpu as { wgslLanguageFeatures?: Iterable<string> }).wgslLanguageFeatures ?? [])].sort();
  const software = isSoftware(adapter.info);
  return { adapter, backend: backend ?? 'default', featureLevel, software, wgslFeatures, ...(software && softwareThreads ? { threads: softwareThreads } : {}) };
}

export const noAdapterHelp = [
  'no WebGPU adapter found on this machine.',
  'A software adapter needs Mesa. On Debian/Ubuntu, either:',
  '  sudo apt-get install libegl1 libegl-dev libegl-mesa0 libgles2   (llvmpipe through OpenGL ES; the faster one)',
  '  sudo apt-get install mesa-vulkan-drivers libvulkan1        (lavapipe; needs Mesa ≥ 24 — on Debian 12 from bookworm-backports)',
  'or run `npm run setup`, which installs them. See README.md, section "Setup".',
].join('\n');

/** Picks the adapter as described in the file header. */
export async function findAdapter(forced = process.env.I2MD_BACKEND): Promise<Found> {
  prepareEnvironment();
  if (forced) {
    const b = forced.toLowerCase() as Backend;
    if (!knownBackends.includes(b)) {
      throw new UserError(`unknown backend '${forced}'; known backends: ${knownBackends.join(', ')}`, 2);
    }
    if (b === 'vulkan' && !hasVulkanLoader()) throw new UserError(`backend 'vulkan' requested but no Vulkan loader (libvulkan.so.1) is installed.\n${noAdapterHelp}`, 2);
    if ((b === 'opengles' || b === 'opengl') && eglState() === 'no-dev-link') throw new UserError(`backend '${b}' requested but libEGL.so is missing. ${eglDevHelp}`, 2);
    const found = (await request(b, 'core')) ?? (await request(b, 'compatibility'));
    if (!found) throw new UserError(`backend '${b}' requested but it offers no adapter on this machine.\n${noAdapterHelp}`, 2);
    return found;
  }
  let software: Found | undefined;
  if (hasVulkanLoader() || process.platform !== 'linux') {
    const first = await request(undefined, 'core');
    if (first && !first.software) return first;
    software = first;
  }
  const egl = eglState();
  if (egl === 'ok' && process.platform === 'linux') {
    const gles = await request('opengles', 'compatibility');
    if (gles) return gles; // hardware GL ES, or llvmpipe, which beats lavapipe on the same CPU
  }
  if (software) {
    if (egl === 'no-dev-link') console.warn(`note: llvmpipe through OpenGL ES skipped, running on ${software.adapter.info.device || 'a software adapter'} through Vulkan (lavapipe: ~4× slower). ${eglDevHelp}`);
    return software;
  }
  throw new UserError(egl === 'no-dev-link' ? `${noAdapterHelp}\n(libEGL.so.1 is here but not libEGL.so: ${eglDevHelp})` : noAdapterHelp, 2);
}
