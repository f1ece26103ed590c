/**
 * PKU-MMD: one skeleton file per video (a line per frame of 2 bodies × 25 NTU joints × xyz), a
 * label file per video (`action,start,end,confidence` per action instance) and split files.
 * Each labelled instance is one sample, cut from its video when asked for.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, UserError } from '../util/errors.js';
import { LazyDataset, parseNumberLines, packInto } from './sequences.js';

const V = 25, M = 2;
/** Label ids run 1..51 in both parts (part II uses 41 of them), as the CMD configs allocate. */
export const PKU_CLASSES = 51;
const VIDEO = /^(\d{4}|A\d+N\d+)-[LMR]\.txt$/i;

/** A skeleton file: xyz in (F, 2, 25, 3) order, and how many bodies appear at all. */
export function readPkuSkeleton(path: string): { frames: number; bodies: number; xyz: Float32Array } {
  const { values, lines } = parseNumberLines(readFileSync(path, 'latin1'), path, 150);
  if (lines === 0) throw new FormatError(path, 'line 1', 'empty sequence: expected lines of 150 numbers');
  let second = false;
  for (let t = 0; t < lines && !second; t++) for (let k = 75; k < 150; k++) if (values[t * 150 + k] !== 0) { second = true; break; }
  return { frames: lines, bodies: second ? 2 : 1, xyz: values };
}

/** One labelled action; `file` and `line` say where its label is, for errors. */
export interface PkuInstance { video: string; label: number; start: number; end: number; file?: string; line?: number }

/** The longest instance we cut, in frames (PKU-MMD's are a few hundred; more is a corrupt label). */
const MAX_INSTANCE_FRAMES = 10000;

export function readPkuLabels(path: string, video: string): PkuInstance[] {
  const out: PkuInstance[] = [];
  readFileSync(path, 'latin1').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const p = line.split(/\s*,\s*/).map(Number);
    if (p.length < 3 || p.slice(0, 3).some((x) => !Number.isInteger(x))) throw new FormatError(path, `line ${i + 1}`, `expected 'action_id,start_frame,end_frame,confidence', found '${line}'`);
    if (p[0] < 1 || p[0] > PKU_CLASSES) throw new FormatError(path, `line ${i + 1}`, `action ${p[0]} outside 1..${PKU_CLASSES}`);
    if (p[2] <= p[1]) throw new FormatError(path, `line ${i + 1}`, `end frame ${p[2]} is not after start frame ${p[1]}`);
    if (p[1] < 0) throw new FormatError(path, `line ${i + 1}`, `start frame ${p[1]} is negative`);
    if (p[2] - p[1] > MAX_INSTANCE_FRAMES) throw new FormatError(path, `line ${i + 1}`, `frames ${p[1]}–${p[2]}: an action of ${p[2] - p[1]} frames (at most ${MAX_INSTANCE_FRAMES})`);
    out.push({ video, label: p[0] - 1, start: p[1], end: p[2], file: path, line: i + 1 });
  });
  return out;
}

/** Folders holding video-named .txt files, classified by their first line. */
function findFolders(dir: string): { skeleton?: string; labels?: string; splits: string[] } {
  const result: { skeleton?: string; labels?: string; splits: string[] } = { splits: [] };
  const candidates = [dir, ...readdirSync(dir).map((f) => join(dir, f)).filter((p) => statSync(p).isDirectory())];
  for (const d of candidates) {
    for (const f of readdirSync(d)) if (/^cross[-_](subject|view)(_v2)?\.txt$/i.test(f)) result.splits.push(join(d, f));
    const first = readdirSync(d).find((f) => VIDEO.test(f));
    if (!first) continue;
    const line = readFileSync(join(d, first), 'latin1').slice(0, 4096).split('\n')[0].trim();
    if (line.includes(',') && line.split(',').length <= 5) result.labels ??= d;
    else if (line.split(/\s+/).length === 150) result.skeleton ??= d;
  }
  return result;
}

