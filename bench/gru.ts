/**
 * Benchmark of one GRU encoder (src/nn/gru.ts, the official CMD backbone), default the paper size:
 * batch 64, T 64, V 25 × C 3 × M 2 = 150 inputs, hidden 1024, 3 layers, faithful mode, MLP head.
 *   - eval forward (no tape: what a momentum encoder and feature extraction run);
 *   - training forward + backward (input norm in training mode) from Σ of the head's output.
 * Records carry samples/s, GFLOP/s (FLOPs counted from the products: `gruFlops`), dispatches per
 * encoder step, and per time step and layer forward and backward (counted in a short run at the
 * same B and H between consecutive cell dispatches: the hidden-side matmul's packing and windows
 * plus the cell kernel, for the layer's two cells).
 * The PyTorch baseline is scripts/torch/gru_bench.py (nn.GRU, the fused path) on the same cores.
 * Module form: `run(ctx)` (bench/run.ts, `--only gru`); alone:
 *   node dist/bench/gru.js [--batch 64] [--T 64] [--hidden 1024] [--layers 3] [--reps 1] [--warmup 1] [--bidirectional]
 * At the paper size on a software adapter one step is tens of seconds: `--warmup 0 --reps 1` times
 * a single run, pipeline compilation included (seconds; said so in the record).
 */
import { initEngine, Tensor, tidy, noGrad, backward, G } from '../src/tensor/index.js';
import { sumAxes } from '../src/ops/reduce.js';
import { GRUEncoder } from '../src/nn/gru.js';
import { getLayout } from '../src/skeleton/layouts.js';
import { Rng } from '../src/util/random.js';
import { measure, type BenchRecord } from './harness.js';

export interface GruBenchCtx {
  batch?: number; T?: number; hidden?: number; layers?: number; bidirectional?: boolean;
  reps?: number; warmup?: number;
  log?(line: string): void;
}

/**
 * Forward FLOPs (2 per multiply-add) of the encoder's products for N samples of T frames: per
 * layer and cell the input projection (T·N × in × 3H) and T recurrent products (N × H × 3H), then
 * the head. The elementwise cell and the input norm are left out (< 1 %).
 */
export function gruFlops(inputs: number, H: number, layers: number, N: number, T: number, headDim = 128): number {
  let f = 0;
  for (let k = 0; k < layers; k++) {
    const fin = k === 0 ? inputs : 2 * H;
    f += 2 * 2 * T * N * fin * 3 * H + 2 * 2 * T * N * H * 3 * H;
  }
  return f + 2 * N * (2 * H * 2 * H + 2 * H * headDim);
}
/** Backward FLOPs: twice the forward's products, less layer 0's input gradient when the input takes none — here it does (the input norm's parameters). */
export const gruBackwardFlops = (inputs: number, H: number, layers: number, N: number, T: number, headDim = 128): number => 2 * gruFlops(inputs, H, layers, N, T, headDim);

function input(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape).keep();
}

/**
 * Dispatches per time step and layer (both cells), forward and backward: a one-layer encoder at
 * the same B and H runs 4 steps with a tape; the dispatches between two consecutive cell
 * dispatches of one cell are that cell's step (its matmul and the cell kernel).
 */
export async function stepDispatches(B: number, H: number, bidirectional: boolean): Promise<{ forward: number; backward: number }> {
  const model = new GRUEncoder({ layout: getLayout('ntu25'), persons: 2, hidden: H, layers: 1, bidirectional, head: 'none', seed: 2 });
  const x = input([B, 3, 4, 25, 2], 9);
  const g = G(), names: string[] = [], dispatch = g.dispatch;
  g.dispatch = ((kernel, ...rest) => { names.push(kernel.name); return dispatch.call(g, kernel, ...rest); }) as typeof g.dispatch;
  try {
    tidy(() => backward(sumAxes(model.features(x))));
    await g.sync();
  } finally { g.dispatch = dispatch; }
  for (const p of model.parameters()) { p.grad?.dispose(); p.grad = undefined; }
  x.dispose(); model.dispose();
  const at = (entry: string) => names.flatMap((n, i) => (n.startsWith(`gru/cell:${entry}`) ? [i] : []));
  // forward: the two cells take turns each step (cell dispatches 2 and 4 are one step apart);
  // backward: one cell's steps, then the other's (dispatches 1 and 2 are one cell-step apart)
  const f = at('forward'), b = at('backward');
  return { forward: f[4] - f[2], backward: 2 * (b[2] - b[1]) };
}

