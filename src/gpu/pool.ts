/**
 * Buffer pool with size classes. A freed buffer may still be read by a dispatch recorded in the
 * batch that is not yet submitted, and a later `queue.writeBuffer` into it would run *before*
 * that batch. So releases wait in `pending` until the batch is submitted; after that, queue
 * order alone makes reuse safe (every later use is later on the same queue).
 * Each free list is kept in creation order (the oldest buffer handed out first), so a training
 * step that frees in another order than it allocates still finds the same buffers in the same
 * places every step: the device's bind groups, cached by buffer, are then made once, not per
 * dispatch (making one is dear in Dawn: docs/bench.md#dispatches-per-pre-training-step).
 *
 * Accounting (docs/bench.md#memory): live bytes (handed out), pending (released, not yet
 * submitted), pooled (free for reuse) and wasted (a live buffer's size class minus what was asked
 * for), their peaks, and with `track(true)` a snapshot at the peak of live bytes — per size class
 * and the largest buffers with what made them (src/gpu/memory.ts formats it).
 */
import { labelFromStack, type ClassStats, type MemorySnapshot, type PeakInfo } from './memory.js';

interface LiveInfo { requested: number; label?: string; trace?: Error }

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private sizeOf = new WeakMap<GPUBuffer, number>();
  private order = new WeakMap<GPUBuffer, number>();   // creation order: the free lists' sort key
  private live = new Map<GPUBuffer, LiveInfo>();
  private tracking = false;
  private rising = false;   // live bytes reached a new peak since the last release
  liveBytes = 0;      // bytes handed out and not released
  pendingBytes = 0;   // released, waiting for the submit of the batch that may still read them
  pooledBytes = 0;    // bytes held free in the pool
  wastedBytes = 0;    // Σ over live buffers of size class − requested bytes
  created = 0;        // buffers ever created (a reuse test watches this)
  reused = 0;
  destroyed = 0;      // cached buffers given back to the driver (trim, limit)
  /** The pool's whole footprint (live + pending + pooled) never exceeded this. */
  peakTotalBytes = 0;
  /** At the highest live bytes since `resetPeak`: the scalars always, byClass and largest when tracking. */
  peak: PeakInfo = emptyPeak();
  /**
   * Pooled bytes allowed beside the live ones (undefined: no limit). When a new buffer would take
   * live + pending + pooled past `live + limit`, the oldest cached buffers of other size classes
   * are destroyed first: memory returns to the driver at the cost of remaking their bind groups.
   */
  cacheLimit?: number;
  /** Called after cached buffers were destroyed (the device drops its bind groups). */
  onDestroyed?: () => void;

  constructor(private device: GPUDevice, private usage: GPUBufferUsageFlags, private label: string) {}

  /**
   * Rounds up to 16 size classes per power of two (≤ 6.25 % waste), at least 256 bytes. A step
   * allocates a few dozen distinct shapes, so finer classes cost no reuse: with 4 a class the
   * rounding held 9 % of the live bytes at the peak, with 16 1 %, and the pool's footprint fell
   * too (demo: 85.7 → 78.4 MB; docs/bench.md#memory).
   */
  static sizeClass(bytes: number): number {
    if (bytes <= 256) return 256;
    const step = 2 ** Math.max(8, Math.floor(Math.log2(bytes)) - 4);
    return Math.ceil(bytes / step) * step;
  }

  /** Records, for each buffer handed out from now on, the stack that asked for it (for the peak report; costs ≈ µs an acquire). */
  track(on = true): void { this.tracking = on; }

  /** Names what a live buffer holds (autograd's record: the op that made it). Kept only while tracking. */
  labelBuffer(buf: GPUBuffer, label: string): void {
    if (!this.tracking) return;
    const info = this.live.get(buf);
    if (info && !info.label) info.label = label;
  }

  resetPeak(): void {
    this.peak = emptyPeak();
    this.peakTotalBytes = this.liveBytes + this.pendingBytes + this.pooledBytes;
    this.rising = false;
  }

  acquire(bytes: number): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.reused++;
      this.pooledBytes -= size;
    } else {
      if (this.cacheLimit !== undefined) this.makeRoom(size);
      buf = this.device.createBuffer({ size, usage: this.usage, label: this.label });
      this.sizeOf.set(buf, size);
      this.order.set(buf, this.created);
      this.created++;
    }
    this.liveBytes += size;
    this.wastedBytes += size - bytes;
    this.live.set(buf, this.tracking ? { requested: bytes, trace: new Error() } : { requested: bytes });
    const total = this.liveBytes + this.pendingBytes + this.pooledBytes;
    if (total > this.peakTotalBytes) this.peakTotalBytes = total;
    if (this.liveBytes > this.peak.liveBytes) {
      Object.assign(this.peak, { liveBytes: this.liveBytes, cachedBytes: this.pendingBytes + this.pooledBytes, wastedBytes: this.wastedBytes, buffers: this.live.size });
      this.rising = true;
    }
    return buf;
  }

  release(buf: GPUBuffer): void {
    // the first release after a rise ends a local maximum: the moment the peak's snapshot shows
    if (this.rising && this.tracking) this.peak = { ...this.peak, ...this.snapshot(12) };
    this.rising = false;
    const size = this.sizeOf.get(buf)!;
    const info = this.live.get(buf);
    if (info) { this.wastedBytes -= size - info.requested; this.live.delete(buf); }
    this.liveBytes -= size;
    this.pendingBytes += size;
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
    this.pendingBytes = 0;
    this.pending.length = 0;
    // newest first, so pop() hands out the oldest
    const order = this.order;
    for (const list of touched) list.sort((a, b) => order.get(b)! - order.get(a)!);
  }

  /**
   * Destroys cached buffers until a new buffer of `size` fits under live + cacheLimit: the
   * largest classes first (fewest bind groups lost per byte), the newest buffer of each first
   * (the oldest are the ones a repeated step asks for).
   */
  private makeRoom(size: number): void {
    let over = this.pendingBytes + this.pooledBytes - this.cacheLimit!;
    if (over <= 0 || this.pooledBytes === 0) return;
    const classes = [...this.free.keys()].filter((s) => s !== size).sort((a, b) => b - a);
    let n = 0;
    for (const s of classes) {
      const list = this.free.get(s)!;
      while (list.length && over > 0) { list.shift()!.destroy(); this.pooledBytes -= s; over -= s; n++; }
      if (!list.length) this.free.delete(s);
      if (over <= 0) break;
    }
    if (n) { this.destroyed += n; this.onDestroyed?.(); }
  }

  /** Gives the pooled (free) buffers back to the driver (the device's bind-group cache must be cleared too). */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) { b.destroy(); this.destroyed++; }
    this.free.clear();
    this.pooledBytes = 0;
  }

  /**
   * The pool now: per size class live / cached (pending + pooled) counts and bytes and the bytes
   * wasted by rounding, and the `largest` live buffers with their labels (while tracking).
   */
  snapshot(largest = 12): MemorySnapshot {
    const classes = new Map<number, ClassStats>();
    const cls = (size: number) => {
      let c = classes.get(size);
      if (!c) classes.set(size, (c = { size, live: 0, liveBytes: 0, cached: 0, cachedBytes: 0, wastedBytes: 0 }));
      return c;
    };
    for (const [buf, info] of this.live) {
      const c = cls(this.sizeOf.get(buf)!);
      c.live++; c.liveBytes += c.size; c.wastedBytes += c.size - info.requested;
    }
    for (const [size, list] of this.free) if (list.length) { const c = cls(size); c.cached += list.length; c.cachedBytes += size * list.length; }
    for (const buf of this.pending) { const c = cls(this.sizeOf.get(buf)!); c.cached++; c.cachedBytes += c.size; }
    const labels = new Map<string, { label: string; count: number; bytes: number }>();
    const labelOf = (info: LiveInfo) => [info.label, info.trace && labelFromStack(info.trace)].filter(Boolean).join(' · ') || '?';
    for (const [buf, info] of this.live) {
      const label = labelOf(info);
      let l = labels.get(label);
      if (!l) labels.set(label, (l = { label, count: 0, bytes: 0 }));
      l.count++; l.bytes += this.sizeOf.get(buf)!;
    }
    const top = [...this.live.entries()].sort((a, b) => this.sizeOf.get(b[0])! - this.sizeOf.get(a[0])!).slice(0, largest);
    return {
      liveBytes: this.liveBytes, cachedBytes: this.pendingBytes + this.pooledBytes, wastedBytes: this.wastedBytes, buffers: this.live.size,
      byClass: [...classes.values()].sort((a, b) => b.liveBytes + b.cachedBytes - a.liveBytes - a.cachedBytes),
      largest: top.map(([buf, info]) => ({ bytes: info.requested, size: this.sizeOf.get(buf)!, label: labelOf(info) })),
      byLabel: [...labels.values()].sort((a, b) => b.bytes - a.bytes).slice(0, largest),
    };
  }
}

function emptyPeak(): PeakInfo { return { liveBytes: 0, cachedBytes: 0, wastedBytes: 0, buffers: 0 }; }
