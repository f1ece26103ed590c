import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/util/random.js';
import {
  resampleWindow, cropResize, centreCrop, jointMask, jointLinear, shear, randomShear,
  augmentView, twoViews, trainEvalView, evalView, corruptedJoints, pickCorruption,
} from '../../src/skeleton/augment.js';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-5) => {
  assert.is(a.length, b.length, 'length');
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= eps, `[${i}] ${a[i]} vs ${b[i]}`);
};

/** (3, T, 1, 1) with channel c holding values(t) + 100·c; frames ≥ nf are NaN padding. */
function ramp(T: number, nf: number, value: (t: number) => number): Float32Array {
  const x = new Float32Array(3 * T).fill(NaN);
  for (let c = 0; c < 3; c++) for (let t = 0; t < nf; t++) x[c * T + t] = value(t) + 100 * c;
  return x;
}

/** (3, T, V, M) with every entry distinct and non-zero. */
function filled(T: number, V: number, M: number): Float32Array {
  return Float32Array.from({ length: 3 * T * V * M }, (_, i) => i + 1);
}

const rng = new Rng(1);

// ---------------------------------------------------------------- crop / resize
const t = suite('skeleton/augment');

t('resample L=4 → T_out=8 by hand (upsampling, clamped ends)', () => {
  // src_i = max(0, (i+0.5)·0.5 − 0.5) = 0, .25, .75, 1.25, 1.75, 2.25, 2.75, 3.25 (i1 clamped to 3)
  const x = ramp(4, 4, (t) => 10 * t); // 0 10 20 30
  const y = resampleWindow(x, 4, 1, 1, 0, 4, 8);
  close(y.subarray(0, 8), [0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30]);
  close(y.subarray(8, 16), [100, 102.5, 107.5, 112.5, 117.5, 122.5, 127.5, 130]);
});

t('resample L=8 → T_out=4 by hand (downsampling)', () => {
  // src_i = (i+0.5)·2 − 0.5 = 0.5, 2.5, 4.5, 6.5 → midpoints of neighbouring frames
  const x = ramp(8, 8, (t) => 10 * t);
  close(resampleWindow(x, 8, 1, 1, 0, 8, 4).subarray(0, 4), [5, 25, 45, 65]);
  // a window that starts at frame 2: frames 2..5 = 20 30 40 50, L=4 → 2
  close(resampleWindow(x, 8, 1, 1, 2, 4, 2).subarray(0, 2), [25, 45]);
});

t('cropResize: nf ≤ minCrop takes every valid frame and never reads padding', () => {
  const x = ramp(6, 4, (t) => 10 * t); // frames 4, 5 are NaN
  const y = cropResize(x, 6, 1, 1, 4, [0.1, 1], 8, new Rng(3), 64);
  close(y.subarray(0, 8), [0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30]);
  assert.ok(y.every(Number.isFinite));
});

t('cropResize: L = max(⌊nf·scale⌋, 64) and the window lies in the valid frames', () => {
  const T_in = 120, nf = 100;
  const x = ramp(T_in, nf, (t) => t);
  // A ramp maps to start + src_i, so L = (y[63] − y[0])·64/63 and start = y[0] − (0.5·L/64 − 0.5).
  const measure = (y: Float32Array) => {
    const L = ((y[63] - y[0]) * 64) / 63;
    return { L: Math.round(L), start: Math.round(y[0] - (0.5 * L / 64 - 0.5)) };
  };
  const g = new Rng(11);
  for (let k = 0; k < 50; k++) {
    const y = cropResize(x, T_in, 1, 1, nf, [0.1, 0.2], 64, g);
    assert.ok(y.every(Number.isFinite));
    const { L, start } = measure(y);
    assert.is(L, 64);
    assert.ok(start >= 0 && start <= nf - 64, `start ${start}`);
  }
  for (let k = 0; k < 50; k++) {
    const { L, start } = measure(cropResize(x, T_in, 1, 1, nf, [0.9, 0.95], 64, g));
    assert.ok(L >= 90 && L <= 94, `L ${L}`);
    assert.ok(start >= 0 && start + L <= nf);
  }
});

t('centreCrop keeps 95%: nf=100 → bias ⌊2.5⌋ = 2, window [2, 98)', () => {
  const x = ramp(300, 100, (t) => t);
  const y = centreCrop(x, 300, 1, 1, 100, 0.95, 64);
  // src_0 = 0.5·96/64 − 0.5 = 0.25 → 2.25; src_63 = 63.5·1.5 − 0.5 = 94.75 → 96.75
  close([y[0], y[63]], [2.25, 96.75]);
  assert.ok(y.every(Number.isFinite));
});