export function isPkuFolder(dir: string): boolean {
  try { return findFolders(dir).skeleton !== undefined; } catch { return false; }
}

/** Training video ids of a split file: line 2 (lines 4 hold part I's test ids). */
function readSplit(path: string): { train: Set<string>; test?: Set<string> } {
  const lines = readFileSync(path, 'latin1').split(/\r?\n/);
  const ids = (l?: string) => new Set((l ?? '').split(/[,\s]+/).map((s) => s.trim()).filter(Boolean));
  if (lines.length < 2) throw new FormatError(path, 'line 2', 'expected the training video list on line 2');
  const test = lines.length >= 4 && lines[3].trim() ? ids(lines[3]) : undefined;
  return { train: ids(lines[1]), test };
}

export interface PkuSet { all: LazyDataset; train?: Int32Array; test?: Int32Array; skeletonDir: string; splitFile?: string }

/** Indexes a PKU-MMD folder: label files are read now, skeletons when a sample is asked for. */
export function openPku(dir: string, opts: { frames?: number; benchmark?: 'xsub' | 'xview' } = {}): PkuSet {
  const found = findFolders(dir);
  if (!found.skeleton) throw new UserError(`${dir}: no PKU-MMD skeleton files (expected 0002-L.txt or A01N01-L.txt with 150 numbers per line)`);
  if (!found.labels) throw new UserError(`${dir}: PKU-MMD skeletons found in ${found.skeleton} but no label files (lines action,start,end,confidence)`);
  const instances: PkuInstance[] = [];
  for (const f of readdirSync(found.labels).filter((x) => VIDEO.test(x)).sort()) {
    const video = f.replace(/\.txt$/i, '');
    if (!existsSync(join(found.skeleton, f))) continue;
    instances.push(...readPkuLabels(join(found.labels, f), video));
  }
  if (instances.length === 0) throw new UserError(`${dir}: no labelled PKU-MMD instances with a matching skeleton file`);
  const T = opts.frames ?? instances.reduce((a, s) => Math.max(a, s.end - s.start), 1);
  let cache: { video: string; xyz: Float32Array; frames: number } | undefined;
  const all = new LazyDataset(
    instances.map((s) => `${s.video}_${s.start}`), Int32Array.from(instances, (s) => s.label), T, V, M, PKU_CLASSES, 'ntu25',
    (i) => {
      const s = instances[i];
      if (cache?.video !== s.video) { const r = readPkuSkeleton(join(found.skeleton!, `${s.video}.txt`)); cache = { video: s.video, xyz: r.xyz, frames: r.frames }; }
      // a range that starts past the video's end has no frames to cut (it is not clamped to the last one)
      if (s.start >= cache.frames) throw new FormatError(s.file ?? s.video, `line ${s.line ?? '?'}`, `frames ${s.start}–${s.end} start past the end of ${s.video}.txt (${cache.frames} frames)`);
      const start = s.start, end = Math.min(s.end, cache.frames);
      const F = Math.max(1, end - start);
      const data = new Float32Array(3 * T * V * M);
      const frames = packInto(data, cache.xyz.subarray(start * 150, (start + F) * 150), F, T, V, M);
      return { data, frames };
    });
  const want = opts.benchmark === 'xview' ? /view/i : /subject/i;
  const splitFile = found.splits.filter((p) => want.test(p)).sort((a, b) => Number(/v2/i.test(b)) - Number(/v2/i.test(a)))
    .find((p) => /v2/i.test(p) === /^A/i.test(instances[0].video));
  if (!splitFile) return { all, skeletonDir: found.skeleton };
  const split = readSplit(splitFile);
  const train: number[] = [], test: number[] = [];
  instances.forEach((s, i) => {
    if (split.train.has(s.video)) train.push(i);
    else if (!split.test || split.test.has(s.video)) test.push(i);
  });
  return { all, train: Int32Array.from(train), test: Int32Array.from(test), skeletonDir: found.skeleton, splitFile };
}
