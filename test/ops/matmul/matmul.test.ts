import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, dispatched } from '../../helpers/check.js';
import { Tensor, tidy, G } from '../../../src/tensor/index.js';
import { matmul, linear } from '../../../src/ops/matmul/matmul.js';
import { matmulRef, linearRef } from '../../../src/ops/matmul/reference.js';
import { matmulVariant, matmulVariants, windowVariant, tile4Variant, type MatmulVariant } from '../../../src/ops/matmul/variants.js';

const t = suite('ops/matmul/matmul');
t.before(async () => { await engine(); });

const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);

/** The stored shapes of an M×N×K product with transposes and an optional batch per side. */
function shapes(M: number, N: number, K: number, tA: boolean, tB: boolean, za = 0, zb = 0): [number[], number[]] {
  const sa = tA ? [K, M] : [M, K], sb = tB ? [N, K] : [K, N];
  return [za ? [za, ...sa] : sa, zb ? [zb, ...sb] : sb];
}

async function forward(sa: number[], sb: number[], tA: boolean, tB: boolean, variant?: MatmulVariant, tol = 1e-5): Promise<void> {
  const a = randn(prod(sa), 3), b = randn(prod(sb), 4);
  const out = tidy(() => matmul(Tensor.from(a, sa), Tensor.from(b, sb), { transA: tA, transB: tB, variant }));
  assertClose(await out.read(), matmulRef(a, sa, b, sb, tA, tB), tol, `[${sa}]${tA ? 'ᵀ' : ''}·[${sb}]${tB ? 'ᵀ' : ''} ${variant?.name ?? 'default'}`);
  out.dispose();
}

// forward at awkward sizes with the variant the adapter picks, all four transpose combinations
for (const [M, N, K] of [[1, 1, 1], [7, 13, 5], [33, 65, 17], [128, 1, 300]]) {
  t(`${M}×${N}×${K}: forward, every transpose`, async () => {
    for (const tA of [false, true]) for (const tB of [false, true]) await forward(...shapes(M, N, K, tA, tB), tA, tB);
  });
}

t('vec4 load paths of the default variant: along k for A and B, along n for B', async () => {
  await forward([40, 36], [36, 64], false, false);
  await forward([40, 36], [64, 36], false, true);
});

t('batched 3×17×9 · 9×11 (b shared), both batched, a shared, batch 1 broadcast', async () => {
  await forward([3, 17, 9], [9, 11], false, false);
  await forward([3, 17, 9], [3, 9, 11], false, false);
  await forward([17, 9], [3, 9, 11], false, false);
  await forward([1, 17, 9], [3, 9, 11], false, false);
  await forward([3, 9, 17], [3, 11, 9], true, true);
});

t('output shapes and errors', () => {
  tidy(() => {
    assert.equal(matmul(Tensor.empty([2, 3]), Tensor.empty([3, 4])).shape, [2, 4]);
    assert.equal(matmul(Tensor.empty([5, 2, 3]), Tensor.empty([3, 4])).shape, [5, 2, 4]);
    assert.equal(matmul(Tensor.empty([3, 2]), Tensor.empty([4, 3]), { transA: true, transB: true }).shape, [2, 4]);
    assert.throws(() => matmul(Tensor.empty([2, 3]), Tensor.empty([4, 5])), /inner sizes/);
    assert.throws(() => matmul(Tensor.empty([2, 2, 3]), Tensor.empty([3, 3, 4])), /batch sizes/);
  });
});

// every variant against the reference: ragged tile edges with scalar loads and a batch, then
// sizes ≡ 0 mod 4 (vec4 loads) with a shared side; uniform windows also with k split over windows
const cases: [number[], number[], boolean, boolean][] = [
  [[2, 33, 17], [17, 65], false, false],
  [[20, 36], [2, 36, 64], false, false],
];
for (const [name, v] of Object.entries(matmulVariants)) {
  t(`variant ${name}: forward at tile edges, vec4 paths, batches`, async () => {
    for (const [sa, sb, tA, tB] of cases) await forward(sa, sb, tA, tB, v);
    // f32 sums of 3000 products of [-1, 1) values carry ~3e-5 absolute error
    if (v.ubo) await forward([70, 3000], [90, 3000], false, true, v, 1e-4);
  });
}

