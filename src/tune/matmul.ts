/**
 * Tuning the matmul family (src/ops/matmul/variants.ts): the register-blocked, uniform-window and tiled
 * variants at the products the presets run — the projection heads' linear layers (forward and
 * weight gradient), the encoder's 1×1-conv GEMM shapes (rows = N·M·T·V, C_in → K·C_out; the
 * graph conv has its own kernels today, these classes are ready for when it calls matmul) and 1024³.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { matmul } from '../ops/matmul/matmul.js';
import { matmulVariants, regVariant, tiledVariant, windowVariant, tile4Variant, splitVariants, defaultMatmulVariant, variantFromOverrides, matmulShapeClass, type MatmulVariant } from '../ops/matmul/variants.js';
import { Rng } from '../util/random.js';
import { presets } from '../i2md/config.js';
import { defaultBlocks } from '../nn/stgcn.js';
import { firstOfEach, type Candidate, type TuneCase, type TuneFamily } from './tuner.js';

/** Every variant worth measuring; those the device's limits do not allow are dropped per device. */
export const matmulCandidates: MatmulVariant[] = [
  ...Object.values(matmulVariants),
  regVariant(8, 4, 32), regVariant(8, 4, 32, true), regVariant(4, 8, 32), regVariant(8, 8, 32, true),
  windowVariant(16, 16, 16), windowVariant(16, 8, 16), windowVariant(8, 16, 8), windowVariant(16, 16, 8, 2), windowVariant(16, 16, 8, 8),
  tiledVariant(64, 8, 16, 16), tiledVariant(128, 8, 16, 16),
  ...hardwareTiles(),
];

/**
 * More tiled4 shapes, measured on hardware adapters only (on llvmpipe shared memory is plain
 * memory and these are far from the windows; matmulVariants' four tiled4 entries stay for the
 * record), and split-k versions of the default tiles for products with few tiles (1024³: 64 tiles
 * of 128² or 256 of 64² for 100+ compute units).
 */
function hardwareTiles(): MatmulVariant[] {
  return [tile4Variant(8, 8, 16, 16, 16), tile4Variant(8, 8, 16, 8, 8), tile4Variant(8, 8, 8, 8, 16),
    tile4Variant(8, 4, 16, 16, 16), tile4Variant(4, 8, 16, 16, 16), tile4Variant(8, 8, 32, 8, 16),
    tile4Variant(8, 8, 16, 32, 16), ...splitVariants()];
}
const hardwareOnly = new Set(hardwareTiles().map((v) => v.name));
/** Splitting k only pays where the tiles alone leave a big GPU idle and k is long enough to share. */
const splitWorthTrying = (v: MatmulVariant, M: number, N: number, K: number) =>
  (v.overrides.KS ?? 1) === 1 || (Math.ceil(M / v.tileM) * Math.ceil(N / v.tileN) < 512 && K >= 256);

interface Product { label: string; M: number; N: number; K: number; quick?: boolean }

/** Graph-conv partitions of the spatial strategy (docs/method.md#encoder): the 1×1 conv maps C_in → K·C_out. */
const PARTITIONS = 3;

/**
 * The products one pre-training step of a preset runs or would run through a GEMM: the
 * projection heads (fc.0 forward and weight gradient, fc.2 forward) and the graph convs' 1×1
 * channel mixing of each distinct block (rows = N·M·T·V at that block's T), plus the last
 * block's weight gradient. Read from `presets`, so the shapes follow the presets.
 */
export function presetProducts(name: 'stgcn-paper' | 'demo'): Product[] {
  const c = presets[name];
  const B = c.batchSize, D = c.hiddenDim, V = 25, M = 2;
  const out: Product[] = [
    { label: `${name} head fc.0 fwd (${B}×${D} → ${D})`, M: B, N: D, K: D },
    { label: `${name} head fc.0 weight grad`, M: D, N: D, K: B },
    { label: `${name} head fc.2 fwd (${B}×${D} → ${c.headDim})`, M: B, N: c.headDim, K: D },
  ];
  const seen = new Set<string>();
  let T = c.frames;
  const blocks = c.blocks ?? defaultBlocks(3, c.hidden, D);
  blocks.forEach(([cin, cout, stride], i) => {
    const p = { label: `${name} 1×1 conv GEMM, block ${i} (${cin} → ${PARTITIONS}·${cout}, T ${T})`, M: B * M * T * V, N: PARTITIONS * cout, K: cin };
    const key = `${p.M}x${p.N}x${p.K}`;
    if (!seen.has(key)) { seen.add(key); out.push(p); }
    if (i === blocks.length - 1) out.push({ label: `${name} 1×1 conv weight grad, block ${i}`, M: PARTITIONS * cout, N: cin, K: B * M * T * V });
    T = Math.floor((T - 1) / stride) + 1;
  });
  return out;
}

const flopsOf = (p: Product) => p.M * p.N * p.K;

/** Every product to tune; `quick` marks 1024³, the paper head's forward and the demo's largest conv GEMM. */
function products(): Product[] {
  const paper = presetProducts('stgcn-paper'), demo = presetProducts('demo');
  paper[0].quick = true;
  const convs = demo.filter((p) => p.label.includes('conv GEMM'));
  convs.reduce((a, b) => (flopsOf(b) > flopsOf(a) ? b : a)).quick = true;
  const all = [{ label: '1024³', M: 1024, N: 1024, K: 1024, quick: true }, ...paper, ...demo,
    { label: 'linear at training size (8192×256 → 256)', M: 8192, N: 256, K: 256 }];
  return firstOfEach(all, (p) => `${p.M}x${p.N}x${p.K}`);
}

function random(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.from(Float32Array.from({ length: shape[0] * shape[1] }, () => rng.uniform(-1, 1)), shape).keep();
}

function productCase(p: Product): TuneCase {
  const g = G();
  const { M, N, K } = p;
  // src/ops/matmul/gemm.ts computes a product with few columns and many rows turned around, and looks up that shape
  const [m, n] = N < 32 && M > N ? [N, M] : [M, N];
  const def = defaultMatmulVariant(m, n, K, g.limits, g.summary);
  const valid = matmulCandidates.filter((v) => variantFromOverrides(v.overrides, g.limits) && !(g.summary.software && hardwareOnly.has(v.name))
    && splitWorthTrying(v, m, n, K));
  if (!valid.some((v) => v.name === def.name)) valid.unshift(def);
  let a: Tensor | undefined, b: Tensor | undefined;
  // operands or a result over one storage binding cannot be a single product on this device
  const floats = Math.max(M * K, K * N, M * N), max = g.limits.maxStorageBufferBindingSize / 4;
  return {
    skip: floats > max ? `${(floats * 4 / 2 ** 20).toFixed(0)} MiB tensor over the ${(max * 4 / 2 ** 20).toFixed(0)} MiB storage binding limit` : undefined,
    label: p.label, shape: `${M}x${N}x${K}`, shapeClass: matmulShapeClass(m, n, K), defaultName: def.name,
    candidates: valid.map((v): Candidate => ({ name: v.name, overrides: v.overrides })),
    run() {
      a ??= random([M, K], 1); b ??= random([K, N], 2);
      return [matmul(a, b)];
    },
    // reordered k sums: f32 rounding grows like √K
    tol: 2e-6 * Math.sqrt(K) + 1e-6,
    dispose() { a?.dispose(); b?.dispose(); a = b = undefined; },
    flops: 2 * M * N * K,
  };
}

export const matmulFamily: TuneFamily = {
  family: 'matmul',
  cases: (quick) => products().filter((p) => !quick || p.quick).map(productCase),
};
