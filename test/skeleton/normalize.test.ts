/**
 * Normalisation of real skeletons: each mode on small hand-made arrays (where the answer is known),
 * what it leaves alone (absent joints, padding), the errors, and — when ../shared/data exists —
 * the real MSR, GTU and PKU-MMD files after their readers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { prepareDataset } from '../../src/data/prepare.js';
import { getLayout, type Layout } from '../../src/skeleton/layouts.js';
import { normalizeSample, anchorsOf, rotationOnto, parseNormalization, NORMALIZATIONS } from '../../src/skeleton/normalize.js';
import { openDataset, DEFAULT_NORMALIZATION } from '../../src/data/open.js';
import { readPkuSkeleton } from '../../src/data/pku.js';
import { packInto } from '../../src/data/sequences.js';
import { UserError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { sharedData } from '../helpers/shared-data.js';

const t = suite('skeleton/normalize');
const msr = getLayout('msr20'), ntu = getLayout('ntu25');

/** A (3, T, V, M) sample of random points around `offset` (+ a drift per frame), body 1 absent. */
function sample(layout: Layout, T: number, frames: number, M = 2, seed = 1, offset = [0.3, -0.2, 2.8]): Float32Array {
  const rng = new Rng(seed), V = layout.V;
  const x = new Float32Array(3 * T * V * M);
  for (let t = 0; t < frames; t++) for (let v = 0; v < V; v++) for (let c = 0; c < 3; c++)
    x[((c * T + t) * V + v) * M] = offset[c] + 0.05 * t * (c + 1) + rng.uniform(-0.5, 0.5);
  return x;
}
const at = (x: Float32Array, T: number, V: number, M: number, t: number, v: number, m = 0) => [0, 1, 2].map((c) => x[((c * T + t) * V + v) * M + m]);
const close = (a: number[], b: number[], eps = 1e-5, what = '') => a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < eps, `${what}: ${a} vs ${b}`));
const dist = (a: number[], b: number[]) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

t('none leaves the sample as it is; the mode names parse and a bad one is a one-line error', () => {
  const x = sample(msr, 6, 5), y = Float32Array.from(x);
  normalizeSample(y, 6, 20, 2, 5, 'none', anchorsOf(msr, 'none'));
  assert.equal(y, x);
  for (const n of NORMALIZATIONS) assert.is(parseNormalization(n), n);
  assert.throws(() => parseNormalization('center'), (e: Error) => e instanceof UserError && /--normalize center: expected one of none, centre-first/.test(e.message));
});

t('centre-first: the first frame\'s centre joint goes to the origin, every frame moves by the same vector', () => {
  const T = 7, F = 5, V = 20, M = 2, c = msr.anchors!.centre;
  const x = sample(msr, T, F), y = Float32Array.from(x);
  normalizeSample(y, T, V, M, F, 'centre-first', anchorsOf(msr, 'centre-first'));
  close(at(y, T, V, M, 0, c), [0, 0, 0], 1e-6, 'centre at frame 0');
  const shift = at(x, T, V, M, 0, c);
  for (const t of [1, 4]) for (const v of [0, 7, 19]) close(at(y, T, V, M, t, v), at(x, T, V, M, t, v).map((p, i) => p - shift[i]), 1e-5, `frame ${t} joint ${v}`);
  // the centre joint moves in later frames: the global movement is kept
  assert.ok(dist(at(y, T, V, M, 4, c), [0, 0, 0]) > 0.05);
  for (const t of [5, 6]) assert.equal(at(y, T, V, M, t, 3), [0, 0, 0], 'padding stays zero');
  for (const t of [0, 3]) assert.equal(at(y, T, V, M, t, 3, 1), [0, 0, 0], 'an absent body stays zero');
});

t('centre-frame: every frame\'s centre joint at the origin, shapes within a frame unchanged', () => {
  const T = 6, F = 6, V = 25, M = 1, c = ntu.anchors!.centre;
  const x = sample(ntu, T, F, M), y = Float32Array.from(x);
  normalizeSample(y, T, V, M, F, 'centre-frame', anchorsOf(ntu, 'centre-frame'));
  for (let t = 0; t < F; t++) {
    close(at(y, T, V, M, t, c), [0, 0, 0], 1e-6, `frame ${t}`);
    assert.ok(Math.abs(dist(at(y, T, V, M, t, 4), at(y, T, V, M, t, 11)) - dist(at(x, T, V, M, t, 4), at(x, T, V, M, t, 11))) < 1e-5);
  }
});