t('k-major windows (regk): k split over windows, ragged rows and column groups, batched A and B, shared A', async () => {
  const v = matmulVariants.ubok16x16;
  await forward([70, 3000], [3000, 92], false, false, v, 1e-4);   // 24 k windows, 70 rows of 128, 23 groups
  await forward([3, 21, 40], [3, 40, 36], false, false, v);       // a window set per batch
  await forward([20, 36], [2, 36, 64], false, false, v);          // one window set for every batch
  await forward([37, 5], [5, 4], false, false, v);                // one column group
});

/** forward(), also returning the names of the kernels it dispatched. */
async function forwardLogged(sa: number[], sb: number[], tA: boolean, tB: boolean, v?: MatmulVariant, tol?: number): Promise<string[]> {
  return (await dispatched(() => forward(sa, sb, tA, tB, v, tol))).names;
}

// [A, B, transA, transB, regk dispatches with 1 / 4 / 3 windows each]
const windowCases: [number[], number[], boolean, boolean, number[]][] = [
  [[300, 100], [100, 320], false, false, [3, 1, 1]],         // 3 row blocks of 128 (the last 44)
  [[200, 1500], [1500, 200], false, false, [24, 12, 12]],    // 2 row blocks × 12 k windows, accumulated
  [[3, 150, 100], [3, 100, 160], false, false, [6, 3, 3]],   // 3 batches of 2 row blocks
  [[100, 2000], [100, 300], true, false, [3, 1, 1]],         // turned (B has fewer elements): C written with n stride 300
  [[1500, 600], [1500, 36], true, false, [6, 6, 6]],         // turned, k split over 6 windows
  [[300, 64], [64, 160], false, false, [2, 1, 1]],           // B smaller, but only unturned has vec4 columns: A packed
  [[300, 64], [64, 40], false, false, [0, 0, 0]],            // the same, but 40 columns would leave lanes idle: row-major windows
  [[300, 64], [40, 64], false, true, [0, 0, 0]],             // neither orientation has them: row-major windows
];
for (const [i, v] of [matmulVariants.ubok16x16, matmulVariants.ubok16x16n4, windowVariant(16, 8, 16, 3)].entries()) {
  t(`k-major windows, ${v.name}: several row-block windows per dispatch, ragged; turned products store C per element`, async () => {
    const nw = v.overrides.NW ?? 1;
    for (const [sa, sb, tA, tB, counts] of windowCases) {
      const names = await forwardLogged(sa, sb, tA, tB, v, 1e-4);
      const regk = names.filter((n) => n.startsWith(`matmul/regk:regk{NW=${nw},`));
      assert.is(regk.length, counts[i], `[${sa}]·[${sb}]: regk dispatches (${names.join(', ')})`);
      if (!counts[i]) assert.ok(names.some((n) => n.startsWith('matmul/matmul:reg{')), 'the row-major windows instead');
    }
  });
}

t('the default re-chooses its windows per dispatch from the layout that runs', async () => {
  if (!G().summary.software) return;   // the window path is the software adapters' default
  // B is smaller, but only A·B as given reads B as vec4 columns: A's 2000 rows are packed, 8 row
  // blocks of 256 — the default guessed one window (128 × 64) and one per dispatch
  assert.is(matmulVariant(2000, 128, 64, G().limits).name, matmulVariants.ubok16x16.name);
  const names = await forwardLogged([2000, 64], [64, 128], false, false, undefined, 1e-4);
  const regk = names.filter((n) => n.startsWith('matmul/regk:regk'));
  assert.equal(regk, ['matmul/regk:regk{NW=4,TM=16,TN=16,WG=8}', 'matmul/regk:regk{NW=4,TM=16,TN=16,WG=8}'], names.join(', '));
});

t('more row groups than one dispatch dimension holds (split into dispatches)', async () => {
  const rows = 70000 * 4 + 3;   // reg4x4: 4 rows per workgroup → 70001 workgroup rows
  await forward([rows, 2], [2, 41], false, false, matmulVariants.reg4x4);
});

