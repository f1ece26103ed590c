/**
 * The tuning cache (src/gpu/tuning.ts) and the tuner (src/tune/tuner.ts): file round trip, a
 * corrupt file ignored with one warning, entries kept apart by adapter identity, a stored matmul
 * variant being what `matmulVariant` returns and computing what the default computes, the tunable
 * knobs of top-k and InfoNCE leaving results unchanged, and the tuner refusing a variant whose
 * output differs from the default's.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, G, backward } from '../../src/tensor/index.js';
import { addScalar } from '../../src/ops/elementwise.js';
import { storeTuned, saveTuning, resetTuningCache, tuningFilePath, adapterIdentity, adapterKey, type TunedEntry } from '../../src/gpu/tuning.js';
import { forceVariant, recordLookups, tunedEntry } from '../../src/gpu/policy.js';
import { matmul } from '../../src/ops/matmul/matmul.js';
import { matmulVariant, defaultMatmulVariant, matmulShapeClass, variantFromOverrides, matmulVariants, tile4Variant } from '../../src/ops/matmul/variants.js';
import { topkMask, topkShapeClass } from '../../src/ops/topk.js';
import { infoNCE, chunking, contrastiveShapeClass } from '../../src/ops/contrastive.js';
import { tuneCase, type TuneCase } from '../../src/tune/tuner.js';
import { matmulCandidates } from '../../src/tune/matmul.js';
import { tuneFamilies } from '../../src/tune/families.js';
import { familyNames } from '../../src/cli/tune.js';
import type { DeviceSummary } from '../../src/gpu/device.js';

const t = suite('gpu/tuning');
let dir: string;
const savedEnv = process.env.I2MD_TUNING_FILE;
const useFile = (name: string) => { process.env.I2MD_TUNING_FILE = join(dir, name); resetTuningCache(); return process.env.I2MD_TUNING_FILE; };

t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-tuning-')); });
t.after(() => {
  if (savedEnv === undefined) delete process.env.I2MD_TUNING_FILE; else process.env.I2MD_TUNING_FILE = savedEnv;
  resetTuningCache();
  rmSync(dir, { recursive: true, force: true });
});

const entry = (variant: string, overrides: Record<string, number>): TunedEntry => ({ variant, overrides, ms: { [variant]: 1 } });
/** A second adapter that differs from this one only in its driver description. */
const otherAdapter = (): DeviceSummary => ({ ...G().summary, description: `${G().summary.description} (another driver)` });

t('the CLI offers every tunable family', () => {
  assert.equal(tuneFamilies.map((f) => f.family), familyNames);
});

t('I2MD_TUNING_FILE picks the file; off disables it', () => {
  assert.is(useFile('a.json'), tuningFilePath());
  process.env.I2MD_TUNING_FILE = 'off';
  assert.is(tuningFilePath(), '');
  delete process.env.I2MD_TUNING_FILE;
  assert.match(tuningFilePath(), /i2md-webgpu[/\\]tuning\.json$/);
});

t('round trip: stored entries are written atomically and read back by a fresh load', () => {
  const path = useFile('round.json');
  const g = G();
  assert.is(tunedEntry('matmul', '1024x1024x1024', g.summary), undefined, 'a missing file is an empty cache');
  storeTuned('matmul', '1024x1024x1024', entry('reg4x4w64', matmulVariants.reg4x4.overrides), g.summary);
  storeTuned('topk', '64x16384k8192', entry('wg64', { WG: 64 }), g.summary);
  assert.is(saveTuning(g.summary), path);
  assert.ok(existsSync(path) && !existsSync(`${path}.tmp-${process.pid}`));
  resetTuningCache();
  assert.equal(tunedEntry('matmul', '1024x1024x1024', g.summary)?.overrides, matmulVariants.reg4x4.overrides);
  assert.is(tunedEntry('topk', '64x16384k8192', g.summary)?.variant, 'wg64');
  assert.is(tunedEntry('topk', '32x1024k256', g.summary), undefined);
  // a second save merges with what the file holds (another process may have written meanwhile)
  const onDisk = JSON.parse(readFileSync(path, 'utf8'));
  onDisk.adapters['someone else'] = { adapter: adapterIdentity(otherAdapter()), kernels: { topk: { x: entry('wg32', { WG: 32 }) } } };
  writeFileSync(path, JSON.stringify(onDisk));
  storeTuned('topk', '32x1024k256', entry('wg128', { WG: 128 }), g.summary);
  saveTuning(g.summary);
  const merged = JSON.parse(readFileSync(path, 'utf8'));
  assert.ok(merged.adapters['someone else'], "another adapter's entries survive a save");
  assert.equal(Object.keys(merged.adapters[adapterKey(adapterIdentity(g.summary))].kernels.topk).sort(), ['32x1024k256', '64x16384k8192']);
});