// ---------------------------------------------------------------- the three corruptions
t('shear applies S·p to a known point', () => {
  // S = [[1, .5, 0], [0, 1, −1], [2, 0, 1]], p = (1, 2, 3) → (2, −1, 5)
  const x = Float32Array.of(1, 2, 3); // (3, T=1, V=1, M=1)
  shear(x, 1, 1, 1, rng, [1, 0.5, 0, 0, 1, -1, 2, 0, 1]);
  close(x, [2, -1, 5]);
  const S = randomShear(new Rng(5));
  assert.equal([S[0], S[4], S[8]], [1, 1, 1]);
  for (const i of [1, 2, 3, 5, 6, 7]) assert.ok(S[i] > -1 && S[i] < 1 && S[i] !== 0);
});

t('shear with a drawn matrix matches S·p at every point', () => {
  const T = 3, V = 4, M = 2, x = filled(T, V, M);
  const S = randomShear(new Rng(8));
  const y = shear(x.slice(), T, V, M, new Rng(8)); // same seed → same S
  const plane = T * V * M;
  for (let i = 0; i < plane; i++) {
    const p = [x[i], x[plane + i], x[2 * plane + i]];
    for (let r = 0; r < 3; r++) {
      const want = S[3 * r] * p[0] + S[3 * r + 1] * p[1] + S[3 * r + 2] * p[2];
      assert.ok(Math.abs(y[r * plane + i] - want) < 1e-3 * Math.abs(want) + 1e-4);
    }
  }
});

/** Joints whose entries (all c, t, m) differ from the original. */
function changedJoints(a: Float32Array, b: Float32Array, T: number, V: number, M: number) {
  const changed = new Set<number>(), zero = new Set<number>();
  for (let v = 0; v < V; v++) {
    let anyDiff = false, allZero = true;
    for (let c = 0; c < 3; c++) for (let t = 0; t < T; t++) for (let m = 0; m < M; m++) {
      const i = ((c * T + t) * V + v) * M + m;
      if (a[i] !== b[i]) anyDiff = true;
      if (b[i] !== 0) allZero = false;
    }
    if (anyDiff) changed.add(v);
    if (allZero) zero.add(v);
  }
  return { changed, zero };
}

t('jointMask zeroes exactly 15 joints in all frames and persons', () => {
  const T = 4, V = 25, M = 2, x = filled(T, V, M);
  const y = jointMask(x.slice(), T, V, M, new Rng(2));
  const { changed, zero } = changedJoints(x, y, T, V, M);
  assert.is(zero.size, 15);
  assert.equal([...changed].sort(), [...zero].sort());
  // fewer joints than 15: all are masked, none twice
  assert.ok(jointMask(filled(2, 3, 1), 2, 3, 1, new Rng(2)).every((v) => v === 0));
});

t('jointLinear changes exactly 15 joints by one shared matrix', () => {
  const T = 4, V = 25, M = 2, x = filled(T, V, M);
  const y = jointLinear(x.slice(), T, V, M, new Rng(4));
  const { changed } = changedJoints(x, y, T, V, M);
  assert.is(changed.size, 15);
  // Replay the draws: joints, then R row by row.
  const g = new Rng(4);
  const joints = g.choose(V, 15);
  const R = Array.from({ length: 9 }, () => g.uniform(-1, 1));
  assert.equal([...changed].sort((a, b) => a - b), [...joints].sort((a, b) => a - b));
  const plane = T * V * M, v = joints[0], i = (1 * V + v) * M + 1; // t=1, m=1
  const p = [x[i], x[plane + i], x[2 * plane + i]];
  for (let r = 0; r < 3; r++) {
    const want = R[3 * r] * p[0] + R[3 * r + 1] * p[1] + R[3 * r + 2] * p[2];
    assert.ok(Math.abs(y[r * plane + i] - want) < 1e-3 * Math.abs(want) + 1e-3);
  }
});

// ---------------------------------------------------------------- whole views
const T_in = 80, V = 25, M = 2;
const nf = 70;
const data = filled(T_in, V, M);
for (let c = 0; c < 3; c++) for (let t = nf; t < T_in; t++) data.fill(NaN, (c * T_in + t) * V * M, (c * T_in + t + 1) * V * M);
const sample = { data, frames: nf, label: 3 };
const opts = { T_in, V, M, T_out: 64 };

t('augmentView: shape, determinism by seed, padding never read', () => {
  const a = augmentView(sample, opts, new Rng(10));
  const b = augmentView(sample, opts, new Rng(10));
  assert.is(a.length, 3 * 64 * V * M);
  assert.equal(a, b);
  assert.not.equal(a, augmentView(sample, opts, new Rng(12)));
  for (let s = 0; s < 40; s++) assert.ok(augmentView(sample, opts, new Rng(s)).every(Number.isFinite), `seed ${s}`);
});

