/** `synth`: write the embedded synthetic dataset as a prepared folder (the format `prepare` writes). */
import { writeFileSync } from 'node:fs';
import { makeOutputDir } from '../util/atomic.js';
import { join } from 'node:path';
import type { Command } from './command.js';
import { UserError } from '../util/errors.js';
import { NpyStreamWriter } from '../data/npy.js';
import { writeLabelPickle } from '../data/pickle.js';
import { generateSynthetic, type SyntheticResult } from '../skeleton/synthetic/generate.js';

const BENCHMARKS = ['xsub', 'xview'] as const;
type Benchmark = typeof BENCHMARKS[number];

function sampleName(r: SyntheticResult, i: number): string {
  return `synth_s${r.subject[i] + 1}_v${r.view[i] + 1}_a${r.dataset.labelArray[i] + 1}_${i}`;
}

function writeSplit(r: SyntheticResult, rows: Int32Array, out: string, split: 'train' | 'val'): void {
  const ds = r.dataset;
  const data = new NpyStreamWriter(join(out, `${split}_data_joint.npy`), '<f4', [3, ds.T, ds.V, ds.M], rows.length);
  try { for (const i of rows) data.append(ds.get(i).data); } finally { data.close(); }
  const frames = new NpyStreamWriter(join(out, `${split}_num_frame.npy`), '<i8', [], rows.length);
  frames.append(Array.from(rows, (i) => ds.frameCounts[i])); frames.close();
  writeLabelPickle(join(out, `${split}_label.pkl`), Array.from(rows, (i) => sampleName(r, i)), Array.from(rows, (i) => ds.labelArray[i]));
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`--${name} ${String(v)}: expected a positive integer`);
  return v;
}

/** Generates and writes; returns what it wrote (used by tests and `main`). */
export function writeSynthetic(out: string, opts: { seed: number; size: number; split: Benchmark; classes?: number }): { train: number; val: number; ms: number } {
  const t0 = performance.now();
  const r = generateSynthetic({ seed: opts.seed, size: opts.size, classes: opts.classes });
  const ms = performance.now() - t0;
  const split = r.splits[opts.split];
  makeOutputDir(out, '--out');
  writeSplit(r, split.train, out, 'train');
  writeSplit(r, split.test, out, 'val');
  const ds = r.dataset;
  const meta = {
    layout: 'ntu25', numClasses: ds.numClasses, T: ds.T, V: ds.V, M: ds.M, format: 'prepared',
    benchmark: opts.split, classNames: r.classNames, generator: { seed: opts.seed, size: opts.size },
  };
  writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return { train: split.train.length, val: split.test.length, ms };
}

const command: Command = {
  name: 'synth',
  describe: 'generate the embedded synthetic skeleton dataset (27 actions, NTU 25-joint layout) as a prepared folder',
  options: (y) => y
    .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
    .option('seed', { type: 'number', default: 1, describe: 'random seed (the same seed gives the same bytes)' })
    .option('size', { type: 'number', default: 5000, describe: 'number of sequences' })
    .option('benchmark', { alias: 'split', type: 'string', choices: [...BENCHMARKS], default: 'xview', describe: 'cross-view or cross-subject split (the default of every command: xview)' })
    .option('classes', { type: 'number', describe: 'use only the first N action classes (default all)' }),
  run: async (args) => {
    const seed = args.seed as number;
    if (!Number.isInteger(seed) || seed < 0) throw new UserError(`--seed ${String(seed)}: expected a non-negative integer`);
    const size = positiveInt('size', args.size);
    const classes = args.classes === undefined ? undefined : positiveInt('classes', args.classes);
    const out = args.out as string;
    const r = writeSynthetic(out, { seed, size, split: args.benchmark as Benchmark, classes });
    console.log(`wrote ${out}: train ${r.train}, val ${r.val} samples (${args.benchmark}); generated in ${(r.ms / 1000).toFixed(1)} s`);
  },
};
export default command;
