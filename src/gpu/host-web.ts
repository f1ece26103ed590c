/**
 * The browser host (see src/gpu/host.ts for the contract): the adapter from `navigator.gpu`, the
 * kernels from the strings web/build.mjs embeds (module `virtual:i2md-kernels`, every file of
 * kernels/ by its relative path), no environment, no files, the console for log lines. The web
 * build redirects every import of `host.js` here; Node never loads this file.
 */
import kernelTexts from 'virtual:i2md-kernels';
import type { Host } from './host.js';
import { isSoftware, type Found } from './adapter-info.js';
import { UserError } from '../util/errors.js';

const noFiles = (what: string): never => { throw new UserError(`${what}: a browser page has no file system (hand the bytes to the parse functions instead)`); };

function gpuOfPage(): GPU {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new UserError('this browser has no WebGPU (navigator.gpu is missing): use a recent Chrome/Edge, Safari 26+ or Firefox 141+, or start Chromium with --enable-unsafe-webgpu', 2);
  return gpu;
}

const join = (...parts: string[]): string => parts.filter(Boolean).join('/').replace(/\/+/g, '/');

export const host: Host = {
  kind: 'browser',
  platform: 'browser',
  env: () => undefined,
  async findAdapter(forced?: string): Promise<Found> {
    // the browser picks the backend (Metal, D3D12, Vulkan); asking for one must not silently give another
    if (forced) throw new UserError(`backend '${forced}' requested, but a browser chooses its own backend`, 2);
    const gpu = gpuOfPage();
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new UserError('navigator.gpu offers no adapter (WebGPU blocked or no usable GPU in this browser)', 2);
    const wgslFeatures = [...((gpu as { wgslLanguageFeatures?: Iterable<string> }).wgslLanguageFeatures ?? [])].sort();
    return { adapter, backend: 'default', featureLevel: 'core', software: isSoftware(adapter.info), wgslFeatures };
  },
  kernelText(file) {
    const text = kernelTexts[file.endsWith('.wgsl') ? file : `${file}.wgsl`];
    if (text === undefined) throw new Error(`kernel ${file}: not embedded in this page (web/build.mjs embeds kernels/)`);
    return text;
  },
  kernelNames: () => Object.keys(kernelTexts).filter((f) => !f.startsWith('lib/')).map((f) => f.replace(/\.wgsl$/, '')).sort(),
  driver: () => `browser (${(globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ?? '?'})`,
  tuningFilePath: () => '',
  files: {
    exists: () => false,
    isDir: () => false,
    read: (p) => noFiles(p),
    readText: (p) => noFiles(p),
    writeAtomic: (p) => noFiles(p),
    write: (p) => noFiles(p),
    append: (p) => noFiles(p),
    mkdirp: (p) => noFiles(p),
    makeOutputDir: (p) => noFiles(p),
    list: (p) => noFiles(p),
    rename: (p) => noFiles(p),
    link: (p) => noFiles(p),
    remove: (p) => noFiles(p),
    fsyncDir: (p) => noFiles(p),
  },
  path: { join, dirname: (p) => p.replace(/\/[^/]*$/, '') || '.', basename: (p) => p.replace(/^.*\//, '') },
  logLine: (line) => console.log(line),
  isTTY: () => false,
  cpuTimeMs: () => undefined,
  cores: () => (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1,
  onInterrupt: () => () => undefined,
  pid: () => 0,
  crash: () => { throw new Error('crash(): a page cannot end itself'); },
};
