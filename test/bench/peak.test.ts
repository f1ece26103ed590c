/**
 * The throughput probes of kernels/peak.wgsl (the benchmarks' denominators) compute what they
 * claim: every chain, every round, every component, against a float64 reference, at a size that
 * leaves the last workgroup partly idle; and the copy probe copies.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, assertClose } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { peakSumsRef } from '../../bench/peak.js';

const t = suite('bench/peak');
const WG = 64;

t('fma probes: every chain and round counted (n = 70, two workgroups, the second partly idle)', async () => {
  const g = await engine();
  const n = 70, iters = 400;   // 100 loop trips: one fma left out of a trip shows
  for (const [entry, chains, over] of [['flops', 6, {}], ['flops_wide', 32, { CH: 32 }], ['flops_wide', 64, { CH: 64 }]] as const) {
    const sums = Tensor.from(new Float32Array((n + 2) * 4));
    g.dispatch(g.kernel('peak', entry, { WG, ...over }), { sums: sums.buffer }, { n, iters }, Math.ceil(n / WG));
    const got = await sums.read();
    assertClose(got.subarray(0, n * 4), peakSumsRef(n, iters, chains, WG), 5e-5, `${entry} ×${chains}`);
    assert.is(got[n * 4], 0, `${entry}: wrote past n`);
    sums.dispose();
  }
});

t('copy probe copies n vec4 and nothing more', async () => {
  const g = await engine();
  const n = 131;
  const src = Tensor.from(Float32Array.from({ length: (n + 1) * 4 }, (_, i) => i + 0.5), [(n + 1) * 4]);
  const dst = Tensor.from(new Float32Array((n + 1) * 4));
  g.dispatch(g.kernel('peak', 'copy', { WG }), { src: src.buffer, dst: dst.buffer }, { n, iters: 0 }, Math.ceil(n / WG));
  const got = await dst.read();
  assertClose(got.subarray(0, n * 4), Float32Array.from({ length: n * 4 }, (_, i) => i + 0.5), 0, 'copy');
  assert.is(got[n * 4], 0, 'copy: wrote past n');
  src.dispose(); dst.dispose();
});

t.run();
