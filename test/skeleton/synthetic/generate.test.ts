import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { generateSynthetic, type SyntheticResult } from '../../../src/skeleton/synthetic/generate.js';
import { ACTIONS } from '../../../src/skeleton/synthetic/actions.js';
import { UserError } from '../../../src/util/errors.js';
import { J } from '../../../src/skeleton/synthetic/skeleton.js';

const t = suite('skeleton/synthetic/generate');
const V = 25, M = 2, F = 32;

// ---- feature helpers for the difficulty measurement (test-side proxies, not library code) ----

/** Sample i as frames × M × V × 3 (valid frames only), missing joints carried from the last frame seen. */
function framesOf(r: SyntheticResult, i: number): { x: Float64Array; n: number } {
  const s = r.dataset.get(i), T = r.dataset.T, n = s.frames;
  const x = new Float64Array(n * M * V * 3);
  for (let tt = 0; tt < n; tt++) for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) {
    const o = ((tt * M + m) * V + v) * 3;
    for (let c = 0; c < 3; c++) x[o + c] = s.data[((c * T + tt) * V + v) * M + m];
  }
  return { x, n };
}

/** Linear resampling of the valid frames to F frames, flattened (F·M·V·3). */
function resample(x: Float64Array, n: number): Float64Array {
  const D = M * V * 3, out = new Float64Array(F * D);
  for (let f = 0; f < F; f++) {
    const src = n === 1 ? 0 : (f * (n - 1)) / (F - 1), i0 = Math.floor(src), i1 = Math.min(i0 + 1, n - 1), w = src - i0;
    for (let d = 0; d < D; d++) out[f * D + d] = x[i0 * D + d] * (1 - w) + x[i1 * D + d] * w;
  }
  return out;
}

const rawFeature = (r: SyntheticResult, i: number): Float64Array => { const { x, n } = framesOf(r, i); return resample(x, n); };

/**
 * A view-invariant proxy: fill dropped joints, then express both bodies in body 0's frame of the
 * first frames (origin SpineBase, up along the spine, across from right to left hip/shoulder).
 */
function canonicalFeature(r: SyntheticResult, i: number): Float64Array {
  const { x, n } = framesOf(r, i);
  const D = M * V * 3;
  for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) {
    let last = -1;
    for (let tt = 0; tt < n; tt++) {
      const o = tt * D + (m * V + v) * 3;
      const zero = x[o] === 0 && x[o + 1] === 0 && x[o + 2] === 0;
      if (!zero) last = tt; else if (last >= 0) for (let c = 0; c < 3; c++) x[o + c] = x[last * D + (m * V + v) * 3 + c];
    }
  }
  const avg = (v: number): number[] => {
    const a = [0, 0, 0]; const k = Math.min(5, n);
    for (let tt = 0; tt < k; tt++) for (let c = 0; c < 3; c++) a[c] += x[tt * D + v * 3 + c] / k;
    return a;
  };
  const o = avg(J.spineBase), top = avg(J.spineShoulder);
  const hl = avg(J.hipL), hr = avg(J.hipR), sl = avg(J.shoulderL), sr = avg(J.shoulderR);
  const norm = (a: number[]): number[] => { const l = Math.hypot(a[0], a[1], a[2]) || 1; return a.map((z) => z / l); };
  const up = norm([0, 1, 2].map((c) => top[c] - o[c]));
  let ac = [0, 1, 2].map((c) => hl[c] - hr[c] + sl[c] - sr[c]);
  const d = ac[0] * up[0] + ac[1] * up[1] + ac[2] * up[2];
  ac = norm(ac.map((z, c) => z - d * up[c]));
  const fw = [ac[1] * up[2] - ac[2] * up[1], ac[2] * up[0] - ac[0] * up[2], ac[0] * up[1] - ac[1] * up[0]];
  for (let tt = 0; tt < n; tt++) for (let m = 0; m < M; m++) for (let v = 0; v < V; v++) {
    const p = tt * D + (m * V + v) * 3;
    if (m === 1 && x[p] === 0 && x[p + 1] === 0 && x[p + 2] === 0) continue; // absent second body stays zero
    const q = [x[p] - o[0], x[p + 1] - o[1], x[p + 2] - o[2]];
    x[p] = q[0] * ac[0] + q[1] * ac[1] + q[2] * ac[2];
    x[p + 1] = q[0] * up[0] + q[1] * up[1] + q[2] * up[2];
    x[p + 2] = q[0] * fw[0] + q[1] * fw[1] + q[2] * fw[2];
  }
  return resample(x, n);
}

/** 1-NN (Euclidean) accuracy of test rows against train rows. */
function oneNN(r: SyntheticResult, feat: (r: SyntheticResult, i: number) => Float64Array, train: Int32Array, test: Int32Array): number {
  const labels = r.dataset.labels();
  const tr = Array.from(train, (i) => feat(r, i));
  const trN = tr.map((a) => a.reduce((s, z) => s + z * z, 0));
  let correct = 0;
  for (const i of test) {
    const q = feat(r, i);
    let best = Infinity, bestLabel = -1;
    for (let j = 0; j < tr.length; j++) {
      const a = tr[j]; let dot = 0;
      for (let d = 0; d < q.length; d++) dot += q[d] * a[d];
      const dist = trN[j] - 2 * dot;
      if (dist < best) { best = dist; bestLabel = labels[train[j]]; }
    }
    if (bestLabel === labels[i]) correct++;
  }
  return correct / test.length;
}