t('a corrupt file is ignored with one warning; malformed entries are dropped', () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => { warnings.push(String(m)); };
  try {
    const path = useFile('corrupt.json');
    writeFileSync(path, '{"version": 1, "adapters": {');
    assert.is(tunedEntry('matmul', '1024x1024x1024', G().summary), undefined);
    assert.is(tunedEntry('topk', '64x16384k8192', G().summary), undefined);
    assert.is(warnings.length, 1, 'warned once');
    assert.match(warnings[0], /corrupt\.json is unreadable/);

    const key = adapterKey(adapterIdentity(G().summary));
    writeFileSync(path, JSON.stringify({ version: 1, adapters: { [key]: { adapter: adapterIdentity(G().summary), kernels: {
      topk: { good: entry('wg64', { WG: 64 }), bad: { variant: 'wg64', overrides: { WG: 'big' } }, worse: 7 } } } } }));
    warnings.length = 0;
    resetTuningCache();
    assert.is(tunedEntry('topk', 'good', G().summary)?.variant, 'wg64');
    assert.is(tunedEntry('topk', 'bad', G().summary), undefined);
    assert.is(warnings.length, 1);
    assert.match(warnings[0], /2 malformed entries ignored/);
  } finally { console.warn = warn; }
});

t('adapter identity keys separate entries', () => {
  useFile('adapters.json');
  const mine = G().summary, other = otherAdapter();
  assert.is.not(adapterKey(adapterIdentity(mine)), adapterKey(adapterIdentity(other)));
  for (const field of ['vendor', 'architecture', 'device', 'backend', 'featureLevel'] as const) {
    assert.is.not(adapterKey(adapterIdentity({ ...mine, [field]: 'x' })), adapterKey(adapterIdentity(mine)), field);
  }
  storeTuned('topk', 'c', entry('wg64', { WG: 64 }), other);
  assert.is(tunedEntry('topk', 'c', mine), undefined, "another adapter's entry is not used here");
  assert.is(tunedEntry('topk', 'c', other)?.variant, 'wg64');
  storeTuned('topk', 'c', entry('wg512', { WG: 512 }), mine);
  assert.is(tunedEntry('topk', 'c', mine)?.variant, 'wg512');
  assert.is(tunedEntry('topk', 'c', other)?.variant, 'wg64');
  assert.is(tunedEntry('topk', 'c', { software: true }), undefined, 'an object without identity never reads the cache');
});

t('a stored matmul variant is what matmulVariant returns (and invalid overrides fall back to the default)', () => {
  useFile('matmul.json');
  const g = G();
  const [M, N, K] = [300, 200, 100];
  const def = defaultMatmulVariant(M, N, K, g.limits, g.summary);
  assert.is(matmulVariant(M, N, K, g.limits).name, def.name, 'no entry: the default');
  const pick = [matmulVariants.tiled32, matmulVariants.reg4x4, matmulVariants.ubo8x8].find((v) => v.name !== def.name)!;
  storeTuned('matmul', matmulShapeClass(M, N, K), entry(pick.name, pick.overrides), g.summary);
  assert.equal(matmulVariant(M, N, K, g.limits), pick);
  assert.equal(matmulVariant(257, 129, 65, g.limits), pick, 'the same shape class');
  assert.is(matmulVariant(M, N, K, g.limits, { software: g.summary.software }).name, def.name, 'a caller-given adapter without identity');
  assert.is(matmulVariant(1024, 1024, 1024, g.limits).name, defaultMatmulVariant(1024, 1024, 1024, g.limits, g.summary).name, 'another class');
  storeTuned('matmul', matmulShapeClass(M, N, K), entry('bogus', { TM: 99, TN: 8, WG: 16 }), g.summary);
  assert.is(matmulVariant(M, N, K, g.limits).name, def.name);
  assert.is(variantFromOverrides({ TS: 64, BK: 16, WGX: 16, WGY: 16 }, { ...g.limits, maxComputeInvocationsPerWorkgroup: 128 }), undefined);
  for (const bad of [{ NW: 9 }, { NW: 0 }, { NW: 1.5 }, { TM: 12 }, { TN: 6 }] as Record<string, number>[]) {
    assert.is(variantFromOverrides({ TM: 16, TN: 16, WG: 8, AV: 3, ...bad }, g.limits), undefined, `regk ${JSON.stringify(bad)}`);
  }
  assert.equal(variantFromOverrides({ TM: 16, TN: 16, WG: 8, AV: 3, NW: 4 }, g.limits), matmulVariants.ubok16x16n4);
  for (const v of matmulCandidates) {
    const back = variantFromOverrides(v.overrides, { ...g.limits, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupStorageSize: 32768 });
    assert.equal(back, v, `${v.name} survives the cache`);
  }
});

t('a tuned matmul gives the default result on a random product', async () => {
  useFile('product.json');
  const g = G();
  const [M, N, K] = [67, 131, 97];   // primes: every edge path
  const a = randn(M * K, 11), b = randn(K * N, 12);
  const run = () => tidy(() => matmul(Tensor.from(a, [M, K]), Tensor.from(b, [K, N])));
  const ref = run();
  const expect = await ref.read(); ref.dispose();
  const def = defaultMatmulVariant(M, N, K, g.limits, g.summary);
  // a split-k tile too: 97 k = 7 steps of 16 in 2 slices, summed by ksum
  for (const v of [matmulVariants.ubo8x8, matmulVariants.reg4x4, matmulVariants.tiled32, tile4Variant(4, 4, 16, 16, 16, 2)]) {
    storeTuned('matmul', matmulShapeClass(M, N, K), entry(v.name, v.overrides), g.summary);
    assert.is(matmulVariant(M, N, K, g.limits).name, v.name);
    const out = run();
    assertClose(await out.read(), expect, 1e-5, `tuned ${v.name} vs default ${def.name}`);
    out.dispose();
  }
});

