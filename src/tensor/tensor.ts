/**
 * Tensor: a contiguous float32 (or int32) array on the GPU with a shape.
 *
 * Lifetime is explicit: `tidy(fn)` frees every tensor made inside it except the ones it returns
 * (and those marked `keep()`); `dispose()` frees one at once. The autograd tape only lives inside
 * a tidy — forward, backward and the optimiser step of one training step run in one — so the
 * tensors the tape saved live at most as long as the step; autograd frees them earlier where it
 * can prove no backward rule reads them (autograd.ts: `release`, `releaseUnread`).
 */
import type { Gpu } from '../gpu/device.js';
import { usePolicyAdapter } from '../gpu/policy.js';

export type DType = 'f32' | 'i32';

let device: Gpu | undefined;
/** Binds the engine to a device; every op dispatches to it. */
export function useGpu(g: Gpu): void { device = g; usePolicyAdapter(g.summary); }
export function G(): Gpu {
  if (!device) throw new Error('no GPU bound: call `await initEngine()` first');
  return device;
}

const scopes: Set<Tensor>[] = [];
let nextId = 1;
let clock = 0;
/** How many tape records were ever made: a tensor's `born` (autograd.ts frees by it). */
export function recordClock(): number { return clock; }
/** Called by autograd's record: the next tensors are born after this record. */
export function advanceRecordClock(): number { return clock++; }
/** Every tensor a tidy would free now (the autograd's candidates for an early free). */
export function scopedTensors(): Tensor[] { return scopes.flatMap((s) => [...s]); }

/** A GPU buffer shared by a tensor and its reshaped views; freed when the last one goes. */
interface Storage { buffer: GPUBuffer; refs: number }

export class Tensor {
  readonly id = nextId++;
  /** The record clock when it was made: no backward rule recorded before then can read it. */
  readonly born = clock;
  readonly size: number;
  requiresGrad = false;
  grad?: Tensor;
  private disposed = false;
  private storage: Storage;

  constructor(buffer: GPUBuffer | Tensor, readonly shape: readonly number[], readonly dtype: DType = 'f32') {
    this.size = shape.reduce((a, b) => a * b, 1);
    if (buffer instanceof Tensor) { this.storage = buffer.storage; this.storage.refs++; }
    else this.storage = { buffer, refs: 1 };
    scopes.at(-1)?.add(this);
  }

  get buffer(): GPUBuffer {
    // a disposed tensor's buffer may already hold another tensor: reading it would be silently wrong
    if (this.disposed) throw new Error(`use of a disposed tensor ${this}`);
    return this.storage.buffer;
  }

  /** The same data under another shape of equal size (no copy, no gradient: see ops/shape.ts reshape). */
  view(shape: readonly number[]): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== this.size) throw new Error(`cannot view [${this.shape}] as [${shape}]`);
    return new Tensor(this, shape, this.dtype);
  }

  get rank(): number { return this.shape.length; }
  get bytes(): number { return this.size * 4; }
  get isDisposed(): boolean { return this.disposed; }

  /** A fresh, uninitialised tensor from the pool. */
  static empty(shape: readonly number[], dtype: DType = 'f32'): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    return new Tensor(G().pool.acquire(Math.max(4, size * 4)), shape, dtype);
  }

  static from(data: ArrayLike<number>, shape: readonly number[] = [data.length], dtype: DType = 'f32'): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`Tensor.from: ${data.length} values for shape [${shape}]`);
    const t = Tensor.empty(shape, dtype);
    const arr = dtype === 'f32' ? Float32Array.from(data) : Int32Array.from(data);
    if (size > 0) G().write(t.buffer, arr);
    return t;
  }

  /** Excludes this tensor from the enclosing tidy's clean-up (parameters, optimiser state, queues). */
  keep(): this {
    for (const s of scopes) s.delete(this);
    return this;
  }

  /** Makes this a leaf that collects a gradient in `backward`. */
  param(): this { this.requiresGrad = true; return this.keep(); }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (--this.storage.refs === 0) G().pool.release(this.storage.buffer);
    for (const s of scopes) s.delete(this);
  }

  async read(): Promise<Float32Array> {
    if (this.disposed) throw new Error(`read of a disposed tensor [${this.shape}]`);
    const bytes = await G().read(this.buffer, this.size * 4);
    return new Float32Array(bytes);
  }
  async readInt(): Promise<Int32Array> {
    return new Int32Array(await G().read(this.buffer, this.size * 4));
  }
  async item(): Promise<number> { return (await this.read())[0]; }

  toString(): string { return `Tensor#${this.id}[${this.shape.join(',')}]${this.dtype === 'i32' ? ':i32' : ''}`; }
}

/** Runs fn and frees every tensor it created except what it returns (a tensor, array or object of tensors). */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const keepers = new Set<Tensor>();
  collect(result, keepers);
  for (const t of scope) if (!keepers.has(t)) t.dispose();
  // returned tensors belong to the enclosing scope now
  for (const t of keepers) if (scope.has(t)) scopes.at(-1)?.add(t);
  return result;
}

function collect(x: unknown, out: Set<Tensor>): void {
  if (x instanceof Tensor) out.add(x);
  else if (Array.isArray(x)) for (const v of x) collect(v, out);
  else if (x && typeof x === 'object' && !(x instanceof Promise)) for (const v of Object.values(x)) collect(v, out);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}
