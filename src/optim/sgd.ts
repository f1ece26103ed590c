/**
 * SGD with momentum and weight decay, PyTorch's update rule exactly — kernels/sgd_multi.wgsl, five
 * parameters per dispatch where the device allows 16 storage buffers per stage (`main5`), four
 * where it allows 12 (`main`), else kernels/optim.wgsl `sgd`, one per parameter (the kernel
 * policy's `sgd` setting, src/gpu/policy.ts):
 *   d = g + λ·p;  v = μ·v + (1 − dampening)·d  (the first step sets v = d, as PyTorch fills the
 *   buffer with the first gradient);  p −= lr·v   (nesterov: p −= lr·(d + μ·v)).
 * The velocity buffers are tensors kept across steps, one per position in the parameter list, so
 * `step` must be given the same list (same order) every time, and a checkpoint is that list of
 * buffers (`state()` / `load()`).
 */
import { Tensor, G } from '../tensor/tensor.js';
import type { Bindings, Params } from '../gpu/device.js';
import { kernelNumber } from '../gpu/policy.js';

const WG = 256;

/** Distinct dummy buffers for unused slots (and for velocities without momentum), per device. */
let dummies: { device: GPUDevice; p: GPUBuffer[]; g: GPUBuffer[]; v: GPUBuffer[] } | undefined;
function dummyBuffers(): { p: GPUBuffer[]; g: GPUBuffer[]; v: GPUBuffer[] } {
  const device = G().device;
  if (dummies?.device !== device) {
    const make = () => device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'sgd-dummy' });
    const five = () => [make(), make(), make(), make(), make()];
    dummies = { device, p: five(), g: five(), v: five() };
  }
  return dummies;
}

export interface SgdOptions { momentum?: number; weightDecay?: number; dampening?: number; nesterov?: boolean }

export class SGD {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  /** Velocity per parameter position; undefined until that parameter's first step. */
  private velocity: (Tensor | undefined)[] = [];

  constructor(opts: SgdOptions = {}) {
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    this.dampening = opts.dampening ?? 0;
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new Error('SGD: nesterov needs momentum > 0 and dampening 0');
  }

  /** Updates every parameter that has a gradient, then disposes and clears the gradients. */
  step(params: Tensor[], lr: number): void {
    const g = G();
    const hasVel = this.momentum !== 0;
    const todo: { p: Tensor; grad: Tensor; v?: Tensor; first: boolean }[] = [];
    const used: Tensor[] = [];   // every gradient consumed, freed after the dispatches are recorded
    params.forEach((p, i) => {
      const grad = p.grad;
      if (!grad) return;   // as PyTorch: a parameter without a gradient is left alone
      if (grad.size !== p.size) throw new Error(`SGD: gradient [${grad.shape}] for parameter [${p.shape}]`);
      let v = this.velocity[i];
      if (v && v.size !== p.size) throw new Error(`SGD: parameter ${i} is [${p.shape}] but its velocity has ${v.size} values: pass the same list every step`);
      const first = hasVel && !v;
      if (first) v = this.velocity[i] = Tensor.empty(p.shape).keep();
      if (p.size > 0) todo.push({ p, grad, v, first });
      used.push(grad);
      p.grad = undefined;
    });
    const scalars = { lr, momentum: this.momentum, dampening: this.dampening, wd: this.weightDecay, hasVel: hasVel ? 1 : 0, nesterov: this.nesterov ? 1 : 0 };
    const slots = kernelNumber('sgd');
    if (slots === 1) {
      const kernel = g.kernel('optim', 'sgd');
      for (const t of todo) {
        g.dispatch(kernel, { param: t.p.buffer, grad: t.grad.buffer, vel: t.v?.buffer ?? g.placeholder },
          { n: t.p.size, first: t.first ? 1 : 0, ...scalars }, Math.ceil(t.p.size / WG));
      }
    } else {
      const kernel = g.kernel('sgd_multi', slots === 5 ? 'main5' : 'main');
      const d = dummyBuffers();
      for (let s = 0; s < todo.length; s += slots) {
        const group = todo.slice(s, s + slots);
        const buffers: Bindings = {};
        const params: Params = { ...scalars };
        for (let j = 0; j < 5; j++) {
          const t = group[j];
          if (j < slots) { buffers[`p${j}`] = t?.p.buffer ?? d.p[j]; buffers[`g${j}`] = t?.grad.buffer ?? d.g[j]; buffers[`v${j}`] = t?.v?.buffer ?? d.v[j]; }
          params[`n${j}`] = t?.p.size ?? 0; params[`f${j}`] = t?.first ? 1 : 0;
        }
        g.dispatch(kernel, buffers, params, Math.ceil(Math.max(...group.map((t) => t.p.size)) / WG));
      }
    }
    for (const grad of used) grad.dispose();
  }

  /** The velocity buffers by parameter position (null: not stepped yet, or no momentum). */
  async state(): Promise<(Float32Array | null)[]> {
    const out: (Float32Array | null)[] = [];
    for (const v of this.velocity) out.push(v ? await v.read() : null);
    return out;
  }

  /** The velocity tensors by parameter position (undefined: not stepped yet), for the finite guard. */
  velocities(): readonly (Tensor | undefined)[] { return this.velocity; }

  /** Restores buffers saved by `state()`; the next step continues as if never interrupted. */
  load(state: readonly (Float32Array | null)[]): void {
    this.dispose();
    this.velocity = state.map((a) => (a ? Tensor.from(a, [a.length]).keep() : undefined));
  }

  dispose(): void {
    for (const v of this.velocity) v?.dispose();
    this.velocity = [];
  }
}

// ---- float64 reference

/** One parameter's float64 state for sgdRef: the values and PyTorch's momentum buffer (set by the first step). */
export interface SgdRefState { p: Float64Array; v?: Float64Array }
/** torch.optim.SGD's update in float64, in place on s. */
export function sgdRef(s: SgdRefState, grad: ArrayLike<number>, lr: number, o: Required<SgdOptions>): void {
  const d = Float64Array.from(grad, (g, i) => g + o.weightDecay * s.p[i]);
  if (o.momentum !== 0) {
    if (!s.v) s.v = d.slice();
    else for (let i = 0; i < d.length; i++) s.v[i] = o.momentum * s.v[i] + (1 - o.dampening) * d[i];
    for (let i = 0; i < d.length; i++) d[i] = o.nesterov ? d[i] + o.momentum * s.v[i] : s.v[i];
  }
  for (let i = 0; i < d.length; i++) s.p[i] -= lr * d[i];
}