// ---------------------------------------------------------------------------------------------

t('shape, determinism, padding, frame counts, second body, splits', () => {
  const a = generateSynthetic({ seed: 3, samplesPerClass: 6, T: 128 });
  const b = generateSynthetic({ seed: 3, samplesPerClass: 6, T: 128 });
  const c = generateSynthetic({ seed: 4, samplesPerClass: 6, T: 128 });
  const d = a.dataset, N = ACTIONS.length * 6;
  assert.is(d.size, N); assert.is(d.T, 128); assert.is(d.V, 25); assert.is(d.M, 2); assert.is(d.layout, 'ntu25');
  assert.is(d.numClasses, ACTIONS.length); assert.equal(a.classNames, ACTIONS.map((x) => x.name));
  assert.ok(Buffer.from(a.dataset.data.buffer).equals(Buffer.from(b.dataset.data.buffer)), 'same seed, same bytes');
  assert.not.ok(Buffer.from(a.dataset.data.buffer).equals(Buffer.from(c.dataset.data.buffer)));
  for (let i = 0; i < N; i++) {
    const s = d.get(i), n = s.frames, act = ACTIONS[s.label];
    assert.ok(n >= 40 && n <= 120, `frames ${n}`);
    let padNonZero = 0, body1 = 0, depthOk = true;
    for (let ch = 0; ch < 3; ch++) for (let tt = 0; tt < 128; tt++) for (let v = 0; v < 25; v++) {
      const o = ((ch * 128 + tt) * 25 + v) * 2;
      if (tt >= n && (s.data[o] !== 0 || s.data[o + 1] !== 0)) padNonZero++;
      if (tt < n && s.data[o + 1] !== 0) body1++;
      if (ch === 2 && tt < n && s.data[o] !== 0 && (s.data[o] < 1.2 || s.data[o] > 5.5)) depthOk = false;
    }
    assert.is(padNonZero, 0, 'padding is zero');
    if (act.persons === 1) assert.is(body1, 0, `${act.name}: second body all zeros`); else assert.ok(body1 > 0, `${act.name}: second body present`);
    assert.ok(depthOk, 'z is the distance from the camera (m)');
  }
  const all = (s: { train: Int32Array; test: Int32Array }): number[] => [...s.train, ...s.test].sort((x, y) => x - y);
  for (const sp of [a.splits.xsub, a.splits.xview]) assert.equal(all(sp), Array.from({ length: N }, (_, i) => i));
  for (const i of a.splits.xview.test) assert.is(a.view[i], 2);
  for (const i of a.splits.xview.train) assert.ok(a.view[i] < 2);
  const trainSubjects = new Set(Array.from(a.splits.xsub.train, (i) => a.subject[i]));
  for (const i of a.splits.xsub.test) assert.not.ok(trainSubjects.has(a.subject[i]));
});

t('options: size, classes, subjects, views, T; bad values are UserErrors', () => {
  const r = generateSynthetic({ seed: 1, size: 50, classes: 20, subjects: 20, views: 4, T: 64 });
  assert.is(r.dataset.size, 50); assert.is(r.dataset.numClasses, 20); assert.is(r.dataset.T, 64);
  assert.ok(Math.max(...r.dataset.labels()) < 20);
  assert.ok(Math.max(...r.subject) < 20 && Math.max(...r.view) < 4);
  for (let i = 0; i < 50; i++) assert.ok(r.dataset.get(i).frames <= 64);
  for (const bad of [{ classes: 0 }, { classes: 999 }, { T: 4 }, { size: 0 }, { subjects: 1 }, { seed: -1 }, { size: 2.5 }])
    assert.throws(() => generateSynthetic(bad), (e: unknown) => e instanceof UserError);
});

t('difficulty: raw 1-NN fails across views, a view-invariant 1-NN does not', () => {
  const t0 = performance.now();
  const r = generateSynthetic({ seed: 11, size: 1200 });
  const gen = performance.now() - t0;
  const rawXview = oneNN(r, rawFeature, r.splits.xview.train, r.splits.xview.test);
  const canXview = oneNN(r, canonicalFeature, r.splits.xview.train, r.splits.xview.test);
  console.log(`  [synthetic] 1200 samples in ${gen.toFixed(0)} ms; 1-NN xview raw ${(100 * rawXview).toFixed(1)}% canonical ${(100 * canXview).toFixed(1)}%;` +
    ` (${(performance.now() - t0).toFixed(0)} ms total)`);
  assert.ok(rawXview <= 0.65, `raw 1-NN cross-view ${rawXview}`);
  assert.ok(canXview >= 0.85, `canonical 1-NN cross-view ${canXview}`);
});

t.run();