t('topk mask workgroup sizes select exactly the same elements', async () => {
  useFile('topk.json');
  const [rows, cols, k] = [5, 1031, 300];
  const x = randn(rows * cols, 21).map((v) => Math.round(v * 16) / 16);   // many ties at the threshold
  const run = async () => {
    const { mask, threshold } = tidy(() => topkMask(Tensor.from(x, [rows, cols]), k));
    const r = [await mask.read(), await threshold.read()];
    mask.dispose(); threshold.dispose();
    return r;
  };
  recordLookups(true);
  const [m0, t0] = await run();
  assert.equal(recordLookups(false).topk, [topkShapeClass(rows, cols, k)]);
  for (const wg of [32, 64, 1024]) {
    storeTuned('topk', topkShapeClass(rows, cols, k), entry(`wg${wg}`, { WG: wg }), G().summary);
    const [m1, t1] = await run();
    assert.equal(Array.from(m1), Array.from(m0), `mask with WG ${wg}`);
    assert.equal(Array.from(t1), Array.from(t0), `threshold with WG ${wg}`);
  }
});

t('InfoNCE with a tuned split-K chunking gives the default loss and gradient', async () => {
  useFile('nce.json');
  const [n, d, k] = [9, 20, 1500];
  const data = [randn(n * d, 31), randn(n * d, 32), randn(d * k, 33, -0.2, 0.2)];
  const run = async () => {
    const q = Tensor.from(data[0], [n, d]).param();
    const { loss } = tidy(() => { const l = infoNCE(q, Tensor.from(data[1], [n, d]), Tensor.from(data[2], [d, k]), 0.1); backward(l); return { loss: l }; });
    const r = [await loss.read(), await q.grad!.read()];
    loss.dispose(); q.grad!.dispose(); q.dispose();
    return r;
  };
  const [l0, g0] = await run();
  assert.ok(chunking(n, d, k).nchunks > 1 && chunking(n, d, k, 1).nchunks === 1);
  storeTuned('contrastive', contrastiveShapeClass(n, d, k), entry('groups1', { GROUPS: 1 }), G().summary);
  const [l1, g1] = await run();
  assertClose(l1, l0, 1e-5, 'loss');
  assertClose(g1, g0, 1e-5, 'dq');
});

t('the tuner keeps the fastest verified variant and rejects one whose output differs', async () => {
  useFile('tuner.json');
  let x: Tensor | undefined;
  // a fake family read through the cache like a real op: R products in a row, OFF added to the result
  const fake: TuneCase = {
    label: 'fake', shape: '256x256x256', shapeClass: 'c256', defaultName: 'base',
    candidates: [{ name: 'base', overrides: { R: 1 } }, { name: 'slow', overrides: { R: 8 } }, { name: 'wrong', overrides: { R: 1, OFF: 1e-3 } }],
    run() {
      x ??= Tensor.from(randn(256 * 256, 41), [256, 256]).keep();
      const o = tunedEntry('fake', 'c256', G().summary)?.overrides ?? {};
      let out = matmul(x, x);
      for (let i = 1; i < (o.R ?? 1); i++) out = matmul(x, x);
      return [o.OFF ? addScalar(out, o.OFF) : out];
    },
    tol: 0,
    dispose() { x?.dispose(); x = undefined; },   // the next case makes x again (a disposed tensor's buffer throws)
  };
  const r = await tuneCase('fake', fake, { reps: 3 });
  fake.dispose();
  assert.equal(r.classes, ['c256']);
  const wrong = r.variants.find((v) => v.name === 'wrong')!;
  assert.ok(wrong.error && wrong.ms === undefined, 'a variant with different output is rejected');
  assert.match(wrong.error!, /differs from the default/);
  assert.is(r.winner, 'base');
  assert.ok(r.variants.find((v) => v.name === 'slow')!.ms! > r.variants.find((v) => v.name === 'base')!.ms!);
  assert.equal(Object.keys(r.entry!.ms!).sort(), ['base', 'slow']);
  assert.is(r.entry!.defaultVariant, 'base');
  assert.is(tunedEntry('fake', 'c256', G().summary), undefined, 'forcing ends with the tuning');
  // a case whose op never looks up the class it claims is an error, not a silent no-op
  const lost: TuneCase = { ...fake, shapeClass: 'elsewhere', dispose() { x?.dispose(); x = undefined; } };
  try { await tuneCase('fake', lost, { reps: 1 }); assert.unreachable('mismatched class accepted'); }
  catch (e) { assert.match((e as Error).message, /looked up c256, not elsewhere/); }
  lost.dispose();
  forceVariant('fake', undefined);
});

t.run();
