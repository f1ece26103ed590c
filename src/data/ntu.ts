/**
 * NTU RGB+D raw `.skeleton` files: parsing, the standard preprocessing (2 most active bodies,
 * null frames filled by repetition, centring, view alignment) and the benchmark splits.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, UserError } from '../util/errors.js';
import { LazyDataset } from './sequences.js';

const V = 25;
const M = 2;

export interface NtuBody { id: string; joints: Float32Array } // joints: 25 × xyz
export interface NtuFrame { bodies: NtuBody[] }

/** Parses a .skeleton file. bodyID is kept as a string: it is a 64-bit integer. */
export function parseNtuSkeleton(text: string, file: string): NtuFrame[] {
  const lines = text.split('\n');
  let at = 0;
  const next = (what: string): string[] => {
    while (at < lines.length && lines[at].trim() === '') at++;
    if (at >= lines.length) throw new FormatError(file, `line ${at + 1}`, `truncated: expected ${what}, found the end of the file`);
    return lines[at++].trim().split(/\s+/);
  };
  const int = (what: string, lo: number, hi: number): number => {
    const p = next(what);
    const n = Number(p[0]);
    if (p.length !== 1 || !Number.isInteger(n) || n < lo || n > hi) throw new FormatError(file, `line ${at}`, `expected ${what} (an integer ${lo}..${hi}), found '${p.join(' ')}'`);
    return n;
  };
  const numFrames = int('the frame count', 0, 1e6);
  if (numFrames === 0) throw new FormatError(file, 'line 1', 'empty sequence: the frame count is 0');
  const frames: NtuFrame[] = [];
  for (let f = 0; f < numFrames; f++) {
    const numBodies = int(`the body count of frame ${f}`, 0, 6);
    const bodies: NtuBody[] = [];
    for (let b = 0; b < numBodies; b++) {
      const info = next(`body ${b} info of frame ${f}`);
      if (info.length !== 10) throw new FormatError(file, `line ${at}`, `frame ${f}, body ${b}: expected 10 body fields, found ${info.length}`);
      const nj = int(`the joint count of frame ${f}, body ${b}`, 0, 1000);
      if (nj !== V) throw new FormatError(file, `line ${at}`, `frame ${f}, body ${b}: expected ${V} joints, found ${nj}`);
      const joints = new Float32Array(V * 3);
      for (let j = 0; j < V; j++) {
        const p = next(`joint ${j} of frame ${f}, body ${b}`);
        if (p.length !== 12) throw new FormatError(file, `line ${at}`, `frame ${f}, body ${b}, joint ${j}: expected 12 fields, found ${p.length}`);
        for (let c = 0; c < 3; c++) {
          const x = Number(p[c]);
          if (!Number.isFinite(x)) throw new FormatError(file, `line ${at}`, `frame ${f}, body ${b}, joint ${j}: expected a finite coordinate, found '${p[c]}'`);
          joints[j * 3 + c] = x;
        }
      }
      bodies.push({ id: info[0], joints });
    }
    frames.push({ bodies });
  }
  return frames;
}

export interface NtuName { setup: number; camera: number; performer: number; replication: number; action: number }
export function parseNtuName(name: string): NtuName | undefined {
  const m = /S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})/.exec(name);
  return m ? { setup: +m[1], camera: +m[2], performer: +m[3], replication: +m[4], action: +m[5] } : undefined;
}

/** NTU-60 cross-subject training performers; NTU-120 adds the second list (all ≥ 45, absent from NTU-60). */
const XSUB_TRAIN = new Set([1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38,
  45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82, 83, 84, 85, 86, 89, 91, 92, 93,
  94, 95, 97, 98, 100, 103]);

export type NtuBenchmark = 'xsub' | 'xview' | 'xset';
export function isNtuTrain(n: NtuName, benchmark: NtuBenchmark): boolean {
  switch (benchmark) {
    case 'xsub': return XSUB_TRAIN.has(n.performer);
    case 'xview': return n.camera === 2 || n.camera === 3;
    case 'xset': return n.setup % 2 === 0;
  }
}

