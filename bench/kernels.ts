/**
 * Every kernel family at the shapes the paper and demo presets run, each with its time, GFLOP/s
 * (compute-bound families) or GB/s (memory-bound ones) and the fraction of this adapter's
 * measured peak:
 *   - the tunable families (matmul, top-k, contrastive, temporal conv in its three passes, graph
 *     conv) through the same cases `train.js tune` measures (src/tune/*: shapes derived from
 *     src/i2md/config.ts `presets`), each run with the variant the engine picks here (the tuned
 *     one when the cache has it, else the default), and on hardware GPUs the conv passes once more
 *     through im2col + matmul (src/ops/tconv/cols.ts);
 *   - the memory-bound passes of an encoder block — batch norm (training forward, backward),
 *     ReLU, the residual add — at each preset's first-block and last-block activation shapes.
 * Slow on a software adapter (every paper-size conv pass, minutes in all): `bench --all` or
 * `--only kernels`. Also runnable alone: `node dist/bench/kernels.js`.
 */
import { initEngine, Tensor, G, backward } from '../src/tensor/index.js';
import { batchNorm, batchNormState } from '../src/ops/batchnorm.js';
import { add, relu, mul } from '../src/ops/elementwise.js';
import { sumAxes } from '../src/ops/reduce.js';
import { presets } from '../src/i2md/config.js';
import { defaultBlocks } from '../src/nn/stgcn.js';
import { tuneFamilies } from '../src/tune/families.js';
import type { TuneCase } from '../src/tune/tuner.js';
import { withKernel } from '../src/gpu/policy.js';
import { Rng } from '../src/util/random.js';
import { measure, context, type BenchContext, type BenchRecord } from './harness.js';

/** An activation (N·M, C, T, V) of a preset's block: the first block's output and the last one's. */
function activationShapes(): { label: string; shape: number[] }[] {
  const out: { label: string; shape: number[] }[] = [];
  for (const name of ['stgcn-paper', 'demo'] as const) {
    const c = presets[name];
    const blocks = defaultBlocks(3, c.hidden, c.hiddenDim);
    let T = c.frames;
    const shapes = blocks.map(([, cout, stride]) => { T = Math.ceil(T / stride); return [c.batchSize * 2, cout, T, 25]; });
    out.push({ label: `${name} block 1`, shape: shapes[0] }, { label: `${name} block ${blocks.length}`, shape: shapes[shapes.length - 1] });
  }
  return out;
}

function random(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape).keep();
}

export async function run(ctx: BenchContext = context()): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  const g = G();
  const reps = ctx.reps ?? (g.summary.software ? 3 : 20);
  const push = (r: BenchRecord | undefined, extra: Record<string, unknown> = {}) => { if (r) out.push(Object.assign(r, extra)); };

  // one tuning case with the variant the engine picks (stderr for a skipped one: run.ts keeps a
  // measuring module's own log lines quiet, and a missing case must show)
  const measureCase = async (name: string, c: TuneCase) => {
    if (c.skip) { console.warn(`${name}: not run (${c.skip})`); c.dispose(); return; }
    try {
      push(await measure(name, c.shape.split(/[^0-9]+/).filter(Boolean).map(Number), () => { c.run(); }, { flops: c.flops, reps }), { shapeLabel: c.shape });
    } finally {
      c.dispose();
    }
  };
  for (const family of tuneFamilies) {
    for (const c of family.cases(false)) await measureCase(`${family.family}: ${c.label}`, c);
  }

  // hardware GPUs: every conv pass again through im2col + matmul (tconv PATH 2, a tuning candidate
  // that is not yet a default there), so one run shows both paths side by side
  if (!g.summary.software) {
    await withKernel('tconv', 'cols', async () => {
      for (const c of tuneFamilies.find((f) => f.family === 'tconv')?.cases(false) ?? []) await measureCase(`tconv (im2col + matmul): ${c.label}`, c);
    });
  }

  for (const { label, shape } of activationShapes()) {
    const size = shape.reduce((a, b) => a * b, 1), C = shape[1];
    const x = random(shape, 1), y = random(shape, 2);
    const w = random([C], 3), b = random([C], 4);
    const state = batchNormState(C);
    // bytes moved: the statistics read x twice, the normalisation reads x and writes y
    push(await measure(`batch norm train forward, ${label} [${shape}]`, shape,
      () => { batchNorm(x, w, b, state, { training: true }); }, { bytes: 16 * size, reps }));
    x.requiresGrad = true;
    // forward + backward: + Σg, Σg·x̂ (reads g and x) and dx (reads g and x, writes dx), and the seed mul
    push(await measure(`batch norm train forward + backward, ${label} [${shape}]`, shape, () => {
      backward(sumAxes(mul(batchNorm(x, w, b, state, { training: true }), y)));
      x.grad?.dispose(); x.grad = undefined;
    }, { bytes: (16 + 12 + 20 + 12) * size, reps }));
    x.requiresGrad = false;
    push(await measure(`relu, ${label} [${shape}]`, shape, () => { relu(x); }, { bytes: 8 * size, reps }));
    push(await measure(`residual add, ${label} [${shape}]`, shape, () => { add(x, y); }, { bytes: 12 * size, reps }));
    for (const t of [x, y, w, b, state.runningMean, state.runningVar]) t.dispose();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initEngine();
  for (const r of await run()) {
    const rate = r.gflops !== undefined ? `${r.gflops.toFixed(1)} GFLOP/s` : r.gbps !== undefined ? `${r.gbps.toFixed(2)} GB/s` : '';
    console.log(`${r.name.slice(0, 90).padEnd(90)} ${r.medianMs.toFixed(2).padStart(10)} ms ${rate.padStart(14)}`);
  }
  process.exit(0);
}