// gradients: dA = dC·Bᵀ, dB = Aᵀ·dC with transposes folded; a broadcast side sums over the batch
for (const tA of [false, true]) for (const tB of [false, true]) {
  t(`gradients 3×4·4×5 transA=${tA} transB=${tB}`, async () => {
    const [sa, sb] = shapes(3, 5, 4, tA, tB);
    await checkOp({ shapes: [sa, sb], gpu: ([a, b]) => matmul(a, b, { transA: tA, transB: tB }), ref: ([a, b]) => matmulRef(a, sa, b, sb, tA, tB) });
  });
}
for (const [sa, sb, tA, tB] of [
  [[2, 3, 4], [4, 5], false, false], [[2, 3, 4], [5, 4], false, true], [[2, 4, 3], [4, 5], true, false],
  [[3, 4], [2, 4, 5], false, false], [[2, 3, 4], [2, 4, 5], false, false], [[1, 3, 4], [2, 5, 4], false, true],
] as [number[], number[], boolean, boolean][]) {
  t(`gradients batched [${sa}]${tA ? 'ᵀ' : ''}·[${sb}]${tB ? 'ᵀ' : ''}`, async () => {
    await checkOp({ shapes: [sa, sb], gpu: ([a, b]) => matmul(a, b, { transA: tA, transB: tB }), ref: ([a, b]) => matmulRef(a, sa, b, sb, tA, tB) });
  });
}

for (const xs of [[3, 4], [2, 3, 4], [4]]) {
  t(`linear x [${xs}] · W (5, 4)ᵀ with and without bias: forward and gradients`, async () => {
    await checkOp({ shapes: [xs, [5, 4], [5]], gpu: ([x, w, b]) => linear(x, w, b), ref: ([x, w, b]) => linearRef(x, w, 5, 4, b) });
    await checkOp({ shapes: [xs, [5, 4]], gpu: ([x, w]) => linear(x, w), ref: ([x, w]) => linearRef(x, w, 5, 4) });
  });
}

t('linear output shape keeps leading dims; bias fused on every variant (turned products too)', async () => {
  const y = tidy(() => linear(Tensor.empty([2, 3, 4]), Tensor.empty([5, 4]), Tensor.empty([5])));
  assert.equal(y.shape, [2, 3, 5]);
  y.dispose();
  // 12 outputs: computed turned (C per element); 40: as given (tiled4 stores C as vec4s with the bias added)
  for (const fout of [12, 40]) {
    const x = randn(37 * 24, 5), w = randn(fout * 24, 6), b = randn(fout, 7);
    for (const v of [matmulVariants.reg8x8, matmulVariants.ubo8x8, matmulVariants.tiled32, matmulVariants.t4_64, matmulVariants.t4_64r4]) {
      const out = tidy(() => linear(Tensor.from(x, [37, 24]), Tensor.from(w, [fout, 24]), Tensor.from(b, [fout]), { variant: v }));
      assertClose(await out.read(), linearRef(x, w, fout, 24, b), 1e-5, `linear ${v.name}, ${fout} outputs`);
      out.dispose();
    }
  }
});

