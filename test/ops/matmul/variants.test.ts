import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../../helpers/check.js';
import { G } from '../../../src/tensor/index.js';
import { matmulVariant, matmulVariants, tile4Variant, variantFromOverrides } from '../../../src/ops/matmul/variants.js';

const t = suite('ops/matmul/variants');
t.before(async () => { await engine(); });

t('matmulVariant: register blocking on software adapters, tiling within compatibility limits', () => {
  const lp = G().limits;
  const soft = { software: true }, hw = { software: false };
  assert.is(matmulVariant(1024, 1024, 1024, lp, soft).name, matmulVariants.ubok16x16n4.name, '64 windows: 4 per dispatch');
  assert.is(matmulVariant(128, 512, 128, lp, soft).name, matmulVariants.ubok16x16.name, '1 window: one per dispatch');
  assert.is(matmulVariant(12, 4096, 512, lp, soft).name, matmulVariants.ubo8x8.name, 'under 16 rows: row-major windows');
  assert.is(matmulVariant(7, 13, 5, lp, soft).entry, 'reg');
  assert.is(matmulVariant(7, 13, 5, lp, soft).ubo, false);
  const full = { ...lp, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupStorageSize: 32768 };
  assert.is(matmulVariant(4096, 4096, 512, full, hw).name, matmulVariants.t4_128.name, '1024 tiles of 128²');
  assert.is(matmulVariant(2048, 2048, 512, full, hw).name, matmulVariants.t4_128.name, '256 tiles of 128²');
  assert.is(matmulVariant(2048, 1024, 512, full, hw).name, matmulVariants.t4_64r4.name, '128 tiles of 128²: 64² instead');
  assert.is(matmulVariant(1024, 1024, 1024, full, hw).name, matmulVariants.t4_64r4.name);
  assert.is(matmulVariant(64, 256, 256, full, hw).name, matmulVariants.t4_64r4.name);
  assert.is(matmulVariant(204800, 192, 32, full, hw).name, matmulVariants.t4_64r4.name, 'many tiles but a short k loop');
  // compatibility limits (128 invocations, 16 KiB): neither 256-invocation tile fits
  const compat = { ...lp, maxComputeInvocationsPerWorkgroup: 128, maxComputeWorkgroupStorageSize: 16384 };
  assert.is(matmulVariant(4096, 4096, 512, compat, hw).name, matmulVariants.t4_128x64.name);
  assert.is(matmulVariant(4096, 4096, 64, compat, hw).name, matmulVariants.t4_64.name);
  assert.is(matmulVariant(1024, 1024, 1024, compat, hw).name, matmulVariants.t4_64.name);
  const tiny = { ...lp, maxComputeInvocationsPerWorkgroup: 32, maxComputeWorkgroupStorageSize: 4096 };
  assert.is(matmulVariant(1024, 1024, 1024, tiny, hw).name, matmulVariants.tiled32.name, 'nothing of tiled4 fits');
});

t('tiled4: variantFromOverrides accepts the shipped configurations and rejects what the kernel cannot run', () => {
  const lim = { ...G().limits, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384 };
  for (const v of [matmulVariants.t4_128, matmulVariants.t4_128x64, matmulVariants.t4_64, matmulVariants.t4_64r4]) {
    assert.equal(variantFromOverrides(v.overrides, lim), v);
  }
  for (const ks of [2, 4, 16]) assert.equal(variantFromOverrides({ ...matmulVariants.t4_64r4.overrides, KS: ks }, lim), tile4Variant(4, 4, 16, 16, 16, ks));
  const base = matmulVariants.t4_128.overrides;
  for (const bad of [{ TM: 6 }, { TN: 16 }, { BK: 12 }, { WGX: 32 }, { BK: 32 }, { WGX: 3 }, { BK: 4 }, { KS: 3 }, { KS: 32 }, { KS: 0 }] as Record<string, number>[]) {
    assert.is(variantFromOverrides({ ...base, ...bad }, lim), undefined, JSON.stringify(bad));
  }
});

t.run();
