/**
 * Loading WGSL from kernels/ (next to the installed package, not the working directory; in a
 * browser from the strings the page embeds — src/gpu/host.ts) and the pipeline cache. A line `// #include "lib/x.wgsl"` pulls in a shared helper file, so index
 * maths is written once. Shapes never live in WGSL text: they come in the uniform `params`, so
 * one pipeline serves every size (a software adapter spends ~1 s of JIT per new pipeline).
 * Workgroup sizes and tuning variants are WGSL `override` constants.
 */
import { host } from './host.js';
import { reflectModule, type EntryInterface, type ModuleInterface } from './reflect.js';

const sources = new Map<string, string>();

/** The text with each `// #include "lib/x.wgsl"` line replaced by that file's text. */
function expandIncludes(text: string): string {
  return text.replace(/^\s*\/\/\s*#include\s+"([^"]+)"\s*$/gm, (_, inc: string) => kernelSource(inc));
}

export function kernelSource(name: string): string {
  let src = sources.get(name);
  if (src === undefined) {
    src = expandIncludes(host.kernelText(name));
    sources.set(name, src);
  }
  return src;
}

/**
 * Registers a kernel whose text is made at run time (src/ops/graphconv/support.ts: one module per
 * graph support) under a name no file has; `kernel(name, …)` then loads it like a file. The same
 * name must always bring the same text: names are pipeline-cache keys.
 */
export function defineKernel(name: string, source: string): void {
  const text = expandIncludes(source);
  const had = sources.get(name);
  if (had !== undefined && had !== text) throw new Error(`defineKernel: '${name}' is already defined with other text`);
  sources.set(name, text);
}

export interface Kernel {
  name: string;          // 'file:entry' plus overrides, for error messages and the cache key
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** What the entry reads: its uniform struct and its bindings, by name (src/gpu/reflect.ts). */
  iface: EntryInterface;
  /** Every binding name the file declares. */
  module: ModuleInterface;
}

/** Every kernel file under kernels/ (names as `kernel()` takes them, e.g. 'tconv/direct'), the shared lib/ pieces excluded. */
export function kernelFiles(): string[] { return host.kernelNames(); }

const interfaces = new Map<string, ModuleInterface>();
/** The reflected interface of a kernel file (parsed once). */
export function kernelInterface(file: string): ModuleInterface {
  let m = interfaces.get(file);
  if (!m) { m = reflectModule(file, kernelSource(file)); interfaces.set(file, m); }
  return m;
}

export type Overrides = Record<string, number>;

export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, Kernel>();
  hits = 0;
  misses = 0;

  constructor(private device: GPUDevice) {}

  get(file: string, entry = 'main', overrides: Overrides = {}): Kernel {
    const key = pipelineKey(file, entry, overrides);
    const hit = this.pipelines.get(key);
    if (hit) { this.hits++; return hit; }
    this.misses++;
    let module = this.modules.get(file);
    if (!module) {
      module = this.device.createShaderModule({ code: kernelSource(file), label: file });
      this.modules.set(file, module);
    }
    const iface = kernelInterface(file);
    const entryIface = iface.entries.get(entry);
    if (!entryIface) throw new Error(`kernel ${file}: no entry point '${entry}' (it has ${[...iface.entries.keys()].join(', ')})`);
    const pipeline = this.device.createComputePipeline({
      layout: 'auto',
      label: key,
      compute: { module, entryPoint: entry, constants: overrides },
    });
    const kernel = { name: key, pipeline, layout: pipeline.getBindGroupLayout(0), iface: entryIface, module: iface };
    this.pipelines.set(key, kernel);
    return kernel;
  }
}

/**
 * 'file:entry{A=1,B=2}', the overrides in name order. Built for every dispatch's kernel lookup, so
 * a plain loop that sorts only when the names do not come sorted (half the cost of keys/sort/map/join).
 */
export function pipelineKey(file: string, entry: string, overrides: Overrides): string {
  const names = Object.keys(overrides);
  if (names.length === 0) return `${file}:${entry}`;
  for (let i = 1; i < names.length; i++) if (names[i] < names[i - 1]) { names.sort(); break; }
  let key = `${file}:${entry}{`;
  for (let i = 0; i < names.length; i++) key += (i ? ',' : '') + names[i] + '=' + overrides[names[i]];
  return key + '}';
}