/** Σ over x,y,z of the std over the frames where the body is present. */
function motionEnergy(seq: Float32Array, F: number): number {
  let total = 0;
  for (let c = 0; c < 3; c++) {
    let n = 0, sum = 0, sq = 0;
    for (let t = 0; t < F; t++) {
      const base = t * V * 3;
      let present = false;
      for (let k = 0; k < V * 3; k++) if (seq[base + k] !== 0) { present = true; break; }
      if (!present) continue;
      for (let j = 0; j < V; j++) { const x = seq[base + j * 3 + c]; sum += x; sq += x * x; n++; }
    }
    if (n > 0) total += Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2));
  }
  return total;
}

/** Rodrigues rotation taking unit direction `from` onto `to`, applied in place to non-zero joints. */
function rotateOnto(xyz: Float32Array, from: number[], to: number[]): void {
  const len = Math.hypot(from[0], from[1], from[2]);
  if (len < 1e-8) return;
  const f = from.map((x) => x / len);
  const k = [f[1] * to[2] - f[2] * to[1], f[2] * to[0] - f[0] * to[2], f[0] * to[1] - f[1] * to[0]];
  const s = Math.hypot(k[0], k[1], k[2]);
  const c = f[0] * to[0] + f[1] * to[1] + f[2] * to[2];
  if (s < 1e-8) return; // already parallel (an antiparallel bone is left too: no unique axis)
  const [x, y, z] = k.map((v) => v / s);
  const C = 1 - c;
  const R = [
    c + x * x * C, x * y * C - z * s, x * z * C + y * s,
    y * x * C + z * s, c + y * y * C, y * z * C - x * s,
    z * x * C - y * s, z * y * C + x * s, c + z * z * C,
  ];
  for (let i = 0; i < xyz.length; i += 3) {
    const a = xyz[i], b = xyz[i + 1], d = xyz[i + 2];
    if (a === 0 && b === 0 && d === 0) continue;
    xyz[i] = R[0] * a + R[1] * b + R[2] * d;
    xyz[i + 1] = R[3] * a + R[4] * b + R[5] * d;
    xyz[i + 2] = R[6] * a + R[7] * b + R[8] * d;
  }
}

/**
 * The standard preprocessing into one (3, T, 25, 2) sample. Bodies are tracked by bodyID; the
 * two with the largest motion energy are kept (body 0 the more active). Frames where neither
 * is present are dropped and the valid frames repeated to fill T (longer sequences are
 * subsampled uniformly to T).
 */
export function preprocessNtu(frames: NtuFrame[], T: number, file: string): { data: Float32Array; frames: number } {
  const F = frames.length;
  const byId = new Map<string, Float32Array>(); // (F, 25, 3) per body
  frames.forEach((fr, t) => {
    for (const b of fr.bodies) {
      let seq = byId.get(b.id);
      if (!seq) { seq = new Float32Array(F * V * 3); byId.set(b.id, seq); }
      seq.set(b.joints, t * V * 3);
    }
  });
  const chosen = [...byId.values()].map((seq) => ({ seq, e: motionEnergy(seq, F) })).sort((a, b) => b.e - a.e).slice(0, M).map((x) => x.seq);
  if (chosen.length === 0) throw new FormatError(file, 'frames 0..' + (F - 1), 'no body is tracked in any frame');
  const present = (seq: Float32Array, t: number): boolean => { for (let k = t * V * 3; k < (t + 1) * V * 3; k++) if (seq[k] !== 0) return true; return false; };
  const valid: number[] = [];
  for (let t = 0; t < F; t++) if (chosen.some((s) => present(s, t))) valid.push(t);
  if (valid.length === 0) throw new FormatError(file, 'frames 0..' + (F - 1), 'every tracked joint is at the origin');
  // (Fv, M, 25, 3) of the valid frames.
  const Fv = valid.length;
  const xyz = new Float32Array(Fv * M * V * 3);
  valid.forEach((t, i) => chosen.forEach((s, m) => xyz.set(s.subarray(t * V * 3, (t + 1) * V * 3), (i * M + m) * V * 3)));
  // Centre each frame on body 0's SpineMid (joint 2), leaving absent joints at zero.
  for (let i = 0; i < Fv; i++) {
    const b0 = (i * M) * V * 3;
    const cx = xyz[b0 + 3], cy = xyz[b0 + 4], cz = xyz[b0 + 5];
    for (let m = 0; m < M; m++) {
      for (let j = 0; j < V; j++) {
        const p = ((i * M + m) * V + j) * 3;
        if (xyz[p] === 0 && xyz[p + 1] === 0 && xyz[p + 2] === 0) continue;
        xyz[p] -= cx; xyz[p + 1] -= cy; xyz[p + 2] -= cz;
      }
    }
  }
  // View alignment from body 0's first valid frame: hip→spine along z, then shoulders along x.
  const joint = (j: number): number[] => [xyz[j * 3], xyz[j * 3 + 1], xyz[j * 3 + 2]];
  const sub = (a: number[], b: number[]): number[] => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  rotateOnto(xyz, sub(joint(1), joint(0)), [0, 0, 1]);
  rotateOnto(xyz, sub(joint(8), joint(4)), [1, 0, 0]);
  // Into (3, T, V, M): subsample when longer, repeat the valid frames when shorter.
  const data = new Float32Array(3 * T * V * M);
  for (let t = 0; t < T; t++) {
    const src = Fv > T ? Math.floor((t * Fv) / T) : t % Fv;
    for (let m = 0; m < M; m++) for (let j = 0; j < V; j++) {
      const p = ((src * M + m) * V + j) * 3;
      for (let c = 0; c < 3; c++) data[((c * T + t) * V + j) * M + m] = xyz[p + c];
    }
  }
  return { data, frames: Math.min(Fv, T) };
}

