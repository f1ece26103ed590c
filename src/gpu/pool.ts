/**
 * Buffer pool with size classes. A freed buffer may still be read by a dispatch recorded in the
 * batch that is not yet submitted, and a later `queue.writeBuffer` into it would run *before*
 * that batch. So releases wait in `pending` until the batch is submitted; after that, queue
 * order alone makes reuse safe (every later use is later on the same queue).
 * Each free list is kept in creation order (the oldest buffer handed out first), so a training
 * step that frees in another order than it allocates still finds the same buffers in the same
 * places every step: the device's bind groups, cached by buffer, are then made once, not per
 * dispatch (making one is dear in Dawn: docs/bench.md#dispatches-per-pre-training-step).
 */
export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private sizeOf = new WeakMap<GPUBuffer, number>();
  private order = new WeakMap<GPUBuffer, number>();   // creation order: the free lists' sort key
  liveBytes = 0;      // bytes handed out and not released
  pooledBytes = 0;    // bytes held free in the pool
  created = 0;        // buffers ever created (a reuse test watches this)
  reused = 0;

  constructor(private device: GPUDevice, private usage: GPUBufferUsageFlags, private label: string) {}

  /** Rounds up to 4 size classes per power of two (≤ 25% waste), at least 256 bytes. */
  static sizeClass(bytes: number): number {
    if (bytes <= 256) return 256;
    const step = 2 ** Math.max(8, Math.floor(Math.log2(bytes)) - 2);
    return Math.ceil(bytes / step) * step;
  }

  acquire(bytes: number): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.reused++;
      this.pooledBytes -= size;
    } else {
      buf = this.device.createBuffer({ size, usage: this.usage, label: this.label });
      this.sizeOf.set(buf, size);
      this.order.set(buf, this.created);
      this.created++;
    }
    this.liveBytes += size;
    return buf;
  }

  release(buf: GPUBuffer): void {
    this.liveBytes -= this.sizeOf.get(buf)!;
    this.pending.push(buf);
  }

  /** Called when the batch that may still use the pending buffers has been submitted. */
  submitted(): void {
    if (this.pending.length === 0) return;
    const touched = new Set<GPUBuffer[]>();
    for (const buf of this.pending) {
      const size = this.sizeOf.get(buf)!;
      let list = this.free.get(size);
      if (!list) this.free.set(size, (list = []));
      list.push(buf);
      touched.add(list);
      this.pooledBytes += size;
    }
    this.pending.length = 0;
    // newest first, so pop() hands out the oldest
    const order = this.order;
    for (const list of touched) list.sort((a, b) => order.get(b)! - order.get(a)!);
  }

  /** Gives the pooled (free) buffers back to the driver (the device's bind-group cache must be cleared too). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
  }
}