export async function run(ctx: GruBenchCtx = {}): Promise<BenchRecord[]> {
  const g = await initEngine();
  const log = ctx.log ?? console.log;
  const B = ctx.batch ?? 64, T = ctx.T ?? 64, H = ctx.hidden ?? 1024, L = ctx.layers ?? 3, bidirectional = ctx.bidirectional ?? false;
  const reps = ctx.reps ?? 1, warmup = ctx.warmup ?? 1;
  const layout = getLayout('ntu25');
  const model = new GRUEncoder({ layout, persons: 2, hidden: H, layers: L, bidirectional, seed: 1 });
  const shape = [B, 3, T, 25, 2];
  const x = input(shape, 1);
  const size = `B=${B} T=${T} inputs=150 H=${H} layers=${L} ${bidirectional ? 'bidirectional' : 'faithful'}`;
  const fwd = gruFlops(150, H, L, B, T);
  log(`adapter: ${g.name}; GRU encoder (${size}), ${(fwd / 1e9).toFixed(1)} GFLOP forward, ${(3 * fwd / 1e9).toFixed(1)} forward + backward; warm-up ${warmup}, reps ${reps}`);
  const out: BenchRecord[] = [];
  const note = warmup === 0 ? ' (one run, pipeline compilation included)' : '';

  const perStep = await stepDispatches(B, H, bidirectional);

  const cases: [string, () => void, number][] = [
    [`GRU encoder eval forward (${size})${note}`, () => { noGrad(() => model.project(model.features(x))); }, fwd],
    [`GRU encoder forward + backward (${size})${note}`, () => { model.train(); backward(sumAxes(model.project(model.features(x)))); }, fwd + gruBackwardFlops(150, H, L, B, T)],
  ];
  for (const [name, fn, flops] of cases) {
    model.train(!name.includes('eval'));
    const d0 = g.dispatches;
    const r = await measure(name, shape, fn, { warmup, reps, flops });
    if (!r) continue;
    for (const p of model.parameters()) { p.grad?.dispose(); p.grad = undefined; }
    Object.assign(r, { samplesPerS: (B * 1000) / r.medianMs, dispatches: (g.dispatches - d0) / (warmup + reps), dispatchesPerTimeStep: perStep, detail: size, adapterName: g.name });
    log(`${r.name.padEnd(86)} ${(r.medianMs / 1000).toFixed(1).padStart(7)} s (cpu ${((r.cpuMs ?? 0) / 1000).toFixed(1)} s)  ${(r.samplesPerS as number).toFixed(2).padStart(7)} samples/s  ` +
      `${(r.gflops ?? 0).toFixed(1)} GFLOP/s (cpu basis ${(r.cpuGflops ?? 0).toFixed(1)})  ${r.dispatches} dispatches ` +
      `(per time step and layer: ${perStep.forward} forward, ${perStep.backward} backward)`);
    out.push(r);
  }
  x.dispose();
  model.dispose();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? Number(process.argv[i + 1]) : undefined; };
  await run({ batch: arg('batch'), T: arg('T'), hidden: arg('hidden'), layers: arg('layers'), reps: arg('reps'), warmup: arg('warmup'), bidirectional: process.argv.includes('--bidirectional') });
  process.exit(0);
}
