/**
 * The one GPU device of the process and the dispatch queue in front of it.
 *
 * Dispatches are recorded into one compute pass of one command encoder and submitted in batches
 * (every `batchSize` dispatches, or when a result is read back). Each dispatch's uniform params
 * take a 256-byte slot of a CPU arena that is written to a single uniform buffer just before the
 * submit; reusing that buffer for the next batch is safe because queue order puts the next
 * write after the previous batch's execution.
 */
import type { ThreadsChoice } from './threads.js';
import type { Found } from './adapter-info.js';
import { host } from './host.js';
import { BufferPool } from './pool.js';
import { PipelineCache, type Kernel, type Overrides } from './kernels.js';
import type { ParamLayout, ParamField } from './reflect.js';
import { UserError } from '../util/errors.js';

/** What a dispatch binds, by the kernel's binding names. */
export type Bindings = Record<string, GPUBuffer | GPUBufferBinding>;
/** A dispatch's uniform params, by the kernel's struct field names. */
export type Params = Record<string, number | readonly number[]>;

const slotBytes = 256;
const arenaSlots = 2048;

export interface DeviceSummary {
  backend: string; featureLevel: string; software: boolean;
  vendor: string; architecture: string; device: string; description: string;
  limits: Record<string, number>;
  features: string[];
  /** WGSL language features the shader compiler accepts (`requires` directives). */
  wgslFeatures: string[];
  /** Software adapters in Node: Mesa's threads per dispatch and where the number came from (src/gpu/threads.ts). */
  softwareThreads?: ThreadsChoice;
}

const wantedLimits = [
  'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxBindGroups',
  'maxUniformBufferBindingSize',
] as const;
const wantedFeatures = ['shader-f16', 'subgroups', 'timestamp-query'];

export class Gpu {
  readonly pool: BufferPool;
  readonly staging: BufferPool;
  readonly pipelines: PipelineCache;
  readonly summary: DeviceSummary;
  /** A small buffer bound where a kernel declares a binding the current variant does not use. */
  readonly placeholder: GPUBuffer;
  private encoder?: GPUCommandEncoder;
  private pass?: GPUComputePassEncoder;
  private uniformBuffer: GPUBuffer;
  private arena = new ArrayBuffer(slotBytes * arenaSlots);
  private arenaU32 = new Uint32Array(this.arena);
  private arenaF32 = new Float32Array(this.arena);
  private arenaI32 = new Int32Array(this.arena);
  private slots = 0;
  private recorded = 0;   // dispatches since the last submit
  private lastError?: { message: string; outOfMemory: boolean };
  // Bind groups are cached by (kernel, uniform slot, buffers): a training step allocates its
  // tensors from the pool in the same order every time, so its dispatches repeat exactly and
  // skip createBindGroup (the largest part of our per-dispatch cost).
  private bindGroups = new Map<string, GPUBindGroup>();
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  bindGroupHits = 0;
  batchSize = 128;
  dispatches = 0;   // total dispatches recorded (bench: dispatches per step)
  submits = 0;

