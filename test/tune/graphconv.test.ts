/**
 * The graph aggregation's tuning family (src/tune/graphconv.ts, src/ops/graphconv/variants.ts):
 * every candidate the tuner offers, forced, gives the default's result (and is really the variant
 * the op runs); a stored cache entry is what the op dispatches; invalid entries fall back to the
 * default.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tuningSandbox, kernelsOf, everyCandidate } from '../helpers/tune.js';
import { G } from '../../src/tensor/index.js';
import { storeTuned } from '../../src/gpu/tuning.js';
import { graphVariant, defaultGraphVariant, graphShapeClass, graphFromOverrides, type GraphPass } from '../../src/ops/graphconv/variants.js';
import { aggCase, type AggCase } from '../../src/tune/graphconv.js';
import { relativeError } from '../../src/tune/tuner.js';

const t = suite('tune/graphconv');
const useFile = tuningSandbox(t, 'i2md-tune-graph-');

const graphCases: AggCase[] = [
  { label: 'V 25', d: { N: 3, C: 5, T: 7, V: 25, K: 3 } },
  { label: 'V 6, K 2', d: { N: 2, C: 3, T: 11, V: 6, K: 2 } },
];

for (const pass of ['fwd', 'dx', 'dadj'] as const) {
  t(`graphconv ${pass}: every candidate forced gives the default's result`, async () => {
    for (const c of graphCases) {
      const tc = aggCase(pass, c);
      assert.ok(tc.candidates.length >= 5, `${c.label}: ${tc.candidates.map((v) => v.name)}`);
      assert.ok(tc.candidates.some((v) => v.overrides.PATH === 0) && tc.candidates.some((v) => v.overrides.PATH === 1), 'both kernel families');
      await everyCandidate('graphconv', tc, () => graphVariant(pass, c.d).name);
    }
  });
}

t('graphconv/aggregate: a stored entry is what the op dispatches; invalid ones fall back', async () => {
  useFile('graph.json');
  const g = G();
  const c = graphCases[0];
  const good: [GraphPass, string, Record<string, number>, RegExp][] = [
    ['fwd', 'reg4x8w32', { PATH: 1, TR: 4, TW: 8, RWG: 32 }, /^graphconv\/aggregate:agg_reg\{RWG=32,TR=4,TW=8\}$/],
    ['dx', 'flatw64', { PATH: 0, WG: 64 }, /^graphconv\/aggregate:aggregate\{WG=64\}$/],
    ['dadj', 'reg7x7w64g24', { PATH: 1, TR: 7, TW: 7, RWG: 64, GROUPS: 24 }, /^graphconv\/aggregate:adj_reg\{RWG=64,TR=7,TW=7\}$/],
    // 49 outputs summed by 8 lanes: 6 each, one lane 7
    ['dadj', 'reg7x7w8g96', { PATH: 1, TR: 7, TW: 7, RWG: 8, GROUPS: 96 }, /^graphconv\/aggregate:adj_reg\{RWG=8,TR=7,TW=7\}$/],
  ];
  for (const [pass, name, overrides, kernel] of good) {
    const tc = aggCase(pass, c);
    const ref = (await kernelsOf(tc)).outs;
    storeTuned('graphconv', graphShapeClass(pass, c.d), { variant: name, overrides }, g.summary);
    assert.is(graphVariant(pass, c.d).name, name);
    const { names, outs } = await kernelsOf(tc);
    assert.ok(names.some((n) => kernel.test(n)), `${pass}: dispatched ${names.join(', ')}`);
    assert.ok(relativeError(ref, outs) <= tc.tol, `${pass}: same result`);
    tc.dispose();
  }
  const bad: [GraphPass, Record<string, number>][] = [
    ['fwd', { PATH: 1, TR: 9, TW: 8, RWG: 64 }],                                // over the arrays of 8
    ['fwd', { PATH: 1, TR: 8, TW: 8, RWG: 2048 }],                              // over the workgroup-size limit
    ['dx', { PATH: 0, WG: 0 }],
    ['dx', { PATH: 2, WG: 64 }],
    ['dadj', { PATH: 1, TR: 8, TW: 8, RWG: 128, GROUPS: 96 }],                  // 128 · 64 floats over `red`
    ['dadj', { PATH: 0 }],                                                      // GROUPS missing
  ];
  for (const [pass, overrides] of bad) {
    const what = `${pass} ${JSON.stringify(overrides)}`;
    assert.is(graphFromOverrides(pass, c.d, overrides, g.limits), undefined, what);
    storeTuned('graphconv', graphShapeClass(pass, c.d), { variant: 'bogus', overrides }, g.summary);
    assert.is(graphVariant(pass, c.d).name, defaultGraphVariant(pass).name, what);
  }
});

t.run();
