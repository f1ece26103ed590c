/**
 * A fuzz driver over every reader, on the real recordings in ../shared/data (GTU, MSR Action3D,
 * PKU-MMD) and on files derived from them (a prepared .npy folder with its label pickle, an
 * .npz, safetensors weights). Each case mutates one file — truncates it, flips bytes, lies in a
 * header or a count, writes NaN or a huge value — with a fixed seed, then reads it the way the
 * engine does. Allowed outcomes: a one-line UserError naming the file (or its folder), a sample
 * reported as skipped, or data that is entirely finite with labels in range. Anything else — an
 * uncaught exception, a stack trace, a case over the time limit, non-finite output — fails with
 * the case's seed and mutation so it can be replayed.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { sharedData } from '../helpers/shared-data.js';
import { zip } from '../helpers/zip.js';
import { writeNpy } from '../helpers/npy.js';
import { Rng } from '../../src/util/random.js';
import { UserError } from '../../src/util/errors.js';
import { readGtuFile } from '../../src/data/gtu.js';
import { readMsrFile } from '../../src/data/msr.js';
import { readPkuSkeleton } from '../../src/data/pku.js';
import { openDataset } from '../../src/data/open.js';
import { prepareDataset } from '../../src/data/prepare.js';
import { readLabelPickle } from '../../src/data/pickle.js';
import { saveSafetensors, loadSafetensors, assertFiniteTensors } from '../../src/data/safetensors.js';
import type { SkeletonDataset } from '../../src/data/dataset.js';

const t = suite('integration/fuzz');
const CASES = 200;          // per format
const CASE_MS = 2000;       // a case over this is a hang
const SEED = 19;

type Mutation = (b: Buffer, r: Rng) => { bytes: Buffer; what: string };

const pick = <T>(r: Rng, xs: T[]): T => xs[r.int(xs.length)];
const f32 = (v: number) => { const b = Buffer.alloc(4); b.writeFloatLE(v, 0); return b; };

/** Byte-level mutations, for every format. */
const binary: Mutation[] = [
  (b, r) => { const n = r.int(b.length); return { bytes: b.subarray(0, n), what: `truncate at ${n}` }; },
  (b, r) => {
    const c = Buffer.from(b); const k = 1 + r.int(8); const at: number[] = [];
    for (let i = 0; i < k; i++) { const p = r.int(c.length); c[p] ^= 1 << r.int(8); at.push(p); }
    return { bytes: c, what: `flip bits at ${at.join(',')}` };
  },
  (b, r) => {
    // a lie in the first 256 bytes, where headers, counts and offsets live
    const c = Buffer.from(b); const p = r.int(Math.max(1, Math.min(256, c.length - 4)));
    const v = pick(r, [0xffffffff, 0x7fffffff, 0, 1, 0x80000000]); c.writeUInt32LE(v, p);
    return { bytes: c, what: `u32 ${v} at ${p}` };
  },
  (b, r) => {
    const c = Buffer.from(b); const p = 4 * r.int(Math.floor(c.length / 4));
    const v = pick(r, [NaN, Infinity, -Infinity, 3e38, -1e-45]); f32(v).copy(c, p);
    return { bytes: c, what: `f32 ${v} at ${p}` };
  },
  (b, r) => { const c = Buffer.from(b); const p = r.int(c.length); const n = r.int(64); return { bytes: Buffer.concat([c.subarray(0, p), c.subarray(p + n)]), what: `cut ${n} bytes at ${p}` }; },
  (b, r) => { const p = r.int(b.length); const n = 1 + r.int(64); return { bytes: Buffer.concat([b.subarray(0, p), Buffer.alloc(n, r.int(256)), b.subarray(p)]), what: `insert ${n} bytes at ${p}` }; },
];

/** Text-level mutations: numbers replaced by NaN, huge or malformed values, lines dropped or doubled. */
const text: Mutation[] = [
  ...binary,
  (b, r) => {
    const lines = b.toString('latin1').split('\n'); const i = r.int(lines.length);
    const parts = lines[i].split(' '); const k = r.int(parts.length);
    parts[k] = pick(r, ['nan', 'NaN', 'inf', '-Infinity', '1e39', '-1e39', '99999999999999999999', '0x10', '', '1.2.3', '\u0000\u00ff']);
    lines[i] = parts.join(' ');
    return { bytes: Buffer.from(lines.join('\n'), 'latin1'), what: `line ${i + 1} field ${k + 1} → ${JSON.stringify(parts[k])}` };
  },
  (b, r) => {
    const lines = b.toString('latin1').split('\n'); const i = r.int(lines.length);
    const drop = r.next() < 0.5; lines.splice(i, drop ? 1 : 0, ...(drop ? [] : [lines[i]]));
    return { bytes: Buffer.from(lines.join('\n'), 'latin1'), what: `${drop ? 'drop' : 'double'} line ${i + 1}` };
  },
];