t('align: hip→spine along +z and the shoulder line along +x after the turn, distances kept — also when the shoulders point along −x (MSR)', () => {
  for (const [layout, flip] of [[ntu, 1], [msr, -1]] as const) {
    const T = 5, F = 4, V = layout.V, M = 1, A = layout.anchors!;
    const x = sample(layout, T, F, M, 3);
    // a plausible first frame: spine above the hip (+y), right shoulder towards `flip`·x, depth ~3 m
    const set = (v: number, p: number[]) => p.forEach((val, c) => { x[((c * T + 0) * V + v) * M] = val; });
    set(A.hip, [0.1, -0.3, 3]); set(A.spine, [0.12, 0.0, 3.02]); set(A.rightShoulder, [0.1 + flip * 0.18, 0.25, 3.05]); set(A.leftShoulder, [0.1 - flip * 0.18, 0.25, 2.98]);
    const y = Float32Array.from(x);
    normalizeSample(y, T, V, M, F, 'align', anchorsOf(layout, 'align'));
    const p = (v: number, t = 0) => at(y, T, V, M, t, v);
    const up = [0, 1, 2].map((c) => p(A.spine)[c] - p(A.hip)[c]);
    close(up.map((u) => u / Math.hypot(...up)), [0, 0, 1], 1e-5, `${layout.name} spine`);
    const across = [0, 1].map((c) => p(A.rightShoulder)[c] - p(A.leftShoulder)[c]);
    assert.ok(across[0] > 0 && Math.abs(across[1]) < 1e-5, `${layout.name}: shoulders ${across}`);
    close(p(A.centre), [0, 0, 0], 1e-6, 'centre');
    for (const [a, b, t] of [[0, 7, 2], [5, 9, 3], [A.hip, A.spine, 0]]) {
      assert.ok(Math.abs(dist(p(a, t), p(b, t)) - dist(at(x, T, V, M, t, a), at(x, T, V, M, t, b))) < 1e-5, 'a rigid motion keeps distances');
    }
  }
});

t('align-frame: per-frame centring with the first frame\'s rotation (the NTU reader\'s pipeline)', () => {
  const T = 4, V = 25, M = 1, c = ntu.anchors!.centre;
  const x = sample(ntu, T, T, M, 9), y = Float32Array.from(x), z = Float32Array.from(x);
  normalizeSample(y, T, V, M, T, 'align-frame', anchorsOf(ntu, 'align-frame'));
  normalizeSample(z, T, V, M, T, 'align', anchorsOf(ntu, 'align'));
  for (let t = 0; t < T; t++) close(at(y, T, V, M, t, c), [0, 0, 0], 1e-6, `frame ${t}`);
  close(at(y, T, V, M, 0, 5), at(z, T, V, M, 0, 5), 1e-5, 'frame 0 as align');
});

t('rotationOnto: a rotation taking the direction onto the target, antiparallel included', () => {
  const rot = (R: number[], p: number[]) => [0, 1, 2].map((i) => R[3 * i] * p[0] + R[3 * i + 1] * p[1] + R[3 * i + 2] * p[2]);
  for (const from of [[0, 0.2, 0], [-1, 0, 0], [0.3, -0.4, 2], [0, 0, -2]]) {
    const R = rotationOnto(from, [0, 0, 1]);
    const n = Math.hypot(...from);
    close(rot(R, from).map((v) => v / n), [0, 0, 1], 1e-9, `from ${from}`);
    close([0, 1, 2].map((i) => Math.hypot(R[3 * i], R[3 * i + 1], R[3 * i + 2])), [1, 1, 1], 1e-9, 'orthonormal rows');
  }
});

t('a layout without anchors centres on its graph centre but cannot align', () => {
  const bare: Layout = { ...msr, name: 'bare', anchors: undefined };
  assert.is(anchorsOf(bare, 'centre-first')!.centre, msr.centre);
  assert.throws(() => anchorsOf(bare, 'align'), (e: Error) => e instanceof UserError && /bare layout names no hip, spine and shoulder/.test(e.message));
});

