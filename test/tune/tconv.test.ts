/**
 * The temporal conv's tuning family (src/tune/tconv.ts, src/ops/tconv/variants.ts): every candidate
 * the tuner offers, forced, gives the default's result at small awkward shapes (and is really the
 * variant the op runs); a stored cache entry is what the op dispatches; entries that are not
 * valid — numbers out of the kernels' ranges, over the workgroup memory or the device's limits,
 * an unknown path — fall back to the default; a path forced through the kernel policy wins.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withKernel } from '../helpers/check.js';
import { tuningSandbox, kernelsOf, everyCandidate } from '../helpers/tune.js';
import { G } from '../../src/tensor/index.js';
import { storeTuned } from '../../src/gpu/tuning.js';
import { tconvVariant, defaultTconvVariant, tconvShapeClass, tconvFromOverrides, type ConvPass } from '../../src/ops/tconv/variants.js';
import { convOutputLength, type ConvDims } from '../../src/ops/tconv/tconv.js';
import { convCase, type ConvCase } from '../../src/tune/tconv.js';
import { defaultDirectSplit } from '../../src/ops/tconv/direct.js';
import { relativeError } from '../../src/tune/tuner.js';

const t = suite('tune/tconv');
const useFile = tuningSandbox(t, 'i2md-tune-tconv-');

const conv = (N: number, Cin: number, Cout: number, T: number, V: number, KT: number, stride: number, pad: number): ConvDims =>
  ({ N, Cin, Cout, T, Tout: convOutputLength(T, KT, stride, pad), V, KT, stride, pad });

// a strided 9×1 (phased input gradient), a stride-1 9×1 with 3 rows (4-row tiles), the 1×1
// channel mixing with a per-joint bias, a strided 1×1, a stride-1 9×1 over 19 times (8 × 16 tiles)
const convCases: ConvCase[] = [
  { label: '9×1 s2', d: conv(3, 5, 7, 11, 5, 9, 2, 4), biasMode: 1 },
  { label: '9×1 s1 small', d: conv(2, 3, 3, 6, 4, 9, 1, 4), biasMode: 1 },
  { label: 'mixing 1×1', d: conv(2, 9, 6, 5, 7, 1, 1, 0), biasMode: 2 },
  { label: 'residual 1×1 s2', d: conv(3, 4, 10, 7, 3, 1, 2, 0), biasMode: 1 },
  { label: '9×1 s1 long (8 × 16 tiles, partial)', d: conv(2, 9, 11, 19, 3, 9, 1, 4), biasMode: 1 },
];

for (const pass of ['fwd', 'dx', 'dw'] as const) {
  t(`tconv ${pass}: every candidate forced gives the default's result`, async () => {
    for (const c of convCases) {
      const tc = convCase(pass, c);
      assert.ok(tc.candidates.length >= (pass === 'dw' ? 5 : 7), `${c.label}: ${tc.candidates.map((v) => v.name)}`);
      assert.ok([0, 1, 2].every((path) => tc.candidates.some((v) => v.overrides.PATH === path)), 'all three kernel families');
      await everyCandidate('tconv', tc, () => tconvVariant(pass, c.d).name);
    }
  });
}

t('tconv: a stored entry is what the op dispatches', async () => {
  useFile('tconv.json');
  const [c, , mix] = convCases;
  const cases: [ConvPass, string, Record<string, number>, RegExp, ConvCase?][] = [
    ['fwd', 'direct4x4w32', { PATH: 1, TO: 4, TT: 4, WG: 32 }, /^tconv\/direct:direct\{TO=4,TT=4,WG=32\}$/],
    ['dx', 'gemm2', { PATH: 0, TM: 2 }, /^tconv\/gemm:conv\{TM=2\}$/],
    ['dw', 'reg4t3w32g16', { PATH: 1, TO: 4, TI: 8, TK: 3, WG: 32, GROUPS: 16 }, /^tconv\/wgrad:wgrad_t\{TK=3,TO=4,WG=32\}$/],
    // 8 × 8 outputs summed by 8 lanes, 8 each; 3 × 5 by 3 lanes, 5 each
    ['dw', 'reg8x8w8g64', { PATH: 1, TO: 8, TI: 8, TK: 1, WG: 8, GROUPS: 64 }, /^tconv\/wgrad:wgrad\{TI=8,TO=8,WG=8\}$/, mix],
    ['dw', 'reg3x5w3g64', { PATH: 1, TO: 3, TI: 5, TK: 1, WG: 3, GROUPS: 64 }, /^tconv\/wgrad:wgrad\{TI=5,TO=3,WG=3\}$/, mix],
    ['fwd', 'cols', { PATH: 2 }, /^tconv\/cols:cols_main\{/],
    ['dw', 'cols', { PATH: 2 }, /^tconv\/cols:cols_main\{/],
  ];
  for (const [pass, name, overrides, kernel, cc = c] of cases) {
    const c = cc;
    const tc = convCase(pass, c);
    const ref = (await kernelsOf(tc)).outs;
    storeTuned('tconv', tconvShapeClass(pass, c.d), { variant: name, overrides }, G().summary);
    assert.is(tconvVariant(pass, c.d).name, name);
    const { names, outs } = await kernelsOf(tc);
    assert.ok(names.some((n) => kernel.test(n)), `${pass}: dispatched ${names.join(', ')}`);
    assert.ok(relativeError(ref, outs) <= tc.tol, `${pass}: same result`);
    // a path forced through the kernel policy wins over the cache
    await withKernel('tconv', overrides.PATH === 0 ? 'direct' : 'gemm', () => assert.is.not(tconvVariant(pass, c.d).name, name));
    tc.dispose();
  }
});

t('tconv: the register-blocked forward and input gradient take 8 rows × 16 times at stride 1 over > 8 times, else 16 × 8', () => {
  const split = (pass: 'fwd' | 'dx', d: ConvDims) => {
    const v = tconvFromOverrides(pass, d, { PATH: 1, ...defaultDirectSplit(pass === 'fwd', d) }, G().limits);
    assert.ok(v && v.path === 'direct', `${pass} ${JSON.stringify(d)}: the default split is a valid variant`);
    return `${v.split.TO}x${v.split.TT}`;
  };
  const block1 = conv(128, 64, 64, 64, 25, 9, 1, 4), block9 = conv(128, 256, 256, 16, 25, 9, 1, 4);
  for (const d of [block1, block9]) for (const pass of ['fwd', 'dx'] as const) assert.is(split(pass, d), '8x16', `${pass} T ${d.T}`);
  // stride 2 (the forward reads fresh frames every tap, the input gradient runs by phases), 1×1,
  // 8 times or fewer, fewer than 8 rows: as before
  const strided = conv(128, 64, 128, 64, 25, 9, 2, 4), pointwise = conv(128, 64, 64, 64, 25, 1, 1, 0);
  for (const pass of ['fwd', 'dx'] as const) {
    assert.is(split(pass, strided), '16x8', `${pass} stride 2`);
    assert.is(split(pass, pointwise), '16x8', `${pass} 1×1`);
    assert.is(split(pass, conv(128, 64, 64, 8, 25, 9, 1, 4)), '16x8', `${pass} T 8`);
    assert.is(split(pass, conv(2, 4, 4, 32, 25, 9, 1, 4)), '4x8', `${pass} 4 rows`);
  }
  assert.is(split('fwd', conv(2, 3, 11, 19, 5, 9, 1, 4)), '8x16', 'a partial row block and a partial time block');
});

t('tconv: on a software adapter a big 1×1 stride-1 forward and input gradient default to one matmul', async () => {
  const big = conv(128, 96, 32, 32, 25, 1, 1, 0), small = conv(2, 9, 6, 5, 7, 1, 1, 0);
  const strided = conv(128, 32, 64, 32, 25, 1, 2, 0), taps = conv(128, 32, 32, 32, 25, 9, 1, 4);
  const software = G().summary.software;
  for (const pass of ['fwd', 'dx'] as const) assert.is(defaultTconvVariant(pass, big).path, software ? 'cols' : 'gemm', pass);
  assert.is.not(defaultTconvVariant('dw', big).path, 'cols', 'the weight gradient keeps its kernels');
  for (const d of [small, strided, taps]) for (const pass of ['fwd', 'dx'] as const) {
    assert.is.not(defaultTconvVariant(pass, d).path, 'cols', `${pass} ${JSON.stringify(d)}`);
  }
  // a forced path is what runs
  await withKernel('tconv', 'direct', () => assert.is(defaultTconvVariant('fwd', big).path, 'direct'));
});

t('tconv: invalid entries fall back to the default', async () => {
  useFile('tconv-bad.json');
  const g = G();
  const [s2, , mix] = convCases;
  const bad: [ConvPass, ConvDims, Record<string, number>][] = [
    ['fwd', s2.d, { PATH: 1, TO: 9, TT: 8, WG: 64 }],                          // not whole vec4s of packed weights
    ['fwd', s2.d, { PATH: 1, TO: 6, TT: 8, WG: 64 }],
    ['fwd', s2.d, { PATH: 1, TO: 32, TT: 8, WG: 64 }],                         // over the kernel's 16 rows
    ['fwd', s2.d, { PATH: 1, TO: 8, TT: 0, WG: 64 }],
    ['fwd', s2.d, { PATH: 1, TO: 4, TT: 17, WG: 64 }],                         // over the kernel's 16 times
    ['fwd', s2.d, { PATH: 1, TO: 16, TT: 16, WG: 64 }],                        // 256 accumulators
    ['fwd', s2.d, { PATH: 1, TO: 8, TT: 8, WG: 4096 }],                        // over the workgroup-size limit
    ['fwd', s2.d, { PATH: 1, TO: 8, TT: 8 }],                                  // a knob missing
    ['dx', s2.d, { PATH: 0, TM: 0 }],
    ['dx', s2.d, { PATH: 0, TM: 2.5 }],
    ['dx', s2.d, { PATH: 3, TM: 4 }],                                          // no such path
    ['dw', s2.d, { PATH: 1, TO: 8, TI: 8, TK: 10, WG: 64, GROUPS: 64 }],       // more taps than wgrad_t holds
    ['dw', s2.d, { PATH: 1, TO: 6, TI: 8, TK: 9, WG: 32, GROUPS: 64 }],        // wgrad_t reads whole vec4s of channels
    ['dw', s2.d, { PATH: 1, TO: 32, TI: 8, TK: 3, WG: 32, GROUPS: 64 }],       // over wgrad_t's 16 channels
    ['dw', s2.d, { PATH: 1, TO: 8, TI: 8, TK: 9, WG: 128, GROUPS: 64 }],       // 128 · 72 floats over `red`
    ['dw', s2.d, { PATH: 1, TO: 8, TI: 8, TK: 9, WG: 4, GROUPS: 64 }],         // fewer lanes than the 8 bias sums
    ['dw', mix.d, { PATH: 1, TO: 8, TI: 8, TK: 1, WG: 64, GROUPS: 0 }],
    ['dw', mix.d, { PATH: 1, TO: 16, TI: 16, TK: 1, WG: 16, GROUPS: 64 }],       // 256 accumulators in wgrad_c
    ['dw', mix.d, { PATH: 1, TO: 8, TI: 12, TK: 1, WG: 32, GROUPS: 64 }],        // not whole vec4s of channels
    ['dw', mix.d, { PATH: 1, TO: 8, TI: 16, TK: 1, WG: 64, GROUPS: 64 }],        // 64 · 128 floats over `red`
    ['dw', mix.d, { PATH: 0, TM: 4 }],                                         // GROUPS missing
  ];
  for (const [pass, d, overrides] of bad) {
    const what = `${pass} ${JSON.stringify(overrides)}`;
    assert.is(tconvFromOverrides(pass, d, overrides, g.limits), undefined, what);
    storeTuned('tconv', tconvShapeClass(pass, d), { variant: 'bogus', overrides }, g.summary);
    assert.is(tconvVariant(pass, d).name, defaultTconvVariant(pass, d).name, what);
  }
  // im2col + matmul needs its windows in one storage binding
  assert.ok(tconvFromOverrides('fwd', s2.d, { PATH: 2 }, g.limits));
  assert.is(tconvFromOverrides('fwd', s2.d, { PATH: 2 }, { ...g.limits, maxStorageBufferBindingSize: 4096 }), undefined);
  // the register-blocked weight gradient needs 18 KiB of workgroup memory: not on a 16 KiB device
  const ok = { PATH: 1, TO: 8, TI: 8, TK: 9, WG: 64, GROUPS: 64 };
  assert.ok(tconvFromOverrides('dw', s2.d, ok, g.limits));
  assert.is(tconvFromOverrides('dw', s2.d, ok, { ...g.limits, maxComputeWorkgroupStorageSize: 16384 }), undefined);
  // the op still runs (the default) with a bad entry stored
  const tc = convCase('fwd', s2);
  const { names } = await kernelsOf(tc);
  tc.dispose();
  assert.ok(names.length > 0 && !names.some((n) => n.includes('TO=9') || n.includes('WG=4096')));
});

t.run();
