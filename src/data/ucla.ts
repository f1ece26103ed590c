/**
 * NW-UCLA `all_sqe/*.json`: {file_name, skeletons: T × 20 × [x,y,z], label}. Actions
 * {1,2,3,4,5,6,8,9,11,12} are labels 0–9; views 1 and 2 train, view 3 tests. The sequence is
 * named by `file_name` (aAA_sSS_eEE_vVV), else by the file's own name, so renamed files still
 * read; the folder may be given as the one holding the .json files, the one holding `all_sqe/`,
 * or a folder holding `NW-UCLA/all_sqe/` or `data/NW-UCLA/all_sqe/` (the layouts people download).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, UserError, printable } from '../util/errors.js';
import { packSequences, reasonOf, type ReadSet, type Sequence, type SkippedFile } from './sequences.js';

export const UCLA_CLASSES = 10;
const V = 20;
const ACTIONS = [1, 2, 3, 4, 5, 6, 8, 9, 11, 12];
const NAME = /^a(\d+)_s(\d+)_e(\d+)_v(\d+)$/;

export function parseUclaName(name: string): { action: number; subject: number; episode: number; view: number } | undefined {
  const m = NAME.exec(name);
  return m ? { action: +m[1], subject: +m[2], episode: +m[3], view: +m[4] } : undefined;
}

/** Where in the JSON text a parse error happened, as "line L, column C". */
function jsonPosition(text: string, e: unknown): string {
  const m = /position (\d+)/.exec(String(e));
  if (!m) return 'JSON';
  const at = +m[1];
  const before = text.slice(0, at).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

export function readUclaFile(path: string): Sequence & { view: number } {
  const text = readFileSync(path, 'utf-8');
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (e) { throw new FormatError(path, jsonPosition(text, e), `malformed JSON (${(e as Error).message})`); }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new FormatError(path, 'top level', `expected an object {file_name, skeletons}, found ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
  const obj = doc as { file_name?: unknown; skeletons?: unknown };
  const stem = path.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const name = typeof obj.file_name === 'string' ? obj.file_name : stem;
  const id = parseUclaName(name) ?? parseUclaName(stem);
  if (!id) throw new FormatError(path, 'file_name', `expected a name aAA_sSS_eEE_vVV, found '${printable(name)}'`);
  const label = ACTIONS.indexOf(id.action);
  if (label < 0) throw new FormatError(path, 'file_name', `action ${id.action} is not one of ${ACTIONS.join(',')}`);
  const sk = obj.skeletons;
  if (!Array.isArray(sk)) throw new FormatError(path, 'skeletons', 'expected an array of frames');
  if (sk.length === 0) throw new FormatError(path, 'skeletons', 'empty sequence: expected at least one frame');
  const xyz = new Float32Array(sk.length * V * 3);
  sk.forEach((frame: unknown, t: number) => {
    if (!Array.isArray(frame) || frame.length !== V) throw new FormatError(path, `frame ${t}`, `expected ${V} joints, found ${Array.isArray(frame) ? frame.length : typeof frame}`);
    frame.forEach((joint: unknown, v: number) => {
      if (!Array.isArray(joint) || joint.length < 3) throw new FormatError(path, `frame ${t}, joint ${v}`, 'expected [x, y, z]');
      for (let c = 0; c < 3; c++) {
        const x = joint[c];
        // finite after the cast to float32 (1e39 is not)
        if (typeof x !== 'number' || !Number.isFinite(Math.fround(x))) throw new FormatError(path, `frame ${t}, joint ${v}`, `expected a finite number, found ${printable(JSON.stringify(x) ?? String(x), 30)}`);
        xyz[(t * V + v) * 3 + c] = x;
      }
    });
  });
  return { name, label, frames: sk.length, xyz, view: id.view };
}

export function isUclaFolder(dir: string): boolean {
  try { return readdirSync(dir).some((f) => /^a\d+_s\d+_e\d+_v\d+\.json$/.test(f)); } catch { return false; }
}

const hasJson = (dir: string): boolean => {
  try { return statSync(dir).isDirectory() && readdirSync(dir).some((f) => /\.json$/i.test(f)); } catch { return false; }
};

/** Where the sequences below `path` are, as downloaded: the folder itself, all_sqe/, NW-UCLA/all_sqe/, data/NW-UCLA/all_sqe/. */
export const UCLA_PLACES = ['', 'all_sqe', 'NW-UCLA/all_sqe', 'data/NW-UCLA/all_sqe', 'NW-UCLA', 'data/NW-UCLA'];

/** The folder of .json sequences `path` names (see UCLA_PLACES), or undefined. */
export function uclaDir(path: string, anyJson = false): string | undefined {
  for (const sub of UCLA_PLACES) {
    const dir = sub ? join(path, sub) : path;
    if (existsSync(dir) && (isUclaFolder(dir) || (anyJson && hasJson(dir)))) return dir;
  }
  return undefined;
}

export function readUcla(path: string, opts: { frames?: number; strict?: boolean } = {}): ReadSet {
  const dir = uclaDir(path, true);
  if (!dir) throw new UserError(`${path}: no .json files here or in ${UCLA_PLACES.filter(Boolean).map((p) => `${p}/`).join(', ')} (NW-UCLA: all_sqe/aAA_sSS_eEE_vVV.json)`);
  const files = readdirSync(dir).filter((f) => /\.json$/i.test(f)).sort();
  const seqs: Sequence[] = [];
  const views: number[] = [];
  const skipped: SkippedFile[] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      const s = readUclaFile(path);
      seqs.push(s);
      views.push(s.view);
    } catch (e) {
      if (opts.strict || !(e instanceof FormatError)) throw e;
      skipped.push({ file: path, reason: reasonOf(e) });
    }
  }
  if (seqs.length === 0) {
    throw new UserError(`${dir}: none of its ${files.length} .json files is an NW-UCLA sequence ({file_name: "aAA_sSS_eEE_vVV", skeletons: T × 20 × [x, y, z]}); ` +
      `e.g. ${skipped[0].file}: ${skipped[0].reason}`);
  }
  const dataset = packSequences(seqs, V, 1, UCLA_CLASSES, 'ucla20', opts.frames);
  const train: number[] = [], test: number[] = [];
  views.forEach((v, i) => (v === 3 ? test : train).push(i));
  return { dataset, train: Int32Array.from(train), test: Int32Array.from(test), skipped, groups: views };
}
