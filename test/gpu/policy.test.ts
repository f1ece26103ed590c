/**
 * The kernel policy (src/gpu/policy.ts): defaults per adapter class and limits, forcing by code
 * (restored after), by I2MD_KERNELS (validated, with a message naming the family and choices), the
 * precedence forced > default, and the report `info --kernels` prints.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { G } from '../../src/tensor/index.js';
import {
  kernelFamilies, familyNames, kernelSetting, defaultSetting, adapterClass, withKernel, forceKernel,
  parseKernelSettings, kernelReport, usePolicyAdapter,
} from '../../src/gpu/policy.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('gpu/policy');
const savedEnv = process.env.I2MD_KERNELS;
t.before(async () => { await engine(); delete process.env.I2MD_KERNELS; });
t.after(() => { if (savedEnv === undefined) delete process.env.I2MD_KERNELS; else process.env.I2MD_KERNELS = savedEnv; usePolicyAdapter(G().summary); });

const limits = (storage: number) => ({ maxStorageBuffersPerShaderStage: storage });

t('defaults per adapter class', () => {
  const d = (f: keyof typeof kernelFamilies, cls: 'software' | 'hardware', l = limits(16)) => kernelFamilies[f].default(cls, l);
  assert.equal([d('tconv', 'software'), d('tconv', 'hardware')], ['direct', 'gemm']);
  assert.equal([d('graphconv', 'software'), d('graphconv', 'hardware')], ['reg', 'flat']);
  assert.equal([d('graphsparse', 'software'), d('graphsparse', 'hardware')], ['sparse', 'dense']);
  assert.equal([d('contrastive', 'software'), d('contrastive', 'hardware')], ['gemm', 'tiles']);
  assert.equal([d('topk', 'software'), d('topk', 'hardware')], ['32', '256']);
  assert.equal([d('batchnorm', 'software'), d('batchnorm', 'hardware')], ['8', '256']);
  assert.equal([d('pool', 'software'), d('pool', 'hardware')], ['8', '64']);
  assert.equal([16, 12, 8, 4].map((s) => d('ema', 'hardware', limits(s))), ['8', '4', '4', '1']);
  assert.equal([16, 15, 12, 8].map((s) => d('sgd', 'hardware', limits(s))), ['5', '5', '4', '1']);
  for (const f of familyNames) {
    const decl = kernelFamilies[f] as { choices: readonly string[] | '*' };
    for (const cls of ['software', 'hardware'] as const) {
      const v = kernelFamilies[f].default(cls, limits(16));
      assert.ok(decl.choices === '*' || decl.choices.includes(v), `${f} default ${v} is one of its choices`);
    }
  }
});

t('the bound adapter decides the class; another summary gives the other class', () => {
  assert.is(adapterClass(), G().summary.software ? 'software' : 'hardware');
  assert.is(adapterClass({ software: false }), 'hardware');
  usePolicyAdapter({ software: !G().summary.software, limits: G().summary.limits });
  try {
    assert.is(kernelSetting('batchnorm').value, G().summary.software ? '256' : '8');
  } finally { usePolicyAdapter(G().summary); }
});

t('forcing by code wins over the default and is restored, also after a throw and for async work', async () => {
  const before = kernelSetting('tconv');
  assert.is(before.source, 'default');
  assert.equal(withKernel('tconv', 'cols', () => kernelSetting('tconv')), { value: 'cols', source: 'forced' });
  assert.equal(kernelSetting('tconv'), before);
  assert.throws(() => withKernel('tconv', 'gemm', () => { throw new Error('inside'); }), /inside/);
  assert.equal(kernelSetting('tconv'), before);
  await withKernel('graphconv', 'flat', async () => {
    await new Promise((r) => setTimeout(r, 1));
    assert.is(kernelSetting('graphconv').value, 'flat');
    // nested: the inner forcing ends with its function, the outer one stays
    withKernel('graphconv', 'reg', () => assert.is(kernelSetting('graphconv').value, 'reg'));
    assert.is(kernelSetting('graphconv').value, 'flat');
  });
  assert.is(kernelSetting('graphconv').source, 'default');
  assert.throws(() => forceKernel('tconv', 'fast'), (e: unknown) => e instanceof UserError && /'fast' is not a choice of tconv \(gemm, direct, cols\)/.test((e as Error).message));
});

t('I2MD_KERNELS forces families; code forcing wins over it; a bad entry is a clear error', () => {
  process.env.I2MD_KERNELS = 'batchnorm=64, pool=16';
  try {
    assert.equal(kernelSetting('batchnorm'), { value: '64', source: 'forced' });
    assert.is(kernelSetting('pool').value, '16');
    assert.is(withKernel('batchnorm', '32', () => kernelSetting('batchnorm').value), '32');
    const report = kernelReport();
    assert.is(report.find((r) => r.family === 'batchnorm')!.source, 'forced (I2MD_KERNELS / --kernel)');
    assert.is(report.find((r) => r.family === 'tconv')!.source, 'default');
    process.env.I2MD_KERNELS = 'tconv';
    assert.throws(() => kernelSetting('tconv'), /I2MD_KERNELS: expected family=value, got 'tconv'/);
    process.env.I2MD_KERNELS = 'conv=gemm';
    assert.throws(() => kernelSetting('tconv'), /unknown kernel family 'conv'/);
  } finally { delete process.env.I2MD_KERNELS; }
  assert.is(kernelSetting('batchnorm').source, 'default');
  assert.equal([...parseKernelSettings('matmul=reg8x8,topk=64', '--kernel')], [['matmul', 'reg8x8'], ['topk', '64']]);
});

t('the report lists every family with its setting, choices and the tuned shapes of the families tune measures', () => {
  const rows = kernelReport(G().summary);
  assert.equal(rows.map((r) => r.family), familyNames);
  for (const r of rows) {
    assert.is(r.value, defaultSetting(r.family));
    assert.is(r.tunedShapes === undefined, !kernelFamilies[r.family].tuned, r.family);
  }
});

t.run();
