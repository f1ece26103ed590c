/**
 * Benchmark of one ST-GCN encoder (docs/method.md) at the paper size: batch 64, T 64, V 25 (NTU),
 * M 2, hidden 16, feature 256, MLP head. Measures (records carry samples/s and GFLOP/s):
 *   - forward in eval mode (no tape), features + head;
 *   - forward + backward in training mode (BN batch statistics, dropout 0.5), from Σ of the head.
 * Then a per-kernel split of one training step: every dispatch of the step is captured (kernel,
 * bindings, params, grid) and replayed group by group — the conv GEMM by mode and tile variant,
 * graph aggregation, BN, … — so each group's GPU time is measured alone.
 * Module form: `run(ctx)` (bench/run.ts); also runnable alone:
 *   node dist/bench/encoder.js [--batch 8] [--T 64] [--hidden 16] [--hidden-dim 256] [--reps 3] [--no-split]
 * (`I2MD_KERNELS=tconv=gemm,graphconv=flat` and the like force the kernel families, src/gpu/policy.ts,
 * to compare them on one adapter.)
 */
import { initEngine, Tensor, tidy, noGrad, backward, G } from '../src/tensor/index.js';
import type { Kernel } from '../src/gpu/kernels.js';
import type { Gpu } from '../src/gpu/device.js';
import { sumAxes } from '../src/ops/reduce.js';
import { kernelSetting } from '../src/gpu/policy.js';
import { STGCN } from '../src/nn/stgcn.js';
import { getLayout } from '../src/skeleton/layouts.js';
import { Rng } from '../src/util/random.js';
import { measure, type BenchRecord } from './harness.js';

export interface EncoderBenchCtx {
  reps?: number;            // timed steps per case (default 2 on a software adapter, 10 otherwise)
  batch?: number;           // samples per step (default 64)
  T?: number;               // frames (default 64)
  hidden?: number;          // default 16
  hiddenDim?: number;       // default 256
  split?: boolean;          // per-kernel split (default true)
  log?(line: string): void;
}

type DispatchArgs = Parameters<Gpu['dispatch']>;
interface Captured { kernel: Kernel; buffers: DispatchArgs[1]; params?: DispatchArgs[2]; groups: DispatchArgs[3] }

const GEMM_MODES = ['fwd', 'input grad', 'weight grad'];
const DIRECT_MODES = ['fwd', 'input grad (stride 1)', 'input grad (phased)'];

/** A readable group name for a dispatch: the conv and aggregation kernels are split by mode. */
function groupOf(c: Captured): string {
  const name = c.kernel.name;
  const mode = c.params?.mode;
  const tile = name.includes('{') ? ` ${name.slice(name.indexOf('{'))}` : '';
  if (name.startsWith('tconv/gemm:')) return `conv GEMM ${GEMM_MODES[mode as number] ?? mode}${tile}`;
  if (name.startsWith('tconv/direct:direct')) return `conv direct ${DIRECT_MODES[mode as number] ?? mode}${tile}`;
  if (name.startsWith('tconv/wgrad:wgrad')) return `conv weight grad (${name.slice('tconv/wgrad:'.length, name.indexOf('{'))})${tile}`;
  if (name.startsWith('graphconv/aggregate:aggregate') || name.startsWith('graphconv/aggregate:agg_reg')) return `graph aggregate ${mode === 0 ? 'fwd' : 'input grad'}${tile}`;
  if (name.startsWith('graphconv/aggregate:adj_grad') || name.startsWith('graphconv/aggregate:adj_reg')) return `graph adjacency grad${tile}`;
  // the sparse kernels' module is named after its support (src/ops/graphconv/support.ts): group by entry
  const sparse = /^graphconv\/sparse#[^:]*:(sp_\w+)/.exec(name)?.[1];
  if (sparse) return `graph sparse ${{ sp_fwd: 'aggregate fwd', sp_dx: 'aggregate input grad', sp_adj: 'adjacency grad', sp_expand: 'adjacency grad (slice sum)' }[sparse] ?? sparse}${tile}`;
  return name;
}

/** Forward FLOPs of the encoder (multiply-adds × 2) for N samples of T frames and M persons. */
export function encoderFlops(model: STGCN, N: number, T: number, M: number): number {
  const { V, K } = model;
  let flops = 0, t = T;
  const rows = N * M;
  model.config.blocks.forEach(([cin, cout, stride], i) => {
    const tout = Math.floor((t - 1) / stride) + 1;
    flops += 2 * rows * t * (K * cin * V * V + cout * K * cin * V);   // aggregation + channel mixing
    flops += 2 * rows * tout * V * cout * cout * 9;                  // the 9×1 temporal conv
    if (model.blocks[i].residual) flops += 2 * rows * tout * V * cout * cin;
    t = tout;
  });
  const D = model.config.hiddenDim;
  if (model.config.head === 'mlp') flops += 2 * N * (D * D + D * model.config.headDim);
  return flops;
}

