import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { motion, bone, parentsOf } from '../../src/skeleton/modalities.js';

const t = suite('skeleton/modalities');

// A 3-joint chain 0 ← 1 ← 2 with joint 0 the centre, T = 3 frames, one person.
const bones: [number, number][] = [[0, 0], [1, 0], [2, 1]];
const T = 3, V = 3;
// channel 0, rows t, columns v
const ch0 = [
  [0, 1, 3],
  [1, 3, 6],
  [2, 2, 2],
];

/** (C=3, T, V, M=1): channel 0 as above, channel 1 = 2·channel 0, channel 2 = 5 everywhere. */
function chain(): Float32Array {
  const x = new Float32Array(3 * T * V);
  for (let t = 0; t < T; t++) for (let v = 0; v < V; v++) {
    x[(0 * T + t) * V + v] = ch0[t][v];
    x[(1 * T + t) * V + v] = 2 * ch0[t][v];
    x[(2 * T + t) * V + v] = 5;
  }
  return x;
}

// By hand: motion ch0 rows = x[t+1] − x[t], last row 0; bone ch0 = [0, x1 − x0, x2 − x1].
const motion0 = [1, 2, 3, 1, -1, -4, 0, 0, 0];
const bone0 = [0, 1, 2, 0, 2, 3, 0, 0, 0];
const expect = (ch: number[]) => [...ch, ...ch.map((v) => 2 * v), ...new Array(9).fill(0)];

t('motion of a known sequence', () => {
  assert.equal(Array.from(motion(chain(), T, V, 1)), expect(motion0));
});

t('bone of a 3-joint chain; the centre bone is zero', () => {
  assert.equal(Array.from(bone(chain(), T, V, 1, bones)), expect(bone0));
});

t('two persons: motion and bone act per person', () => {
  // M = 2, person 1 = person 0 + 100: motion and bone are unchanged by the offset
  const x1 = chain();
  const x = new Float32Array(x1.length * 2);
  for (let i = 0; i < x1.length; i++) { x[2 * i] = x1[i]; x[2 * i + 1] = x1[i] + 100; }
  const m = motion(x, T, V, 2), b = bone(x, T, V, 2, bones);
  const em = expect(motion0), eb = expect(bone0);
  for (let i = 0; i < x1.length; i++) {
    assert.is(m[2 * i], em[i]); assert.is(m[2 * i + 1], em[i]);
    assert.is(b[2 * i], eb[i]); assert.is(b[2 * i + 1], eb[i]);
  }
});

t('batched (N, C, T, V, M): each sample on its own, no motion across samples', () => {
  // sample 1 = −sample 0; a batch-unaware motion would difference sample 0's last frame with sample 1's first
  const s0 = chain();
  const x = new Float32Array(2 * s0.length);
  x.set(s0, 0);
  x.set(s0.map((v) => -v), s0.length);
  const m = motion(x, T, V, 1), b = bone(x, T, V, 1, bones);
  assert.equal(Array.from(m.subarray(0, 27)), expect(motion0));
  assert.equal(Array.from(m.subarray(27)), expect(motion0).map((v) => (v === 0 ? 0 : -v)));
  assert.equal(Array.from(b.subarray(27)), expect(bone0).map((v) => (v === 0 ? 0 : -v)));
});

t('parentsOf and bad input', () => {
  assert.equal(Array.from(parentsOf(bones, 3)), [0, 0, 1]);
  assert.equal(Array.from(parentsOf([[1, 0]], 3)), [-1, 0, -1]);
  assert.throws(() => parentsOf([[0, 3]], 3), /outside/);
  assert.throws(() => parentsOf([[1, 0], [1, 2]], 3), /two bones/);
  assert.throws(() => motion(new Float32Array(10), T, V, 1), /whole number/);
});

t.run();
