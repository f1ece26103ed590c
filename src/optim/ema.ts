/**
 * The MoCo momentum-encoder update θk ← m·θk + (1 − m)·θq — kernels/optim.wgsl `ema`, one
 * dispatch per parameter pair, in place, never recorded for autograd.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { f32 } from '../gpu/device.js';

const WG = 256;

export function emaUpdate(key: readonly Tensor[], query: readonly Tensor[], m: number): void {
  if (key.length !== query.length) throw new Error(`emaUpdate: ${key.length} key tensors for ${query.length} query tensors`);
  const g = G();
  const kernel = g.kernel('optim', 'ema');
  key.forEach((k, i) => {
    const q = query[i];
    if (k.size !== q.size) throw new Error(`emaUpdate: pair ${i} has shapes [${k.shape}] and [${q.shape}]`);
    if (k.buffer === q.buffer) throw new Error(`emaUpdate: pair ${i} shares one buffer`);
    if (k.size > 0) g.dispatch(kernel, [k.buffer, q.buffer], [k.size, 0, 0, 0, f32(0), f32(m), f32(0), f32(0)], Math.ceil(k.size / WG));
  });
}
