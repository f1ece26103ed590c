/**
 * GTU 3D Actions: `<class 1..14>/movementN.txt`, 25 lines `x y z` per frame in NTU joint order.
 * No subject ids, so the split holds out every 10th file of each class (sorted by N).
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, UserError } from '../util/errors.js';
import { parseNumberLines, framesFromJointLines, packSequences, reasonOf, type ReadSet, type Sequence, type SkippedFile } from './sequences.js';

export const GTU_CLASSES = 14;
const V = 25;

export function readGtuFile(path: string, label: number): Sequence {
  const { values, lines } = parseNumberLines(readFileSync(path, 'latin1'), path, 3);
  const frames = framesFromJointLines(lines, V, path);
  return { name: path, label, frames, xyz: values };
}

/** True when `dir` looks like the GTU layout (numbered class folders of movementN.txt). */
export function isGtuFolder(dir: string): boolean {
  return existsSync(join(dir, '1')) && statSync(join(dir, '1')).isDirectory()
    && readdirSync(join(dir, '1')).some((f) => /^movement\d+\.txt$/i.test(f));
}

export function readGtu(dir: string, opts: { frames?: number; strict?: boolean } = {}): ReadSet {
  if (!isGtuFolder(dir)) throw new UserError(`${dir}: not a GTU 3D folder (expected class folders 1..14 of movementN.txt)`);
  const seqs: Sequence[] = [];
  const heldOut: boolean[] = [];
  const skipped: SkippedFile[] = [];
  for (let c = 1; c <= GTU_CLASSES; c++) {
    const classDir = join(dir, String(c));
    if (!existsSync(classDir)) continue; // a subset of the classes is still a usable set
    const files = readdirSync(classDir)
      .map((f) => ({ f, n: /^movement(\d+)\.txt$/i.exec(f) }))
      .filter((x) => x.n)
      .sort((a, b) => Number(a.n![1]) - Number(b.n![1]));
    files.forEach(({ f }, k) => {
      const path = join(classDir, f);
      try {
        const s = readGtuFile(path, c - 1);
        s.name = `${c}/${f.replace(/\.txt$/i, '')}`;
        seqs.push(s);
        heldOut.push(k % 10 === 9);
      } catch (e) {
        if (opts.strict || !(e instanceof FormatError)) throw e;
        skipped.push({ file: path, reason: reasonOf(e) });
      }
    });
  }
  const dataset = packSequences(seqs, V, 1, GTU_CLASSES, 'ntu25', opts.frames);
  const train: number[] = [], test: number[] = [];
  heldOut.forEach((h, i) => (h ? test : train).push(i));
  return { dataset, train: Int32Array.from(train), test: Int32Array.from(test), skipped };
}
