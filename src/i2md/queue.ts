/**
 * A MoCo memory queue: (d, K) features × slots on the GPU and a write pointer. The queues of all
 * modalities and branches advance together (same batch, same pointer), so slot j holds the same
 * training sample everywhere — CMD compares neighbourhoods slot by slot (docs/method.md#moco).
 */
import { Tensor, G } from '../tensor/tensor.js';
import { Rng } from '../util/random.js';

export class MemoryQueue {
  ptr = 0;
  constructor(readonly features: Tensor, readonly dim: number, readonly size: number) {}

  /** Random-normal columns, each normalised to unit length (as MoCo initialises its queue). */
  static random(dim: number, size: number, rng: Rng): MemoryQueue {
    const q = new Float32Array(dim * size);
    for (let i = 0; i < q.length; i++) q[i] = rng.normal();
    for (let j = 0; j < size; j++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += q[c * size + j] ** 2;
      const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
      for (let c = 0; c < dim; c++) q[c * size + j] *= inv;
    }
    return new MemoryQueue(Tensor.from(q, [dim, size]).keep(), dim, size);
  }

  /** Writes keys (N, d) into the next N slots; the caller advances all queues' pointers together. */
  enqueue(keys: Tensor): void {
    const [n, d] = keys.shape;
    if (d !== this.dim) throw new Error(`enqueue: keys have ${d} features, queue ${this.dim}`);
    G().dispatch(G().kernel('queue'), { keys: keys.buffer, queue: this.features.buffer }, { n, d, k: this.size, ptr: this.ptr }, Math.ceil((n * d) / 256));
    this.ptr = (this.ptr + n) % this.size;
  }

  async state(): Promise<{ data: Float32Array; ptr: number }> {
    return { data: await this.features.read(), ptr: this.ptr };
  }

  load(data: Float32Array, ptr: number): void {
    if (data.length !== this.dim * this.size) throw new Error(`queue state has ${data.length} values, expected ${this.dim}×${this.size}`);
    G().write(this.features.buffer, data);
    this.ptr = ptr;
  }
}
