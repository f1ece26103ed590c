import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { Tensor, G } from '../../src/tensor/index.js';
import {
  randomUniform, randomNormal, randomPermutation, GpuRng, philox4x32, uniformRef, normalRef, permutationRef,
} from '../../src/ops/random.js';

const t = suite('ops/random');
t.before(async () => { await engine(); });

async function readAndFree(x: Tensor): Promise<Float32Array> { const v = await x.read(); x.dispose(); return v; }
function moments(v: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  const mean = s / v.length;
  for (let i = 0; i < v.length; i++) s2 += (v[i] - mean) ** 2;
  return { mean, variance: s2 / v.length };
}

t('philox4x32-10 TypeScript reference matches the Random123 known-answer vectors', () => {
  const hex = (w: number[]) => w.map((v) => v.toString(16).padStart(8, '0')).join(' ');
  assert.is(hex(philox4x32([0, 0, 0, 0], [0, 0])), '6627e8d5 e169c58d bc57ac4c 9b00dbd8');
  assert.is(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])), '408f276d 41c83b0e a20bc7c6 6d5451fd');
  assert.is(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])), 'd16cfe09 94fdcceb 5001e420 24126ea1');
});

for (const n of [1, 7, 1000, 4099]) {
  t(`uniform n=${n}: the GPU's bits equal the TypeScript Philox stream`, async () => {
    const got = await readAndFree(randomUniform([n], 1234, 5));
    const want = uniformRef(n, 1234, 5);
    for (let i = 0; i < n; i++) if (got[i] !== want[i]) assert.unreachable(`element ${i}: ${got[i]} vs ${want[i]}`);
  });
}

t('normal matches the TypeScript Box–Muller stream (mean/std applied)', async () => {
  const n = 1003;
  const got = await readAndFree(randomNormal([n], 77, 3, 2, 0.5));
  const want = normalRef(n, 77, 3, 2, 0.5);
  // WGSL promises cos/sin only to an absolute 2⁻¹¹ on [−π, π] (SwiftShader uses that room; Dawn's
  // llvmpipe does not): element i may be off by std·r·2⁻¹¹, r the pair's radius, beside f32 rounding
  for (let i = 0; i < n; i++) {
    const pair = i & ~1, r = Math.hypot((want[pair] - 3) / 0.5, ((want[pair + 1] ?? 3) - 3) / 0.5);
    const tol = 1e-4 + 0.5 * r * 2 ** -11;
    if (Math.abs(got[i] - want[i]) > tol) assert.unreachable(`element ${i}: ${got[i]} vs ${want[i]} (tolerance ${tol.toExponential(2)})`);
  }
});

t('determinism, offsets/seeds differ, independence of the dispatch size', async () => {
  const a = await readAndFree(randomUniform([4099], 9, 1));
  const b = await readAndFree(randomUniform([4099], 9, 1));
  assert.equal([...a], [...b]);
  const small = await readAndFree(randomUniform([1000], 9, 1));
  assert.equal([...small], [...a.slice(0, 1000)], 'a prefix is the same draw whatever the grid size');
  const c = await readAndFree(randomUniform([4099], 9, 2));
  const d = await readAndFree(randomUniform([4099], 10, 1));
  const e = await readAndFree(randomUniform([4099], 9 + 4294967296, 1));
  for (const [other, what] of [[c, 'offset'], [d, 'seed'], [e, 'high seed word']] as const) {
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === other[i]) same++;
    assert.ok(same < 5, `a different ${what} gives a different stream (${same} equal)`);
  }
});

t('moments of 1e5 samples: uniform, uniform(lo, hi), normal, normal(mean, std)', async () => {
  const n = 100000;
  const u = await readAndFree(randomUniform([n], 3, 0));
  let lo = 1, hi = 0;
  for (const v of u) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo >= 0 && hi < 1 && lo < 1e-3 && hi > 1 - 1e-3, `range [${lo}, ${hi}]`);
  const mu = moments(u);
  assert.ok(Math.abs(mu.mean - 0.5) < 0.005 && Math.abs(mu.variance - 1 / 12) < 0.002, JSON.stringify(mu));
  const mu2 = moments(await readAndFree(randomUniform([n], 3, 1, -2, 4)));
  assert.ok(Math.abs(mu2.mean - 1) < 0.03 && Math.abs(mu2.variance - 3) < 0.06, JSON.stringify(mu2));
  const z = moments(await readAndFree(randomNormal([n], 4, 0)));
  assert.ok(Math.abs(z.mean) < 0.015 && Math.abs(z.variance - 1) < 0.02, JSON.stringify(z));
  const z2 = moments(await readAndFree(randomNormal([n], 4, 1, -3, 2)));
  assert.ok(Math.abs(z2.mean + 3) < 0.03 && Math.abs(z2.variance - 4) < 0.08, JSON.stringify(z2));
});

for (const n of [1, 7, 1000, 4099]) {
  t(`permutation n=${n} is a permutation and equals the sort-of-keys reference`, async () => {
    const p = randomPermutation(n, 42, 1);
    const got = await p.readInt(); p.dispose();
    const seen = new Uint8Array(n);
    for (const v of got) { assert.ok(v >= 0 && v < n && !seen[v], `value ${v}`); seen[v] = 1; }
    assert.equal([...got], [...permutationRef(n, 42, 1)]);
    if (n >= 1000) {
      const q = randomPermutation(n, 43, 1);
      const other = await q.readInt(); q.dispose();
      let fixed = 0;
      for (let i = 0; i < n; i++) if (other[i] === got[i]) fixed++;
      assert.ok(fixed < 10, `another seed gives another permutation (${fixed} equal)`);
    }
  });
}

t('GpuRng advances its counter; fromState(state()) continues the same draws', async () => {
  const r = new GpuRng(2024);
  const first = await readAndFree(r.uniform([10]));
  const saved = r.state();
  assert.equal(saved, { seed: 2024, counter: 1 });
  const second = await readAndFree(r.uniform([10]));
  assert.not.equal([...first], [...second]);
  const again = await readAndFree(GpuRng.fromState(saved).uniform([10]));
  assert.equal([...again], [...second]);
  const perm = GpuRng.fromState(saved).permutation(50);
  assert.equal([...await perm.readInt()], [...permutationRef(50, 2024, 1)]);
  perm.dispose();
});

t('a permutation frees its scratch buffers', async () => {
  const before = G().pool.liveBytes;
  const p = randomPermutation(1000, 1);
  await p.readInt();
  p.dispose();
  assert.is(G().pool.liveBytes, before);
});

t.run();
