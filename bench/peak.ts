/**
 * The adapter's peaks, measured with kernels/peak.wgsl: FMA throughput (vec4 FMA chains: the best
 * of 6, 32 and 64 independent chains per invocation) and copy bandwidth (vec4 copy of 32 MiB, read
 * + write counted). Registers them with the harness, so the records
 * of later modules get fractionOfPeak. Also runnable alone: `node dist/bench/peak.js`.
 */
import { initEngine, Tensor, G } from '../src/tensor/index.js';
import type { Kernel } from '../src/gpu/kernels.js';
import { measure, setPeak, context, type BenchContext, type BenchRecord } from './harness.js';

const WG = 64;

export async function run(ctx: BenchContext = context()): Promise<BenchRecord[]> {
  const g = G();
  const out: BenchRecord[] = [];
  // FMA: 32768 invocations (enough workgroups for every core) × iters rounds
  // (a hardware GPU gets 4× the invocations, enough warps for every scheduler of a big one: ≈ 2 ms
  // per repetition on an H100). Three shapes of the same chains, each with the same work, and the
  // best is the peak: how many independent chains a compiler needs differs (kernels/peak.wgsl).
  const n = g.summary.software ? 32768 : 131072, work = g.summary.software ? 2048 * 6 : 16384 * 6;
  const sums = Tensor.empty([n * 4]).keep();
  const probes: [string, Kernel, number][] = [
    ['fma peak (vec4 FMA chains, 6 per invocation)', g.kernel('peak', 'flops', { WG }), 6],
    ['fma peak (vec4 FMA chains, 32 per invocation)', g.kernel('peak', 'flops_wide', { WG, CH: 32 }), 32],
    ['fma peak (vec4 FMA chains, 64 per invocation)', g.kernel('peak', 'flops_wide', { WG, CH: 64 }), 64],
  ];
  const fmas: BenchRecord[] = [];
  for (const [name, kernel, chains] of probes) {
    const iters = 4 * Math.round(work / chains / 4);
    const f = await measure(name, [n, iters, chains], () => {
      g.dispatch(kernel, { sums: sums.buffer }, { n, iters }, Math.ceil(n / WG));
    }, { flops: n * iters * chains * 4 * 2, reps: ctx.reps });
    if (f) fmas.push(f);
  }
  sums.dispose();
  const best = Math.max(0, ...fmas.map((f) => f.gflops ?? 0));
  if (best > 0) {
    setPeak({ gflops: best });
    for (const f of fmas) { f.fractionOfPeak = (f.gflops ?? 0) / best; out.push(f); }
  }
  // copy: 2^21 vec4 = 32 MiB each way, beyond the last-level cache of most CPUs
  const m = 1 << 21;
  const src = Tensor.empty([m * 4]).keep(), dst = Tensor.empty([m * 4]).keep();
  const copy = g.kernel('peak', 'copy', { WG });
  const c = await measure('copy bandwidth (vec4, 32 MiB)', [m * 4], () => {
    g.dispatch(copy, { src: src.buffer, dst: dst.buffer }, { n: m, iters: 0 }, Math.ceil(m / WG));
  }, { bytes: m * 32, reps: ctx.reps });
  src.dispose(); dst.dispose();
  if (c) { setPeak({ gbps: c.gbps }); c.fractionOfPeak = 1; out.push(c); }
  return out;
}

// ---- float64 reference

/** sums[i] of `flops` (6 chains) or `flops_wide` (CH chains) after `iters` rounds, workgroups of `wg`. */
export function peakSumsRef(n: number, iters: number, chains: number, wg = WG): Float64Array {
  const out = new Float64Array(n * 4);
  for (let i = 0; i < n; i++) for (let e = 0; e < 4; e++) {
    const s = Math.fround(Math.fround((i % wg) + e / 4) * Math.fround(1e-3));
    let sum = 0;
    for (let c = 0; c < chains; c++) {
      let a = s + c + 1;
      for (let r = 0; r < iters; r++) a = a * Math.fround(0.9999) + s;
      sum += a;
    }
    out[i * 4 + e] = sum;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initEngine();
  for (const r of await run()) console.log(`${r.name}: ${r.medianMs.toFixed(2)} ms  ${r.gflops?.toFixed(1) ?? r.gbps?.toFixed(2)} ${r.gflops ? 'GFLOP/s' : 'GB/s'}  (cpu ${r.cpuMs?.toFixed(1)} ms)`);
  process.exit(0);
}
