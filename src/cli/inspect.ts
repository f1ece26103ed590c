/** `inspect`: what a dataset holds (sizes, classes, frame lengths, persons, splits). */
import type { Command } from './command.js';
import type { SkeletonDataset } from '../data/dataset.js';
import { FORMATS, openDataset, type DataFormat } from '../data/open.js';
import { normalizeOption, normalizeArg, skipBadArg } from './eval-common.js';
import type { Normalization } from '../skeleton/normalize.js';

/** Rows read for the person count of a big dataset: reading every row of NTU would take minutes. */
const PERSON_SAMPLE = 2000;

export interface DatasetSummary {
  path: string; format: string; layout: string; sequences: number; classes: number; classesPresent: number;
  T: number; V: number; M: number;
  frames: { min: number; median: number; max: number };
  persons: Record<string, number>; personsSampled: number;
  splits: Record<string, number>; benchmark?: string; skipped: { file: string; reason: string }[]; notes: string[];
  normalize: Normalization;
  /** mean |x|, |y|, |z| of the first valid frame's joints (over the sampled rows): ~0 after centring, metres from the camera before */
  firstFrameMeanAbs: [number, number, number];
}

function personsIn(data: Float32Array, T: number, V: number, M: number): number {
  let n = 0;
  for (let m = 0; m < M; m++) {
    let present = false;
    for (let c = 0; c < 3 && !present; c++) for (let t = 0; t < T && !present; t++) for (let v = 0; v < V; v++) if (data[((c * T + t) * V + v) * M + m] !== 0) { present = true; break; }
    if (present) n++;
  }
  return n;
}

/** Mean |coordinate| of the present joints of frame 0 (body 0), per axis; sums into `acc`. */
function firstFrameAbs(data: Float32Array, T: number, V: number, M: number, acc: number[]): void {
  let n = 0; const s = [0, 0, 0];
  for (let v = 0; v < V; v++) {
    const p = [0, 1, 2].map((c) => data[((c * T) * V + v) * M]);
    if (p.every((x) => x === 0)) continue;
    p.forEach((x, c) => { s[c] += Math.abs(x); }); n++;
  }
  if (n) { s.forEach((x, c) => { acc[c] += x / n; }); acc[3]++; }
}

export function summarise(path: string, format: DataFormat = 'auto', opts: { benchmark?: string; normalize?: Normalization; skipBad?: boolean } = {}): DatasetSummary {
  const { all, train, test, info } = openDataset(path, format, opts);
  const ds: SkeletonDataset = all;
  const frames: number[] = [];
  const persons: Record<string, number> = {};
  const stride = Math.max(1, Math.ceil(ds.size / PERSON_SAMPLE));
  let sampled = 0;
  const abs = [0, 0, 0, 0];
  for (let i = 0; i < ds.size; i++) {
    const s = ds.get(i);
    frames.push(s.frames);
    if (i % stride === 0) { const p = personsIn(s.data, ds.T, ds.V, ds.M); persons[p] = (persons[p] ?? 0) + 1; sampled++; firstFrameAbs(s.data, ds.T, ds.V, ds.M, abs); }
  }
  frames.sort((a, b) => a - b);
  const labels = ds.labels();
  const splits: Record<string, number> = {};
  if (train) splits.train = train.size;
  if (test) splits.test = test.size;
  return {
    path, format: info.format, layout: ds.layout, sequences: ds.size, classes: ds.numClasses, classesPresent: new Set(labels).size,
    T: ds.T, V: ds.V, M: ds.M,
    frames: { min: frames[0] ?? 0, median: frames[Math.floor(frames.length / 2)] ?? 0, max: frames[frames.length - 1] ?? 0 },
    persons, personsSampled: sampled, splits, benchmark: info.benchmark, skipped: info.skipped, notes: info.notes, normalize: info.normalize,
    firstFrameMeanAbs: [0, 1, 2].map((c) => (abs[3] ? abs[c] / abs[3] : 0)) as [number, number, number],
  };
}

const command: Command = {
  name: 'inspect',
  describe: 'summarise a dataset: sequences, classes, frames, persons, layout, splits',
  options: (y) => normalizeOption(y)
    .option('data', { type: 'string', demandOption: true, describe: 'dataset file or folder' })
    .option('format', { type: 'string', choices: [...FORMATS], default: 'auto', describe: 'input format' })
    .option('benchmark', { type: 'string', describe: 'split to report (xsub | xview | xset)' })
    .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
  run: async (args) => {
    const s = summarise(args.data as string, args.format as DataFormat, { benchmark: args.benchmark as string | undefined, normalize: normalizeArg(args), skipBad: skipBadArg(args) });
    if (args.json) { console.log(JSON.stringify(s, null, 2)); return; }
    const persons = Object.entries(s.persons).map(([k, v]) => `${k}: ${v}`).join(', ');
    console.log([
      `${s.path} (${s.format})`,
      `  sequences  ${s.sequences}`,
      `  classes    ${s.classes} (${s.classesPresent} present)`,
      `  frames     min ${s.frames.min}, median ${s.frames.median}, max ${s.frames.max} (T=${s.T})`,
      `  persons    ${persons}${s.personsSampled < s.sequences ? ` (of ${s.personsSampled} sampled)` : ''}`,
      `  layout     ${s.layout} (V=${s.V}, M=${s.M})`,
      `  normalize  ${s.normalize} (first frame, mean |x| |y| |z| ${s.firstFrameMeanAbs.map((v) => v.toFixed(2)).join(' ')} m)`,
      `  splits     ${Object.entries(s.splits).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}${s.benchmark ? ` (${s.benchmark})` : ''}`,
      ...(s.skipped.length ? [`  skipped    ${s.skipped.length}:`, ...s.skipped.map((k) => `    ${k.reason}`)] : []),
      ...s.notes.map((n) => `  note       ${n}`),
    ].join('\n'));
  },
};
export default command;
