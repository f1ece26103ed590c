/**
 * MSR Action3D: `aAA_sSS_eEE_skeleton3D.txt`, 20 lines `x y z c` per frame. Cross-subject split:
 * odd subjects train. One published file is all zeros; it is reported and skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, UserError } from '../util/errors.js';
import { parseNumberLines, framesFromJointLines, packSequences, reasonOf, type ReadSet, type Sequence, type SkippedFile } from './sequences.js';

export const MSR_CLASSES = 20;
const V = 20;
const NAME = /^a(\d+)_s(\d+)_e(\d+)_skeleton3D\.txt$/i;

export function parseMsrName(file: string): { action: number; subject: number; repetition: number } | undefined {
  const m = NAME.exec(file);
  return m ? { action: +m[1], subject: +m[2], repetition: +m[3] } : undefined;
}

export function readMsrFile(path: string, label: number): Sequence {
  const { values, lines } = parseNumberLines(readFileSync(path, 'latin1'), path, 4, 3);
  const frames = framesFromJointLines(lines, V, path);
  if (values.every((v) => v === 0)) throw new FormatError(path, `lines 1-${lines}`, 'every coordinate is zero (no skeleton was recorded)');
  return { name: path, label, frames, xyz: values };
}

export function isMsrFolder(dir: string): boolean {
  try { return readdirSync(dir).some((f) => NAME.test(f)); } catch { return false; }
}

export function readMsr(dir: string, opts: { frames?: number; strict?: boolean } = {}): ReadSet & { subjects: number[] } {
  const files = readdirSync(dir).filter((f) => NAME.test(f)).sort();
  if (files.length === 0) throw new UserError(`${dir}: no MSR Action3D files (expected aAA_sSS_eEE_skeleton3D.txt)`);
  const seqs: Sequence[] = [];
  const subjects: number[] = [];
  const skipped: SkippedFile[] = [];
  for (const f of files) {
    const id = parseMsrName(f)!;
    const path = join(dir, f);
    if (id.action < 1 || id.action > MSR_CLASSES) {
      const e = new FormatError(path, 'file name', `action ${id.action} outside 1..${MSR_CLASSES}`);
      if (opts.strict) throw e;
      skipped.push({ file: path, reason: e.message });
      continue;
    }
    try {
      const s = readMsrFile(path, id.action - 1);
      s.name = f.replace(/_skeleton3D\.txt$/i, '');
      seqs.push(s);
      subjects.push(id.subject);
    } catch (e) {
      if (opts.strict || !(e instanceof FormatError)) throw e;
      skipped.push({ file: path, reason: reasonOf(e) });
    }
  }
  const dataset = packSequences(seqs, V, 1, MSR_CLASSES, 'msr20', opts.frames);
  const train: number[] = [], test: number[] = [];
  subjects.forEach((s, i) => (s % 2 === 1 ? train : test).push(i));
  return { dataset, train: Int32Array.from(train), test: Int32Array.from(test), skipped, subjects, groups: subjects };
}