export async function run(ctx: EncoderBenchCtx = {}): Promise<BenchRecord[]> {
  const g = await initEngine();
  const log = ctx.log ?? console.log;
  const reps = ctx.reps ?? (g.summary.software ? 2 : 10);
  const N = ctx.batch ?? 64, T = ctx.T ?? 64, V = 25, M = 2;
  const model = new STGCN({ layout: getLayout('ntu25'), hidden: ctx.hidden ?? 16, hiddenDim: ctx.hiddenDim ?? 256, seed: 1 });
  const rng = new Rng(2);
  const shape = [N, 3, T, V, M];
  const x = Tensor.from(Float32Array.from({ length: N * 3 * T * V * M }, () => rng.normal()), shape).keep();
  const size = `N=${N} T=${T} V=${V} M=${M} h=${model.config.hidden} D=${model.config.hiddenDim}`;
  const fwdFlops = encoderFlops(model, N, T, M);
  log(`adapter: ${g.name}; forward ${(fwdFlops / 1e9).toFixed(1)} GFLOP per batch; conv kernels: ${kernelSetting('tconv').value}, graph aggregation: ${kernelSetting('graphsparse').value === 'sparse' ? 'sparse over the partition' : kernelSetting('graphconv').value}`);
  const rows: BenchRecord[] = [];
  const add = (r: BenchRecord | undefined, extra: Record<string, unknown> = {}) => {
    if (!r) return;
    Object.assign(r, extra);
    rows.push(r);
    log(`${r.name.padEnd(60)} median ${r.medianMs.toFixed(1).padStart(9)} ms  cpu ${(r.cpuMs ?? 0).toFixed(0).padStart(8)} ms  ` +
      (typeof r.samplesPerS === 'number' ? `${r.samplesPerS.toFixed(2).padStart(8)} samples/s  ` : '') +
      (r.gflops ? `${r.gflops.toFixed(2)} GFLOP/s` : '') + (r.cpuGflops ? ` (cpu basis ${r.cpuGflops.toFixed(2)})` : ''));
  };
  const samples = (r: BenchRecord | undefined) => (r ? { samplesPerS: (N * 1000) / r.medianMs } : {});

  model.eval();
  const fwd = () => { tidy(() => noGrad(() => { model.project(model.features(x)); })); };
  const r1 = await measure(`encoder forward (eval) ${size}`, shape, fwd, { reps, flops: fwdFlops });
  add(r1, samples(r1));

  model.train();
  const clearGrads = () => { for (const p of model.parameters()) { p.grad?.dispose(); p.grad = undefined; } };
  const trainStep = () => {
    tidy(() => { backward(sumAxes(model.project(model.features(x)))); });
    clearGrads();
  };
  // backward ≈ twice the forward's multiply-adds (input and weight gradients)
  const r2 = await measure(`encoder forward+backward (train) ${size}`, shape, trainStep, { reps, flops: 3 * fwdFlops });
  add(r2, samples(r2));

  if (ctx.split ?? true) {
    // capture one training step's dispatches, then time each group replayed alone
    const captured: Captured[] = [];
    const dispatch = g.dispatch.bind(g);
    g.dispatch = (kernel, buffers, params, groups) => {
      captured.push({ kernel, buffers: { ...buffers }, params: params ? { ...params } : undefined, groups });
      dispatch(kernel, buffers, params, groups);
    };
    try { trainStep(); } finally { g.dispatch = dispatch; }
    await g.sync();
    const groups = new Map<string, Captured[]>();
    for (const c of captured) { const k = groupOf(c); groups.set(k, [...(groups.get(k) ?? []), c]); }
    const split: BenchRecord[] = [];
    for (const [name, list] of groups) {
      const replay = () => { for (const c of list) dispatch(c.kernel, c.buffers, c.params, c.groups); };
      const r = await measure(`encoder split: ${name}`, [list.length], replay, { reps: Math.max(1, reps), warmup: 1 });
      if (r) split.push(Object.assign(r, { dispatches: list.length }));
    }
    const total = split.reduce((a, r) => a + r.medianMs, 0);
    split.sort((a, b) => b.medianMs - a.medianMs);
    log(`per-kernel split of one training step (${captured.length} dispatches; groups replayed alone, sum ${total.toFixed(1)} ms):`);
    for (const r of split) {
      r.share = r.medianMs / total;
      rows.push(r);
      log(`  ${r.name.slice(15).padEnd(44)} ${r.medianMs.toFixed(1).padStart(9)} ms  ${(100 * r.medianMs / total).toFixed(1).padStart(5)} %  ${r.dispatches} dispatches`);
    }
  }
  x.dispose();
  model.dispose();
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  await run({ batch: arg('batch'), reps: arg('reps'), T: arg('T'), hidden: arg('hidden'), hiddenDim: arg('hidden-dim'), split: !process.argv.includes('--no-split') });
  process.exit(0);
}