/** Every value finite and every label a class index: what a reader that accepted a file must give. */
function checkDataset(d: SkeletonDataset, where: string): void {
  const labels = d.labels();
  for (let i = 0; i < d.size; i++) {
    const s = d.get(i);
    for (let k = 0; k < s.data.length; k++) if (!Number.isFinite(s.data[k])) throw new Error(`${where}: sample ${i} value ${k} is ${s.data[k]} and no error was raised`);
    if (!(Number.isInteger(labels[i]) && labels[i] >= 0 && labels[i] < d.numClasses)) throw new Error(`${where}: label ${labels[i]} of ${d.numClasses} classes accepted`);
  }
}
function checkFinite(a: ArrayLike<number>, where: string): void {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) throw new Error(`${where}: value ${k} is ${a[k]} and no error was raised`);
}

interface Format {
  name: string;
  /** the real (or derived) file to mutate, and the paths an error may name */
  file: string;
  names: string[];
  mutations: Mutation[];
  /** reads the mutated file (already written over `file`) the engine's way; throws on bad output */
  read(): void;
  /** puts the unmutated file back */
  restore(): void;
}

/** Runs `CASES` mutations of one format; returns failures as replayable descriptions. */
function fuzz(f: Format): { failures: string[]; rejected: number; accepted: number } {
  const rng = new Rng(SEED + f.name.length * 7919);
  const original = readFileSync(f.file);
  const failures: string[] = [];
  let rejected = 0, accepted = 0;
  for (let c = 0; c < CASES; c++) {
    const m = pick(rng, f.mutations)(original, rng);
    writeFileSync(f.file, m.bytes);
    const t0 = Date.now();
    const label = `${f.name} case ${c} (seed ${SEED}, ${m.what})`;
    try {
      f.read();
      accepted++;
    } catch (e) {
      if (!(e instanceof UserError)) failures.push(`${label}: ${e instanceof Error ? e.stack?.split('\n').slice(0, 3).join(' | ') : String(e)}`);
      else if (e.message.includes('\n')) failures.push(`${label}: a message of several lines: ${e.message}`);
      else if (!f.names.some((n) => e.message.includes(n))) failures.push(`${label}: the message names no file: ${e.message}`);
      else rejected++;
    }
    const ms = Date.now() - t0;
    if (ms > CASE_MS) failures.push(`${label}: took ${ms} ms`);
    f.restore();
  }
  return { failures, rejected, accepted };
}

const root = mkdtempSync(join(tmpdir(), 'i2md-fuzz-'));
const report = (name: string, r: ReturnType<typeof fuzz>) => {
  process.stderr.write(`  fuzz ${name}: ${CASES} cases, ${r.rejected} refused with a message, ${r.accepted} read clean, ${r.failures.length} failures\n`);
  assert.equal(r.failures.slice(0, 5), [], `${r.failures.length} failures`);
};

/** A text format: one real file (cut to `lines` lines to keep a case fast), read by `read`. */
function textFormat(name: string, source: string, lines: number, read: (path: string) => ArrayLike<number>): Format {
  const dir = join(root, name); mkdirSync(dir, { recursive: true });
  const file = join(dir, basename(source));
  const body = readFileSync(source, 'latin1').split('\n').slice(0, lines).join('\n') + '\n';
  writeFileSync(file, body, 'latin1');
  return { name, file, names: [file], mutations: text, read: () => checkFinite(read(file), file), restore: () => writeFileSync(file, body, 'latin1') };
}

