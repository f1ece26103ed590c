/**
 * The MoCo momentum-encoder update θk ← m·θk + (1 − m)·θq, in place, never recorded for autograd.
 * Eight parameter pairs per dispatch (kernels/ema.wgsl `main8`) where the device allows 16 storage
 * buffers per stage, four (`main`) where it allows 8, else one pair per dispatch
 * (kernels/optim.wgsl `ema`): the kernel policy's `ema` setting (src/gpu/policy.ts).
 */
import { G } from '../tensor/tensor.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Bindings, Params } from '../gpu/device.js';
import { kernelNumber } from '../gpu/policy.js';

const WG = 256;

/** Dummy buffers for the unused pair slots, per device (distinct, so no binding aliases another). */
let dummies: { device: GPUDevice; rw: GPUBuffer[]; ro: GPUBuffer[] } | undefined;
function dummyBuffers(): { rw: GPUBuffer[]; ro: GPUBuffer[] } {
  const device = G().device;
  if (dummies?.device !== device) {
    const make = () => device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE, label: 'ema-dummy' });
    const seven = () => Array.from({ length: 7 }, make);
    dummies = { device, rw: seven(), ro: seven() };
  }
  return dummies;
}

export function emaUpdate(key: readonly Tensor[], query: readonly Tensor[], m: number): void {
  if (key.length !== query.length) throw new Error(`emaUpdate: ${key.length} key tensors for ${query.length} query tensors`);
  key.forEach((k, i) => {
    const q = query[i];
    if (k.size !== q.size) throw new Error(`emaUpdate: pair ${i} has shapes [${k.shape}] and [${q.shape}]`);
    if (k.buffer === q.buffer) throw new Error(`emaUpdate: pair ${i} shares one buffer`);
  });
  const g = G();
  const pairs = key.map((k, i) => [k, query[i]] as const).filter(([k]) => k.size > 0);
  const per = kernelNumber('ema');
  if (per === 1) {
    const kernel = g.kernel('optim', 'ema');
    for (const [k, q] of pairs) g.dispatch(kernel, { key: k.buffer, query: q.buffer }, { n: k.size, m }, Math.ceil(k.size / WG));
    return;
  }
  const kernel = g.kernel('ema', per === 8 ? 'main8' : 'main');
  const { rw, ro } = dummyBuffers();
  for (let s = 0; s < pairs.length; s += per) {
    const group = pairs.slice(s, s + per);
    const buffers: Bindings = {};
    const params: Params = { m };
    for (let j = 0; j < 8; j++) {
      const pair = group[j];
      if (j < per) { buffers[`k${j}`] = pair ? pair[0].buffer : rw[j - 1]; buffers[`q${j}`] = pair ? pair[1].buffer : ro[j - 1]; }
      params[`n${j}`] = pair ? pair[0].size : 0;
    }
    g.dispatch(kernel, buffers, params, Math.ceil(Math.max(...group.map(([k]) => k.size)) / WG));
  }
}

// ---- float64 reference

/** θk ← m·θk + (1 − m)·θq for one pair, in place, in float64. */
export function emaRef(key: Float64Array, query: ArrayLike<number>, m: number): void {
  for (let j = 0; j < key.length; j++) key[j] = m * key[j] + (1 - m) * query[j];
}
