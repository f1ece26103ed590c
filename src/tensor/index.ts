/** The engine's front door: device start-up, Tensor, tidy, autograd. */
import { gpu } from '../gpu/device.js';
import { useGpu, Tensor } from './tensor.js';
import { backwardWith, type BackwardOptions } from './autograd.js';
import { add, ones, copy } from '../ops/elementwise.js';

export { Tensor, tidy, G } from './tensor.js';
export { noGrad, record, needsGrad, releaseUnread, type BackwardOptions } from './autograd.js';

/** Finds an adapter, creates the device and binds the ops to it (idempotent). */
export async function initEngine() {
  const g = await gpu();
  useGpu(g);
  return g;
}

/** Back-propagates from a scalar (or from `root` with the given seed gradient); `opts.release` frees the forward's tensors on the way (autograd.ts). */
export function backward(root: Tensor, seed?: Tensor, opts?: BackwardOptions): void {
  backwardWith({ add, ones, copy }, root, seed, opts);
}