  private constructor(readonly device: GPUDevice, found: Found) {
    this.pool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'tensor');
    this.staging = new BufferPool(device, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
    // a bind group keeps its buffers; those the pool destroyed under its cache limit must go too
    this.pool.onDestroyed = () => this.bindGroups.clear();
    // I2MD_POOL_CACHE_MB: at most this many MB of free buffers beside the live ones (docs/bench.md#memory)
    const cacheMb = host.env('I2MD_POOL_CACHE_MB');
    if (cacheMb !== undefined && cacheMb !== '') this.pool.cacheLimit = Number(cacheMb) * 1e6;
    this.pipelines = new PipelineCache(device);
    this.uniformBuffer = device.createBuffer({ size: slotBytes * arenaSlots, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'params' });
    this.placeholder = device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE, label: 'placeholder' });
    const info = found.adapter.info;
    const limits: Record<string, number> = {};
    for (const k of wantedLimits) limits[k] = device.limits[k];
    this.summary = {
      backend: found.backend === 'default' ? guessBackend(info) : found.backend,
      featureLevel: found.featureLevel, software: found.software,
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      limits, features: [...device.features].sort(), wgslFeatures: found.wgslFeatures,
      ...(found.threads ? { softwareThreads: found.threads } : {}),
    };
    device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.lastError ??= { message: ev.error.message, outOfMemory: ev.error.constructor.name === 'GPUOutOfMemoryError' };
    };
  }

  static async create(backend?: string): Promise<Gpu> {
    const found = await host.findAdapter(backend);
    const a = found.adapter;
    const requiredLimits: Record<string, number> = {};
    for (const k of wantedLimits) requiredLimits[k] = a.limits[k];
    const requiredFeatures = wantedFeatures.filter((f) => a.features.has(f)) as GPUFeatureName[];
    const device = await a.requestDevice({ requiredLimits, requiredFeatures, label: 'i2md' });
    return new Gpu(device, found);
  }

  get limits(): Record<string, number> { return this.summary.limits; }
  /** One line naming the adapter, for logs and benchmark records. */
  get name(): string {
    const s = this.summary;
    const threads = s.softwareThreads?.threads;
    return `${s.device || s.description || s.vendor} (${s.backend}, ${s.featureLevel}${s.software ? ', software' : ''}${threads ? `, ${threads} threads` : ''})`;
  }

  kernel(file: string, entry = 'main', overrides: Overrides = {}): Kernel {
    return this.pipelines.get(file, entry, overrides);
  }

  private ensurePass(): GPUComputePassEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    if (!this.pass) this.pass = this.encoder.beginComputePass(this.passTimestamps());
    return this.pass;
  }

  private timer?: { set: GPUQuerySet; next: number; capacity: number; overflow: boolean };

  /** With a pass timer running: the timestamp writes of the next compute pass (its begin and end). */
  private passTimestamps(): GPUComputePassDescriptor | undefined {
    const t = this.timer;
    if (!t) return undefined;
    if (t.next + 2 > t.capacity) { t.overflow = true; return undefined; }
    const at = t.next;
    t.next += 2;
    return { timestampWrites: { querySet: t.set, beginningOfPassWriteIndex: at, endOfPassWriteIndex: at + 1 } };
  }

  /**
   * Starts timing the GPU: every compute pass opened until `stopPassTimer` writes a timestamp at
   * its beginning and end (bench/harness.ts). False, and nothing happens, where the device has no
   * `timestamp-query` feature. Work recorded before the call is submitted first.
   */
  startPassTimer(capacity = 4096): boolean {
    if (!this.device.features.has('timestamp-query')) return false;
    this.flush();
    this.timer?.set.destroy();
    this.timer = { set: this.device.createQuerySet({ type: 'timestamp', count: capacity }), next: 0, capacity, overflow: false };
    return true;
  }

  /**
   * Stops the pass timer and returns the GPU time of the passes recorded since the start — Σ (end −
   * begin) in ms — or undefined when no timer ran, a pass went untimed (more passes than the query
   * set holds) or the timestamps are not usable (zero or out of order).
   */
  async stopPassTimer(): Promise<number | undefined> {
    const t = this.timer;
    if (!t) return undefined;
    this.flush();
    this.timer = undefined;
    const n = t.next;
    if (n === 0 || t.overflow) { t.set.destroy(); return undefined; }
    const resolve = this.device.createBuffer({ size: n * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = this.device.createBuffer({ size: n * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    enc.resolveQuerySet(t.set, 0, n, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, n * 8);
    this.device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const stamps = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const b of [resolve, read]) b.destroy();
    t.set.destroy();
    let ns = 0;
    for (let i = 0; i < n; i += 2) {
      if (stamps[i] === 0n || stamps[i + 1] < stamps[i]) return undefined;
      ns += Number(stamps[i + 1] - stamps[i]);
    }
    return ns / 1e6;
  }

  /**
   * Records one dispatch of `kernel`. `buffers` names what each binding gets — the names the
   * kernel's WGSL declares (a `{ buffer, offset, size }` binds only that range: uniform windows);
   * `params` names the fields of its uniform struct (binding 0), written with the field's type
   * (u32, i32 or f32; arrays as arrays). A binding or field the entry needs and is not given, a
   * name the kernel does not declare, or a value its field cannot hold is an error naming the
   * kernel (src/gpu/reflect.ts). `groups` is the workgroup count; a 1-D count over the
   * per-dimension limit is folded into 2-D (kernels compute their flat workgroup index as
   * wid.x + wid.y · nwg.x).
   */
  dispatch(kernel: Kernel, buffers: Bindings, params: Params | undefined, groups: number | [number, number, number?]): void {
    if (this.slots >= arenaSlots) this.flush();
    if (kernel.module.errors.length) throw new Error(kernel.module.errors.join('\n'));
    const layout = kernel.iface.params;
    if (layout) {
      if (!params) throw new Error(`${kernel.name}: needs the params ${layout.fields.map((f) => f.name).join(', ')}`);
      this.writeParams(kernel, layout, params);
    } else if (params) {
      throw new Error(`${kernel.name}: takes no params, got ${Object.keys(params).join(', ')}`);
    }
    const uniformBytes = layout?.bytes ?? 0;
    let key = `${kernel.name}|${uniformBytes ? this.slots : -1}`;
    const bound: (GPUBuffer | GPUBufferBinding)[] = [];
    for (const b of kernel.iface.bindings) {
      const buf = buffers[b.name];
      if (buf === undefined) throw new Error(`${kernel.name}: binding '${b.name}' (${b.binding}) is not given`);
      bound.push(buf);
      key += 'buffer' in buf ? `|${this.idOf(buf.buffer)}@${buf.offset ?? 0}+${buf.size ?? ''}` : `|${this.idOf(buf)}`;
    }
    for (const name in buffers) if (!kernel.module.names.has(name)) throw new Error(`${kernel.name}: no binding named '${name}' (it has ${[...kernel.module.names].join(', ')})`);
    let bindGroup = this.bindGroups.get(key);
    if (bindGroup) this.bindGroupHits++;
    else {
      const entries: GPUBindGroupEntry[] = [];
      if (uniformBytes) entries.push({ binding: 0, resource: { buffer: this.uniformBuffer, offset: this.slots * slotBytes, size: uniformBytes } });
      // the placeholder stands for "not read": where it fills several slots, each gets its own
      // copy, so a read-write slot never aliases a read-only one (a validation error)
      let spare = 0;
      kernel.iface.bindings.forEach((s, i) => {
        let b = bound[i];
        if (b === this.placeholder && spare++ > 0) b = this.sparePlaceholder(spare - 2);
        entries.push({ binding: s.binding, resource: 'buffer' in b ? b : { buffer: b } });
      });
      bindGroup = this.device.createBindGroup({ layout: kernel.layout, entries, label: kernel.name });
      if (this.bindGroups.size >= 16384) this.bindGroups.clear();
      this.bindGroups.set(key, bindGroup);
    }
    if (uniformBytes) this.slots++;
    const pass = this.ensurePass();
    pass.setPipeline(kernel.pipeline);
    pass.setBindGroup(0, bindGroup);
    let [x, y, z] = typeof groups === 'number' ? [groups, 1, 1] : [groups[0], groups[1], groups[2] ?? 1];
    const maxDim = this.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxDim && y === 1) { y = Math.ceil(x / maxDim); x = Math.ceil(x / y); }
    if (x > 0 && y > 0 && z > 0) pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
    // counted from the last submit, so a step that starts after a readback sees the same slots
    // (and the same cached bind groups) every time
    if (++this.recorded >= this.batchSize) this.flush();
  }

  /** Writes named params into this dispatch's arena slot with each field's type; errors name the kernel and field. */
  private writeParams(kernel: Kernel, layout: ParamLayout, params: Params): void {
    const base = (this.slots * slotBytes) / 4;
    if (layout.bytes > slotBytes) throw new Error(`${kernel.name}: struct ${layout.struct} is ${layout.bytes} bytes, over the ${slotBytes}-byte slot`);
    for (const f of layout.fields) {
      const v = params[f.name];
      if (v === undefined) {
        if (!f.name.startsWith('_')) throw new Error(`${kernel.name}: param '${f.name}' is not given`);
        for (let i = 0; i < f.count; i++) this.arenaU32[base + f.offset + i * f.stride] = 0;
        continue;
      }
      if (f.count === 1) { this.writeValue(kernel, f, base + f.offset, v as number); continue; }
      if (!Array.isArray(v) || v.length > f.count) throw new Error(`${kernel.name}: param '${f.name}' takes up to ${f.count} values, got ${Array.isArray(v) ? v.length : typeof v}`);
      for (let i = 0; i < f.count; i++) this.writeValue(kernel, f, base + f.offset + i * f.stride, i < v.length ? v[i] : 0);
    }
    for (const name in params) {
      if (!layout.names.has(name)) throw new Error(`${kernel.name}: no param named '${name}' in struct ${layout.struct}`);
    }
  }

  private writeValue(kernel: Kernel, f: ParamField, at: number, v: number): void {
    if (typeof v !== 'number') throw new Error(`${kernel.name}: param '${f.name}' must be a number, got ${typeof v}`);
    if (f.kind === 'f32') { this.arenaF32[at] = v; return; }
    const [lo, hi] = f.kind === 'u32' ? [0, 0xffffffff] : [-0x80000000, 0x7fffffff];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${kernel.name}: param '${f.name}' is ${f.kind}, cannot hold ${v}`);
    if (f.kind === 'u32') this.arenaU32[at] = v; else this.arenaI32[at] = v;
  }

  private spares: GPUBuffer[] = [];
  private sparePlaceholder(i: number): GPUBuffer {
    while (this.spares.length <= i) this.spares.push(this.device.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE, label: `placeholder-${this.spares.length + 2}` }));
    return this.spares[i];
  }

  private idOf(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) { id = this.nextBufferId++; this.bufferIds.set(b, id); }
    return id;
  }

  /** Copies bytes between buffers (ends the current compute pass; the next dispatch opens another). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number): void {
    this.ensurePass();
    this.pass!.end(); this.pass = undefined;
    this.encoder!.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  write(dst: GPUBuffer, data: ArrayBufferView, dstOffset = 0): void {
    // writeBuffer runs before the unsubmitted batch: submit first so earlier dispatches see the old contents.
    if (this.encoder) this.flush();
    this.device.queue.writeBuffer(dst, dstOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Submits everything recorded so far. */
  flush(): void {
    if (this.pass) { this.pass.end(); this.pass = undefined; }
    if (this.slots > 0) this.device.queue.writeBuffer(this.uniformBuffer, 0, this.arena, 0, this.slots * slotBytes);
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = undefined;
      this.submits++;
    }
    this.slots = 0;
    this.recorded = 0;
    this.pool.submitted();
    this.checkErrors();
  }

  checkErrors(): void {
    const e = this.lastError;
    if (!e) return;
    this.lastError = undefined;
    // too big a run for this adapter is the user's to fix (a smaller batch, queue or clip), not a bug
    if (e.outOfMemory) {
      throw new UserError(`out of GPU memory on ${this.name}: this run needs more than the adapter has. ` +
        `Try a smaller --batch-size, --queue-size or --frames, or a machine with more memory. (${e.message.split('\n')[0]})`, 3);
    }
    throw new Error(`GPU validation error: ${e.message}`);
  }

  /** Reads `bytes` from a buffer: the one place the CPU waits for the GPU. */
  async read(src: GPUBuffer, bytes: number, srcOffset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(bytes / 4) * 4;
    const stage = this.staging.acquire(size);
    this.copy(src, srcOffset, stage, 0, size);
    this.flush();
    await stage.mapAsync(GPUMapMode.READ, 0, size);
    const out = stage.getMappedRange(0, size).slice(0, bytes);
    stage.unmap();
    this.staging.release(stage);
    this.staging.submitted();
    this.checkErrors();
    return out;
  }

  /** Waits until the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
    this.checkErrors();
  }

  destroy(): void {
    this.flush();
    this.bindGroups.clear();
    this.pool.trim(); this.staging.trim();
    this.device.destroy();
  }
}

function guessBackend(info: GPUAdapterInfo): string {
  const d = `${info.description} ${info.device}`.toLowerCase();
  if (d.includes('vulkan') || d.includes('lavapipe')) return 'vulkan';
  if (d.includes('opengl')) return 'opengles';
  if (host.platform === 'darwin') return 'metal';
  if (host.platform === 'win32') return 'd3d12';
  return 'vulkan';
}

let current: Promise<Gpu> | undefined;
/** The process-wide device, created on first use. */
export function gpu(): Promise<Gpu> {
  current ??= Gpu.create().catch((e) => { current = undefined; throw e; });
  return current;
}
/** Forgets the process device (tests that force another backend). */
export function resetGpu(): void { current = undefined; }

export { UserError };
