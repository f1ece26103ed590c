/**
 * Matmul throughput: 1024³ f32 for every variant of src/ops/matmul/variants.ts (plus some that only the
 * benchmark builds: 8×4 register tiles with and without uniform windows, k-major window tiles
 * 16×16 at 16 lanes, 16×8 and 8×16) and for the default
 * that `matmulVariant` picks; on hardware GPUs more shared-memory tiles and the split-k ones at
 * 1024³, and the tiles at 2048³ and 4096³ too; then the default on shapes of a training step
 * (linear layers of the ST-GCN head: forward, input gradient, weight gradient).
 * Also runnable alone: `node dist/bench/matmul.js`.
 */
import { initEngine, Tensor, G } from '../src/tensor/index.js';
import { matmul, linear } from '../src/ops/matmul/matmul.js';
import { matmulVariant, matmulVariants, regVariant, windowVariant, tile4Variant, splitVariants, type MatmulVariant } from '../src/ops/matmul/variants.js';
import { backward } from '../src/tensor/index.js';
import { sumAxes } from '../src/ops/reduce.js';
import { Rng } from '../src/util/random.js';
import { measure, context, type BenchContext, type BenchRecord } from './harness.js';

function random(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape).keep();
}

export async function run(ctx: BenchContext = context()): Promise<BenchRecord[]> {
  const g = G();
  const out: BenchRecord[] = [];
  const push = (r?: BenchRecord) => { if (r) out.push(r); };
  const S = 1024;
  const a = random([S, S], 1), b = random([S, S], 2);
  const chosen = matmulVariant(S, S, S, g.limits);
  const variants: [string, MatmulVariant][] = [
    ...Object.entries(matmulVariants), ['reg8x4', regVariant(8, 4, 32)], ['ubo8x4', regVariant(8, 4, 32, true)],
    ['ubok16x8', windowVariant(16, 8, 16)], ['ubok16x16w16', windowVariant(16, 16, 16)], ['ubok8x16', windowVariant(8, 16, 8)], ['ubok16x16n2', windowVariant(16, 16, 8, 2)], ['ubok16x16n8', windowVariant(16, 16, 8, 8)],
  ];
  for (const [key, v] of [...variants, [`default (${chosen.name})`, chosen] as [string, MatmulVariant]]) {
    const r = await measure(`matmul 1024³ ${key}`, [S, S, S], () => { matmul(a, b, { variant: v }); },
      { flops: 2 * S ** 3, reps: ctx.reps ?? (g.summary.software ? 3 : 20) });
    if (r) { r.variant = v.name; push(r); }
  }
  a.dispose(); b.dispose();

  // hardware GPUs: more shared-memory tiles, and all of them at sizes that fill a big GPU (1024³ is
  // 2 GFLOP: ≈ 0.1 ms there, too little work for 100+ compute units — hence the split-k tiles)
  if (!g.summary.software) {
    const more: [string, MatmulVariant][] = [['t4_32x64r4', tile4Variant(4, 4, 16, 8, 16)], ['t4_128x64r8x4', tile4Variant(8, 4, 16, 16, 16)],
      ['t4_64x128r4x8', tile4Variant(4, 8, 16, 16, 16)], ['t4_128k16', tile4Variant(8, 8, 16, 16, 16)]];
    const split = splitVariants().map((v): [string, MatmulVariant] => [v.name, v]);
    for (const S2 of [1024, 2048, 4096]) {
      const a2 = random([S2, S2], 6), b2 = random([S2, S2], 7);
      const def = matmulVariant(S2, S2, S2, g.limits);
      const tiles: [string, MatmulVariant][] = S2 === S ? [...more, ...split] : [...Object.entries(matmulVariants).filter(([, v]) => v.entry === 'tiled4'),
        ...more, [`default (${def.name})`, def]];
      for (const [key, v] of tiles) {
        const r = await measure(`matmul ${S2}³ ${key}`, [S2, S2, S2], () => { matmul(a2, b2, { variant: v }); },
          { flops: 2 * S2 ** 3, reps: ctx.reps ?? 20 });
        if (r) { r.variant = v.name; push(r); }
      }
      a2.dispose(); b2.dispose();
    }
  }

  // a linear layer at training size: 64 clips × 2 bodies × 64 frames = 8192 rows, 256 → 256
  const rows = 8192, fin = 256, fout = 256;
  const x = random([rows, fin], 3), w = random([fout, fin], 4), bias = random([fout], 5);
  push(await measure(`linear fwd ${rows}×${fin} → ${fout}`, [rows, fin, fout], () => { linear(x, w, bias); },
    { flops: 2 * rows * fin * fout }));
  x.requiresGrad = true; w.requiresGrad = true; bias.requiresGrad = true;
  push(await measure(`linear fwd+bwd ${rows}×${fin} → ${fout}`, [rows, fin, fout], () => {
    backward(sumAxes(linear(x, w, bias)));
    for (const t of [x, w, bias]) { t.grad?.dispose(); t.grad = undefined; }
  }, { flops: 3 * 2 * rows * fin * fout }));
  for (const t of [x, w, bias]) t.dispose();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initEngine();
  for (const r of await run()) console.log(`${r.name.padEnd(40)} ${r.medianMs.toFixed(1).padStart(8)} ms ${r.gflops?.toFixed(1).padStart(6)} GFLOP/s  cpu ${r.cpuMs?.toFixed(0)} ms`);
  process.exit(0);
}
