import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, withKernel } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { topkMask, topk, topkRef } from '../../src/ops/topk.js';
import { Rng } from '../../src/util/random.js';

const t = suite('ops/topk');
t.before(async () => { await engine(); });

/** f32-exact test rows: continuous, or drawn from a small set (many ties, ±0 included). */
function rows(n: number, cols: number, seed: number, kind: 'random' | 'ties'): Float32Array {
  const r = new Rng(seed);
  const set = [-2.5, -1, -0, 0, 0.5, 3];
  return Float32Array.from({ length: n * cols }, () => (kind === 'random' ? r.uniform(-5, 5) : set[r.int(set.length)]));
}

function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

async function checkMask(x: Float32Array, nRows: number, cols: number, k: number): Promise<void> {
  const xt = Tensor.from(x, [nRows, cols]);
  const { mask, threshold } = topkMask(xt, k);
  const [m, th] = [await mask.read(), await threshold.read()];
  xt.dispose(); mask.dispose(); threshold.dispose();
  const ref = topkRef(x, cols, k);
  const bad = firstMismatch(m, ref.mask);
  if (bad >= 0) assert.unreachable(`mask differs at ${bad} (row ${Math.floor(bad / cols)}, col ${bad % cols}): ${m[bad]} vs ${ref.mask[bad]}`);
  for (let r = 0; r < nRows; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += m[r * cols + j];
    assert.is(s, k, `row ${r} selects k`);
    assert.ok(th[r] === ref.threshold[r], `threshold of row ${r}: ${th[r]} vs ${ref.threshold[r]}`);
  }
}

// the mask at both defaults' workgroup sizes (software adapters 32, GPUs 256) on every adapter
for (const wg of [32, 256]) {
  for (const cols of [1, 7, 100, 16384]) {
    for (const kind of ['random', 'ties'] as const) {
      t(`topkMask WG ${wg}, rows of ${cols} (${kind}): k = 1, half, all agree exactly with the sort reference`, async () => {
        const nRows = cols >= 16384 ? 2 : 3;
        const x = rows(nRows, cols, cols + (kind === 'ties' ? 1 : 0), kind);
        await withKernel('topk', wg, async () => {
          for (const k of [...new Set([1, Math.max(1, Math.floor(cols / 2)), cols])]) await checkMask(x, nRows, cols, k);
        });
      });
    }
  }

  t(`topkMask WG ${wg} on a 65536-wide row with heavy ties, and on many narrow rows`, async () => {
    await withKernel('topk', wg, async () => {
      await checkMask(rows(1, 65536, 5, 'ties'), 1, 65536, 32768);
      await checkMask(rows(1, 65536, 6, 'random'), 1, 65536, 12345);
      await checkMask(rows(300, 13, 7, 'ties'), 300, 13, 5);
      // negative values only, and the extremes of the float range
      await checkMask(Float32Array.from([-3e38, -2e-38, -5, -0.1, -7, -1e-30, -2e20]), 1, 7, 3);
      await checkMask(Float32Array.from([3e38, 2e-38, 5, 0.1, 7, 1e-30, -2e20, -3e38]), 1, 8, 4);
    });
  });
}

for (const cols of [1, 7, 100, 16384]) {
  t(`topk rows of ${cols}: sorted values and indices (ties by lower index)`, async () => {
    for (const kind of ['random', 'ties'] as const) {
      const nRows = 3;
      const x = rows(nRows, cols, 40 + cols, kind);
      for (const k of [...new Set([1, Math.min(64, Math.max(1, Math.floor(cols / 2))), Math.min(64, cols)])]) {
        const xt = Tensor.from(x, [nRows, cols]);
        const { values, indices } = topk(xt, k);
        const [v, ix] = [await values.read(), await indices.readInt()];
        xt.dispose(); values.dispose(); indices.dispose();
        const ref = topkRef(x, cols, k);
        const bad = firstMismatch(ix, ref.order);
        if (bad >= 0) assert.unreachable(`${kind} k=${k}: index ${bad}: ${ix[bad]} vs ${ref.order[bad]}`);
        assert.equal([...v], Array.from(ref.order, (j, q) => x[Math.floor(q / k) * cols + j]), `${kind} k=${k}: values`);
      }
    }
  });
}

t('topk values: gradient scatters back to the chosen positions', async () => {
  // well-separated values, so finite differences never reorder them
  const perm = new Rng(3).shuffle(Array.from({ length: 30 }, (_, i) => (i - 15) * 0.1));
  await checkOp({
    shapes: [[3, 10]], inputs: [Float64Array.from(perm)],
    gpu: ([x]) => topk(x, 4).values,
    ref: ([x]) => { const r = topkRef(x, 10, 4); return Float64Array.from(r.order, (j, q) => x[Math.floor(q / 4) * 10 + j]); },
  });
});

t('rejects k outside 1 … cols (and k > 64 for sorted topk)', () => {
  const x = Tensor.from(randn(20, 1), [2, 10]);
  assert.throws(() => topkMask(x, 0), /k = 0/);
  assert.throws(() => topkMask(x, 11), /k = 11/);
  const y = Tensor.from(randn(200, 1), [2, 100]);
  assert.throws(() => topk(y, 65), /k = 65/);
  x.dispose(); y.dispose();
});

t.run();