if (!sharedData) {
  t('fuzz (skipped: no ../shared/data here)', () => { process.stderr.write('  note: ../shared/data is absent; the fuzz driver needs the real recordings and did not run\n'); });
} else {
  const data = sharedData;
  const gtuFile = join(data, 'gtu3d', '1', readdirSync(join(data, 'gtu3d', '1')).sort()[0]);
  const msrFile = join(data, 'msr-action3d', 'a01_s01_e01_skeleton3D.txt');
  const pkuFile = join(data, 'pku-mmd-sample', 'A10N08-L.txt');

  t('gtu text files', () => { report('gtu', fuzz(textFormat('gtu', gtuFile, 200, (p) => readGtuFile(p, 0).xyz))); });
  t('msr text files', () => { report('msr', fuzz(textFormat('msr', msrFile, 200, (p) => readMsrFile(p, 0).xyz))); });
  t('pku text files', () => { report('pku', fuzz(textFormat('pku', pkuFile, 40, (p) => readPkuSkeleton(p).xyz))); });

  // a prepared folder from real GTU recordings: its data array, its label pickle, its meta.json
  const gtuSmall = join(root, 'gtu-src');
  for (const cls of ['1', '2', '3']) {
    mkdirSync(join(gtuSmall, cls), { recursive: true });
    for (const f of readdirSync(join(data, 'gtu3d', cls)).sort().slice(0, 2)) copyFileSync(join(data, 'gtu3d', cls, f), join(gtuSmall, cls, f));
  }
  const prepared = join(root, 'prepared');
  prepareDataset({ format: 'auto', input: gtuSmall, out: prepared, frames: 32, progress: false });
  const preparedFormat = (name: string, member: string): Format => {
    const file = join(prepared, member), body = readFileSync(file);
    return { name, file, names: [prepared], mutations: binary, restore: () => writeFileSync(file, body),
      read: () => { const o = openDataset(prepared); checkDataset(o.all, prepared); } };
  };
  t('prepared .npy data', () => { report('npy', fuzz(preparedFormat('npy', 'train_data_joint.npy'))); });
  t('label pickle', () => {
    const f = preparedFormat('pickle', 'train_label.pkl');
    report('pickle', fuzz({ ...f, read: () => { readLabelPickle(f.file); f.read(); } }));
  });

  // an .npz (CTR-GCN layout) from the same recordings: x (N, T, 150), y one-hot
  const o = openDataset(prepared);
  const N = o.all.size, T = o.all.T;
  const x = new Float32Array(N * T * 150), y = new Float32Array(N * o.all.numClasses);
  for (let i = 0; i < N; i++) {
    const s = o.all.get(i);
    for (let t2 = 0; t2 < T; t2++) for (let v = 0; v < 25; v++) for (let c = 0; c < 3; c++) x[(i * T + t2) * 150 + v * 3 + c] = s.data[((c * T + t2) * 25 + v) * o.all.M];
    y[i * o.all.numClasses + s.label] = 1;
  }
  const npyBytes = (shape: number[], d: Float32Array) => { const p = join(root, 'tmp.npy'); writeNpy(p, '<f4', shape, d); return readFileSync(p); };
  const npzFile = join(root, 'data.npz');
  for (const deflate of [false, true]) {
    t(`npz (${deflate ? 'deflated' : 'stored'} members)`, () => {
      const body = zip([{ name: 'x_train.npy', bytes: npyBytes([N, T, 150], x), deflate }, { name: 'y_train.npy', bytes: npyBytes([N, o.all.numClasses], y), deflate }]);
      writeFileSync(npzFile, body);
      report(`npz-${deflate ? 'deflate' : 'stored'}`, fuzz({ name: `npz${deflate}`, file: npzFile, names: [npzFile], mutations: binary, restore: () => writeFileSync(npzFile, body),
        read: () => { const d = openDataset(npzFile); checkDataset(d.all, npzFile); } }));
    });
  }

  t('safetensors weights', () => {
    const file = join(root, 'w.safetensors');
    saveSafetensors(file, { 'encoder.w': { dtype: 'F32', shape: [N, 150], data: x.subarray(0, N * 150) }, 'encoder.b': { dtype: 'F32', shape: [3], data: Float32Array.of(1, 2, 3) } }, { format: 'fuzz' });
    const body = readFileSync(file);
    report('safetensors', fuzz({ name: 'safetensors', file, names: [file], mutations: binary, restore: () => writeFileSync(file, body),
      read: () => { const r = loadSafetensors(file); assertFiniteTensors(file, r.tensors); } }));
  });
}

t.after(() => rmSync(root, { recursive: true, force: true }));
t.run();