t('tiled4: every load path (vec4 along k or m for A, along n or k for B, scalar), C per element, several k steps', async () => {
  // [A, B, transA, transB, the AV / BV / CV the host must choose]
  const layouts: [number[], number[], boolean, boolean, string][] = [
    [[36, 40], [40, 52], false, false, 'AV=1,BV=1,CV=1'],   // 40 k = 5 steps of 8 with t4_64
    [[40, 36], [40, 52], true, false, 'AV=2,BV=1,CV=1'],
    [[36, 40], [52, 40], false, true, 'AV=1,BV=2,CV=1'],
    [[40, 36], [52, 40], true, true, 'AV=2,BV=2,CV=1'],
    [[37, 41], [41, 53], false, false, 'AV=0,BV=0,CV=0'],   // odd sizes: scalar loads and stores
    [[3, 36, 44], [44, 20], false, false, 'AV=2,BV=2,CV=0'],// batched A, shared B; 20 columns: computed turned
    [[300, 64], [64, 8], false, false, 'AV=2,BV=2,CV=0'],   // 8 columns: computed turned, C per element
  ];
  // every layout on one variant (each is another pipeline: ≈ 1 s of JIT on llvmpipe); the others'
  // awkward sizes are in the per-variant test above, here the common path and the scalar one
  for (const v of [matmulVariants.t4_64, matmulVariants.t4_128, matmulVariants.t4_64r4, tile4Variant(8, 4, 8, 16, 32)]) {
    for (const [sa, sb, tA, tB, paths] of v === matmulVariants.t4_64 ? layouts : [layouts[0], layouts[4]]) {
      const names = await forwardLogged(sa, sb, tA, tB, v);
      assert.ok(names.length === 1 && names[0].startsWith('matmul/tiled4:tiled4') && paths.split(',').every((x) => /[{,]/.test(names[0][names[0].indexOf(x) - 1] ?? '')),
        `${v.name} [${sa}]·[${sb}]: expected one tiled4 dispatch with ${paths}, got ${names.join(', ')}`);
    }
  }
  // k shorter than one step, one element, and k not a multiple of the step
  for (const [M, N, K] of [[1, 1, 1], [5, 7, 3], [65, 129, 97]]) await forward([M, K], [K, N], false, false, matmulVariants.t4_128);
});

t('tiled4 split k: the slices summed by ksum, k not a multiple of the slice, batches, scalar paths, too short to split', async () => {
  const v = tile4Variant(8, 8, 8, 8, 8, 4);   // t4_64 with up to 4 slices of whole 8-k steps
  // [A, B, transA, transB, slices the host must use (1: the plain kernel, no ksum)]
  const cases: [number[], number[], boolean, boolean, number][] = [
    [[36, 97], [97, 52], false, false, 4],         // 13 steps: slices of 32, 32, 32 and 1 k
    [[37, 41], [41, 53], false, false, 3],         // scalar loads, C per element; 6 steps: 16, 16, 9
    [[3, 36, 44], [44, 40], false, false, 3],      // batched A, shared B
    [[40, 36], [52, 40], true, true, 3],           // both transposed (vec4 along m and k)
    [[300, 64], [64, 8], false, false, 4],         // computed turned: C per element through strides
    [[5, 3], [3, 7], false, false, 1],             // one step: nothing to split
  ];
  for (const [sa, sb, tA, tB, slices] of cases) {
    const names = await forwardLogged(sa, sb, tA, tB, v);
    const tiled = names.filter((n) => n.startsWith('matmul/tiled4:tiled4'));
    const ksum = names.filter((n) => n.startsWith('matmul/ksum:ksum'));
    assert.ok(tiled.length === 1 && (slices > 1 ? tiled[0].includes(`KS=${slices}`) : !tiled[0].includes('KS=')), `[${sa}]·[${sb}]: ${names.join(', ')}`);
    assert.is(ksum.length, slices > 1 ? 1 : 0, `[${sa}]·[${sb}]: one ksum pass after a split (${names.join(', ')})`);
    assert.is(names.at(-1), slices > 1 ? ksum[0] : tiled[0], 'ksum runs last');
  }
});

t('tiled4 split k: bias in the sum pass (vec4 and per-element stores) and more batches × slices than one grid dimension', async () => {
  for (const fout of [12, 40]) {   // 12 outputs: turned, C per element; 40: C as vec4s
    const x = randn(37 * 24, 5), w = randn(fout * 24, 6), b = randn(fout, 7);
    const out = tidy(() => linear(Tensor.from(x, [37, 24]), Tensor.from(w, [fout, 24]), Tensor.from(b, [fout]), { variant: tile4Variant(8, 8, 8, 8, 8, 4) }));
    assertClose(await out.read(), linearRef(x, w, fout, 24, b), 1e-5, `split linear, ${fout} outputs`);
    out.dispose();
  }
  // 16 slices of 4 k: 4100 batches make 65600 workgroup layers, over the 65535 of one dispatch
  const names = await forwardLogged([4100, 3, 64], [4100, 64, 5], false, false, tile4Variant(4, 4, 4, 4, 4, 16));
  assert.is(names.filter((n) => n.startsWith('matmul/tiled4:tiled4') && n.includes('KS=16')).length, 2, names.join(', '));
});

t.run();
