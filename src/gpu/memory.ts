/**
 * The buffer pool's memory report (src/gpu/pool.ts; docs/bench.md#memory): what a snapshot holds
 * and how it prints. On a software adapter every GPU buffer is this process's memory, so the
 * pool's footprint is most of the resident set.
 */

/** One size class: buffers handed out (live) and free in the pool (cached: pooled or pending). */
export interface ClassStats { size: number; live: number; liveBytes: number; cached: number; cachedBytes: number; wastedBytes: number }

/** A live buffer: the bytes asked for, its size class and what made it. */
export interface BufferInfo { bytes: number; size: number; label: string }

export interface PeakInfo {
  liveBytes: number;
  /** Pending + pooled bytes at that moment. */
  cachedBytes: number;
  /** Size-class rounding of the live buffers at that moment. */
  wastedBytes: number;
  buffers: number;
  byClass?: ClassStats[];
  largest?: BufferInfo[];
  /** The live bytes grouped by label, most first: which ops hold the memory. */
  byLabel?: { label: string; count: number; bytes: number }[];
}

export interface MemorySnapshot extends PeakInfo { byClass: ClassStats[]; largest: BufferInfo[]; byLabel: { label: string; count: number; bytes: number }[] }

/**
 * What made a buffer, from the stack of its acquire: the first frame outside the tensor and GPU
 * plumbing (an op, a layer, the step), as `function (file:line)` relative to the build.
 */
export function labelFromStack(trace: Error): string {
  const frames = (trace.stack ?? '').split('\n').slice(1).map((l) => l.trim());
  const skip = /\/(src\/gpu|src\/tensor)\/|node:internal|\(native\)/;
  const frame = frames.find((f) => !skip.test(f)) ?? frames[0] ?? '';
  const m = /^at (?:(.+?) \()?(?:file:\/\/)?(.+?):(\d+):\d+\)?$/.exec(frame);
  if (!m) return frame.replace(/^at /, '');
  const file = m[2].replace(/^.*\/dist\//, '').replace(/\.js$/, '.ts');
  return `${m[1] ?? '<anonymous>'} (${file}:${m[3]})`;
}

export const MiB = 1024 * 1024;
const mb = (b: number) => (b / MiB).toFixed(1);

/**
 * The report as text: totals at the peak of live bytes, the size classes that hold the most
 * (live + cached) with their waste, the largest tensors alive at the peak and what made them.
 */
export function formatMemoryReport(peak: PeakInfo, extra: { peakTotalBytes?: number; maxRssBytes?: number } = {}, classes = 16): string {
  const lines: string[] = [];
  lines.push(`pool at the peak of live bytes: live ${mb(peak.liveBytes)} MiB in ${peak.buffers} buffers, cached ${mb(peak.cachedBytes)} MiB, ` +
    `wasted by size classes ${mb(peak.wastedBytes)} MiB (${peak.liveBytes ? ((100 * peak.wastedBytes) / peak.liveBytes).toFixed(1) : '0'} % of live)`);
  if (extra.peakTotalBytes !== undefined) lines.push(`pool footprint (live + cached) at most ${mb(extra.peakTotalBytes)} MiB`);
  if (extra.maxRssBytes !== undefined) lines.push(`process peak resident set ${mb(extra.maxRssBytes)} MiB`);
  if (peak.byClass?.length) {
    lines.push('', `${'size class'.padStart(14)} ${'live'.padStart(6)} ${'live MiB'.padStart(10)} ${'cached'.padStart(7)} ${'cached MiB'.padStart(11)} ${'wasted MiB'.padStart(11)}`);
    for (const c of peak.byClass.slice(0, classes)) {
      lines.push(`${c.size.toLocaleString('en-US').padStart(14)} ${String(c.live).padStart(6)} ${mb(c.liveBytes).padStart(10)} ${String(c.cached).padStart(7)} ${mb(c.cachedBytes).padStart(11)} ${mb(c.wastedBytes).padStart(11)}`);
    }
    if (peak.byClass.length > classes) {
      const rest = peak.byClass.slice(classes);
      const sum = (f: (c: ClassStats) => number) => rest.reduce((a, c) => a + f(c), 0);
      lines.push(`${`${rest.length} more`.padStart(14)} ${String(sum((c) => c.live)).padStart(6)} ${mb(sum((c) => c.liveBytes)).padStart(10)} ${String(sum((c) => c.cached)).padStart(7)} ` +
        `${mb(sum((c) => c.cachedBytes)).padStart(11)} ${mb(sum((c) => c.wastedBytes)).padStart(11)}`);
    }
  }
  if (peak.byLabel?.length) {
    lines.push('', 'live bytes at the peak by what made them:');
    for (const l of peak.byLabel) lines.push(`${mb(l.bytes).padStart(10)} MiB  ${String(l.count).padStart(5)} ×  ${l.label}`);
  }
  if (peak.largest?.length) {
    lines.push('', 'largest tensors alive at the peak:');
    for (const b of peak.largest) lines.push(`${mb(b.bytes).padStart(10)} MiB  ${b.label}`);
  }
  return lines.join('\n');
}