export function readNtuFile(path: string, T = 300): { data: Float32Array; frames: number } {
  return preprocessNtu(parseNtuSkeleton(readFileSync(path, 'latin1'), path), T, path);
}

/** Sample names listed one per line (the published missing-skeleton lists). */
export function readNameList(path: string): Set<string> {
  if (!existsSync(path)) throw new UserError(`${path}: missing-skeleton list not found`);
  return new Set(readFileSync(path, 'utf-8').split(/\r?\n/).map((l) => l.trim().replace(/\.skeleton$/, '')).filter((l) => l && !l.startsWith('#')));
}

export function isNtuFolder(dir: string): boolean {
  try { return readdirSync(dir).some((f) => f.endsWith('.skeleton')); } catch { return false; }
}

export interface NtuIndex { files: string[]; names: string[]; ids: NtuName[]; excluded: number; numClasses: number }

/** Lists the samples of a folder (sorted), minus the excluded names. Nothing is parsed yet. */
export function indexNtuFolder(dir: string, missing?: Set<string>): NtuIndex {
  const all = readdirSync(dir).filter((f) => f.endsWith('.skeleton')).sort();
  if (all.length === 0) throw new UserError(`${dir}: no .skeleton files`);
  const files: string[] = [], names: string[] = [], ids: NtuName[] = [];
  let excluded = 0;
  for (const f of all) {
    const name = f.replace(/\.skeleton$/, '');
    const id = parseNtuName(name);
    if (!id) throw new FormatError(join(dir, f), 'file name', 'expected SsssCcccPpppRrrrAaaa.skeleton');
    // NTU-60 has actions A001–A060, NTU-120 A001–A120: anything else would be a label outside the classes
    if (id.action < 1 || id.action > 120) throw new FormatError(join(dir, f), 'file name', `action A${String(id.action).padStart(3, '0')} outside A001–A120`);
    if (missing?.has(name)) { excluded++; continue; }
    files.push(join(dir, f)); names.push(name); ids.push(id);
  }
  const maxAction = ids.reduce((a, i) => Math.max(a, i.action), 0);
  return { files, names, ids, excluded, numClasses: maxAction > 60 ? 120 : 60 };
}

/** A raw NTU folder as a dataset that parses each file when its sample is asked for. */
export function ntuDataset(index: NtuIndex, T = 300): LazyDataset {
  return new LazyDataset(index.names, Int32Array.from(index.ids, (i) => i.action - 1), T, V, M, index.numClasses, 'ntu25',
    (i) => readNtuFile(index.files[i], T));
}