t('augmentView picks mask / linear / shear about 1/4, 1/4, 1/2', () => {
  // The branch is the draw after the crop's two draws: replay it.
  const counts = [0, 0, 0];
  for (let s = 0; s < 2000; s++) {
    const g = new Rng(s); g.next(); g.next();
    const u = g.next();
    counts[u < 0.25 ? 0 : u < 0.5 ? 1 : 2]++;
    if (s < 60) {
      const y = augmentView(sample, opts, new Rng(s));
      let zeroJoints = 0;
      for (let v = 0; v < V; v++) if (y[v * M] === 0 && y[v * M + 1] === 0) zeroJoints++;
      assert.is(zeroJoints, u < 0.25 ? 15 : 0, `seed ${s}`);
    }
  }
  assert.ok(Math.abs(counts[0] - 500) < 80 && Math.abs(counts[1] - 500) < 80 && Math.abs(counts[2] - 1000) < 100, `${counts}`);
});

t('the corrupted joint count is a fraction of V: 15 of 25 (unchanged), 12 of 20, a count overrides, capped at V', () => {
  assert.is(corruptedJoints(25), 15);
  assert.is(corruptedJoints(20), 12);
  assert.is(corruptedJoints(20, { jointFraction: 0.3 }), 6);
  assert.is(corruptedJoints(20, { jointCount: 15 }), 15);
  assert.is(corruptedJoints(20, { jointCount: 40 }), 20);
  assert.is(corruptedJoints(25, { jointFraction: 0 }), 0);
  // a 20-joint view masks 12 joints, with the same draws as before otherwise
  const V20 = 20, x20 = filled(8, V20, 1), o20 = { T_in: 8, V: V20, M: 1, T_out: 8, minCrop: 8 };
  for (let s2 = 0; s2 < 200; s2++) {
    const g = new Rng(s2); g.next(); g.next();
    if (g.next() >= 0.25) continue;
    const y = augmentView({ data: x20, frames: 8, label: 0 }, o20, new Rng(s2));
    let zero = 0;
    for (let v = 0; v < V20; v++) if (y[v] === 0) zero++;
    assert.is(zero, 12, `seed ${s2}`);
    return;
  }
  assert.unreachable('no seed drew the mask');
});

t('pickCorruption: the official 1/4, 1/4, 1/2 split with all three; renormalised over a subset; none leaves the crop', () => {
  assert.equal([0, 0.249, 0.25, 0.49, 0.5, 0.99].map((u) => pickCorruption(u)), ['mask', 'mask', 'linear', 'linear', 'shear', 'shear']);
  assert.equal([0, 0.32, 0.34, 0.99].map((u) => pickCorruption(u, ['mask', 'shear'])), ['mask', 'mask', 'shear', 'shear']);
  assert.equal([0, 0.99].map((u) => pickCorruption(u, ['linear'])), ['linear', 'linear']);
  assert.is(pickCorruption(0.3, []), undefined);
  // with no corruption a view is its crop alone: the same as train-eval cropping with the same scale draws
  const o = { ...opts, corruptions: [] as [], scaleRange: [0.5, 1] as [number, number], minCrop: 64 };
  assert.equal(augmentView(sample, o, new Rng(5)), trainEvalView(sample, o, new Rng(5)));
});

t('shear amplitude: 0 leaves the points as they are, 1 is the official draw', () => {
  let seed = 8;   // the first seed whose draw picks the shear
  for (; ; seed++) { const h = new Rng(seed); h.next(); h.next(); if (h.next() >= 0.5) break; }
  const o = { ...opts, minCrop: 64 };
  const plain = augmentView(sample, { ...o, corruptions: [] }, new Rng(seed));
  assert.equal(augmentView(sample, { ...o, shearAmplitude: 0 }, new Rng(seed)), plain);
  assert.equal(augmentView(sample, { ...o, shearAmplitude: 1 }, new Rng(seed)), augmentView(sample, o, new Rng(seed)));
  assert.not.equal(augmentView(sample, o, new Rng(seed)), plain);
});

t('twoViews draws two different views, reproducibly', () => {
  const [a, b] = twoViews(sample, opts, new Rng(21));
  const [c, d] = twoViews(sample, opts, new Rng(21));
  assert.equal(a, c);
  assert.equal(b, d);
  assert.not.equal(a, b);
});

t('evaluation views: train-eval random with scale ≥ 0.5, test deterministic', () => {
  const x = ramp(300, 200, (t) => t);
  const s = { data: x, frames: 200, label: 0 };
  const o = { T_in: 300, V: 1, M: 1, T_out: 64 };
  for (let k = 0; k < 20; k++) {
    const y = trainEvalView(s, o, new Rng(k));
    const L = Math.round(((y[63] - y[0]) * 64) / 63);
    assert.ok(L >= 100 && L < 200, `L ${L}`);
  }
  const e = evalView(s, o);
  assert.equal(e, evalView(s, o));
  close([e[0]], [5 + 0.5 * 190 / 64 - 0.5]); // bias ⌊0.05·200/2⌋ = 5, L = 190
});

t.run();