t('real data (../shared/data): MSR and GTU open normalised by default, reported; PKU-MMD sample centres per frame', () => {
  if (!sharedData) { console.log('  (skipped: ../shared/data absent)'); return; }
  for (const [dir, layout] of [['msr-action3d', msr], ['gtu3d', ntu]] as const) {
    const raw = openDataset(join(sharedData, dir), 'auto', { normalize: 'none' });
    const o = openDataset(join(sharedData, dir));
    assert.is(o.info.normalize, DEFAULT_NORMALIZATION[o.info.format]);
    assert.is(o.info.normalize, 'centre-first');
    assert.is(raw.info.normalize, 'none');
    const c = layout.anchors!.centre;
    for (const i of [0, 100, o.all.size - 1]) {
      const s = o.all.get(i), r = raw.all.get(i), T = o.all.T, V = layout.V;
      close(at(s.data, T, V, 1, 0, c), [0, 0, 0], 1e-6, `${dir} row ${i}`);
      assert.ok(at(r.data, T, V, 1, 0, c)[2] > 1, `${dir}: raw depth is metres from the camera`);
      // a translation: the distance between two joints of a later frame is unchanged
      const f = s.frames - 1;
      assert.ok(Math.abs(dist(at(s.data, T, V, 1, f, 3), at(s.data, T, V, 1, f, 8)) - dist(at(r.data, T, V, 1, f, 3), at(r.data, T, V, 1, f, 8))) < 1e-5);
    }
  }
  // PKU-MMD: the sample has no label file, so no dataset opens; the reader and the normalisation still apply
  const pku = readPkuSkeleton(join(sharedData, 'pku-mmd-sample', 'A10N08-L.txt'));
  assert.is(pku.frames, 1040);
  const T = 64, V = 25, M = 2;
  const x = new Float32Array(3 * T * V * M);
  const F = packInto(x, pku.xyz, pku.frames, T, V, M);
  normalizeSample(x, T, V, M, F, 'align-frame', anchorsOf(ntu, 'align-frame'));
  for (const t of [0, 31, 63]) close(at(x, T, V, M, t, ntu.anchors!.centre), [0, 0, 0], 1e-6, `PKU frame ${t}`);
  const spine = [0, 1, 2].map((c) => at(x, T, V, M, 0, ntu.anchors!.spine)[c] - at(x, T, V, M, 0, ntu.anchors!.hip)[c]);
  close(spine.map((u) => u / Math.hypot(...spine)), [0, 0, 1], 1e-5, 'PKU spine along z');
});

t('prepare records the normalisation in meta.json; the prepared folder reports it and refuses another', () => {
  const root = mkdtempSync(join(tmpdir(), 'i2md-norm-'));
  try {
    const src = join(root, 'msr'), out = join(root, 'prepared');
    mkdirSync(src);
    const rng = new Rng(4);
    for (const [a, sub] of [[1, 1], [1, 2], [2, 1], [2, 2]]) {
      const lines: string[] = [];
      for (let f = 0; f < 6; f++) for (let v = 0; v < 20; v++) lines.push(`${(rng.uniform(-0.5, 0.5) + 0.1 * f).toFixed(4)} ${rng.uniform(-0.5, 0.5).toFixed(4)} ${(2.5 + rng.uniform(0, 0.3)).toFixed(4)} 1`);
      writeFileSync(join(src, `a0${a}_s0${sub}_e01_skeleton3D.txt`), lines.join('\n') + '\n');
    }
    const r = prepareDataset({ format: 'auto', input: src, out, normalize: 'centre-frame' });
    assert.is(r.meta.normalize, 'centre-frame');
    assert.is(JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')).normalize, 'centre-frame');
    const o = openDataset(out);
    assert.is(o.info.normalize, 'centre-frame');
    const s = o.train!.get(0);
    for (let t = 0; t < s.frames; t++) close(at(s.data, o.all.T, 20, 1, t, msr.anchors!.centre), [0, 0, 0], 1e-6, `frame ${t}`);
    assert.is(openDataset(out, 'auto', { normalize: 'centre-frame' }).info.normalize, 'centre-frame');
    assert.throws(() => openDataset(out, 'auto', { normalize: 'align' }), (e: Error) => e instanceof UserError && /prepared with --normalize centre-frame; prepare it again/.test(e.message));
    // a folder prepared without normalisation may be normalised on read
    const plain = join(root, 'plain');
    prepareDataset({ format: 'auto', input: src, out: plain, normalize: 'none' });
    const n = openDataset(plain, 'auto', { normalize: 'centre-first' });
    assert.is(n.info.normalize, 'centre-first');
    close(at(n.train!.get(1).data, n.all.T, 20, 1, 0, msr.anchors!.centre), [0, 0, 0], 1e-6, 'normalised on read');
  } finally { rmSync(root, { recursive: true, force: true }); }
});

t.run();
