/**
 * The study: for each dataset, the baselines (raw-joint 1-NN; random encoder and supervised
 * ceiling per encoder shape) and every grid cell pre-trained with several seeds and evaluated by
 * every protocol asked for. Everything measured goes into RUN/study.json as soon as it exists
 * (atomically), and a study started again with the same folder skips what is there — it runs for
 * hours, and a stop loses at most the run in progress. The tables and the plot are rebuilt from
 * study.json after every run (report.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SkeletonDataset } from '../data/dataset.js';
import type { Layout } from '../skeleton/layouts.js';
import { resolveEpochs, type Modality } from '../i2md/config.js';
import type { Normalization } from '../skeleton/normalize.js';
import type { LinearProtocolName } from '../eval/protocol.js';
import { pretrain } from '../i2md/pretrain.js';
import { KnnMonitor } from '../eval/knn-monitor.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { evaluateStreams, type BestLast, type EncoderScores } from './evaluate.js';
import { encoderSignature, rawBaseline, randomEncoderBaseline, supervisedBaseline } from './baselines.js';
import type { Cell, GridSpec } from './grid.js';

export interface StudyDataset { name: string; train: SkeletonDataset; test: SkeletonDataset; layout: Layout; numClasses: number; normalize: Normalization; describe: string }

export interface StudyOptions {
  runDir: string;
  grid: GridSpec;
  cells: Cell[];
  datasets: StudyDataset[];
  seeds: number[];
  protocols: LinearProtocolName[];
  linearEpochs: number;
  streams: 'all' | Modality[];            // evaluated streams (fusion needs several)
  supervised: { epochs: number; lr: number; seeds?: number } | undefined;   // undefined: no supervised baseline; seeds: the first n of `seeds` (default all)
  cropStreams?: Modality[];               // streams evaluated with the crops protocol (default every evaluated one)
  knnEvery?: number;                      // k-NN monitor during pre-training, epochs (0 = off; default: five readings a run)
  adapter?: Record<string, unknown>;
  command?: string;
  log?: (line: string) => void;
  afterSave?: (file: StudyFile) => void;  // rebuild the tables/plot
  maxSteps?: number;                      // cap pre-training steps (tests)
}

export interface RunRecord {
  dataset: string; cell: string; seed: number; overrides: Record<string, unknown>;
  steps: number; epochs: number; pretrainSeconds: number; msPerStep: number;
  lastLoss?: Record<string, number>;
  knnCurve: { epoch: number; knn1: Record<string, number> }[];
  scores: EncoderScores;
}
export interface BaselineRecord {
  dataset: string; signature: string; seed: number;
  random?: EncoderScores; supervised?: BestLast; supervisedSeconds?: number;
}
export interface StudyFile {
  version: 1;
  command?: string; adapter?: Record<string, unknown>; started: string; updated: string;
  settings: { seeds: number[]; protocols: LinearProtocolName[]; linearEpochs: number; supervised?: { epochs: number; lr: number; seeds?: number }; cropStreams?: Modality[]; grid: GridSpec };
  datasets: Record<string, { describe: string; normalize: Normalization; train: number; test: number; classes: number; rawNN: Record<string, number> }>;
  cells: { id: string; overrides: Record<string, unknown>; config: Record<string, unknown>; signature: string }[];
  baselines: BaselineRecord[];
  runs: RunRecord[];
}

const slug = (s: string) => s.replace('²', '2').replace(/[^A-Za-z0-9.=,+-]+/g, '_').replace(/[=,]/g, '-').slice(0, 120) || 'base';

export function readStudy(runDir: string): StudyFile | undefined {
  const p = join(runDir, 'study.json');
  if (!existsSync(p)) return undefined;
  try { return JSON.parse(readFileSync(p, 'utf8')) as StudyFile; } catch (e) { throw new UserError(`${p}: unreadable study file (${(e as Error).message}); move it away to start afresh`); }
}

export async function runStudy(o: StudyOptions): Promise<StudyFile> {
  const log = o.log ?? (() => undefined);
  const now = () => new Date().toISOString();
  const file: StudyFile = readStudy(o.runDir) ?? {
    version: 1, started: now(), updated: now(), settings: { seeds: o.seeds, protocols: o.protocols, linearEpochs: o.linearEpochs, supervised: o.supervised, grid: o.grid },
    datasets: {}, cells: [], baselines: [], runs: [],
  };
  file.command = o.command ?? file.command;
  file.adapter = o.adapter ?? file.adapter;
  file.settings = { seeds: o.seeds, protocols: o.protocols, linearEpochs: o.linearEpochs, supervised: o.supervised, cropStreams: o.cropStreams, grid: o.grid };
  for (const c of o.cells) {
    const rec = { id: c.id, overrides: c.overrides, config: c.config as unknown as Record<string, unknown>, signature: encoderSignature(c.config) };
    const i = file.cells.findIndex((x) => x.id === c.id);
    if (i >= 0) file.cells[i] = rec; else file.cells.push(rec);
  }
  const save = () => { file.updated = now(); writeFileAtomic(join(o.runDir, 'study.json'), JSON.stringify(file, null, 1)); o.afterSave?.(file); };
  const evalOpts = (ds: StudyDataset, cell: Cell, seed: number) => ({
    frames: cell.config.frames, minCrop: cell.config.minCrop, numClasses: ds.numClasses, protocols: o.protocols, linearEpochs: o.linearEpochs, seed,
    cropStreams: o.cropStreams,
  });
  const streamsOf = (cell: Cell): Modality[] => (o.streams === 'all' ? cell.config.modalities : cell.config.modalities.filter((m) => (o.streams as Modality[]).includes(m)));

  for (const ds of o.datasets) {
    const d = file.datasets[ds.name] ??= { describe: ds.describe, normalize: ds.normalize, train: ds.train.size, test: ds.test.size, classes: ds.numClasses, rawNN: {} };
    if (d.normalize !== ds.normalize) throw new UserError(`${ds.name}: ${o.runDir} holds results on ${d.normalize}-normalised data, this study asks for ${ds.normalize}; use another --run folder`);
    // raw-joint 1-NN at every frame count a cell uses
    for (const T of new Set(o.cells.map((c) => c.config.frames))) {
      if (d.rawNN[T] !== undefined) continue;
      d.rawNN[T] = rawBaseline(ds.train, ds.test, T);
      log(`${ds.name}: raw-joint 1-NN at T ${T}: ${(100 * d.rawNN[T]).toFixed(1)}%`);
      save();
    }
    // encoder baselines, once per encoder shape and seed
    const shapes = new Map<string, Cell>();
    for (const c of o.cells) if (!shapes.has(encoderSignature(c.config))) shapes.set(encoderSignature(c.config), c);
    for (const [sig, cell] of shapes) {
      for (const seed of o.seeds) {
        let b = file.baselines.find((x) => x.dataset === ds.name && x.signature === sig && x.seed === seed);
        if (!b) { b = { dataset: ds.name, signature: sig, seed }; file.baselines.push(b); }
        if (!b.random) {
          b.random = await randomEncoderBaseline(cell.config, streamsOf(cell), ds.train, ds.test, ds.layout, seed, evalOpts(ds, cell, seed));
          log(`${ds.name} · random ${sig} · seed ${seed}: ${brief(b.random)}`);
          save();
        }
        if (o.supervised && !b.supervised && o.seeds.indexOf(seed) < (o.supervised.seeds ?? o.seeds.length)) {
          const t0 = performance.now();
          b.supervised = await supervisedBaseline(cell.config, 'joint', ds.train, ds.test, ds.layout, { epochs: o.supervised.epochs, lr: o.supervised.lr, seed, numClasses: ds.numClasses });
          b.supervisedSeconds = (performance.now() - t0) / 1000;
          log(`${ds.name} · supervised ${sig} · seed ${seed}: joint best ${(100 * b.supervised.best).toFixed(1)}% last ${(100 * b.supervised.last).toFixed(1)}%`);
          save();
        }
      }
    }
    // the cells
    for (const cell of o.cells) {
      for (const seed of o.seeds) {
        if (file.runs.some((r) => r.dataset === ds.name && r.cell === cell.id && r.seed === seed)) continue;
        const config = { ...cell.config, seed, normalize: ds.normalize };
        const dir = join(o.runDir, slug(ds.name), slug(cell.id), `seed${seed}`);
        log(`${ds.name} · ${cell.id} · seed ${seed}: pre-training → ${dir}`);
        const every = o.knnEvery ?? Math.max(1, Math.ceil(resolveEpochs(config, ds.train.size).epochs / 5));
        const monitor = every > 0 ? new KnnMonitor({ train: ds.train, test: ds.test, layout: ds.layout, every, streams: ['joint'] }) : undefined;
        const t0 = performance.now();
        const r = await pretrain(ds.train, config, { runDir: dir, quiet: true, maxSteps: o.maxSteps, datasetName: `study:${ds.name}`, monitor });
        const seconds = (performance.now() - t0) / 1000;
        try {
          if (r.interrupted) throw new UserError(`study interrupted during ${ds.name} · ${cell.id} · seed ${seed}; finished runs are in ${o.runDir}/study.json`, 130);
          const encs = Object.fromEntries(r.model.branches.filter((b) => streamsOf(cell).includes(b.modality)).map((b) => [b.modality, b.encoderQ]));
          const scores = await evaluateStreams(encs, ds.train, ds.test, ds.layout, evalOpts(ds, cell, seed));
          file.runs.push({
            dataset: ds.name, cell: cell.id, seed, overrides: cell.overrides, steps: r.state.step, epochs: r.state.epoch,
            pretrainSeconds: seconds, msPerStep: r.stepMs, lastLoss: r.losses.at(-1)?.terms,
            knnCurve: r.knn.map((k) => ({ epoch: k.epoch, knn1: Object.fromEntries(k.readings.map((x) => [x.stream, x.knn1])) })),
            scores,
          });
          log(`  ${(seconds / 60).toFixed(1)} min pre-training; ${brief(scores)}`);
          save();
        } finally {
          r.model.dispose();
        }
      }
    }
  }
  save();
  return file;
}

/** "joint crops 41.2/39.0 fixed 40.1/38.3 1-NN 35.0 · fusion crops 50.2/48.1" */
export function brief(s: EncoderScores): string {
  const p = (v: number) => (100 * v).toFixed(1);
  const parts = Object.entries(s.streams).map(([m, x]) =>
    `${m} ${Object.entries(x!.linear).map(([k, v]) => `${k} ${p(v!.best)}/${p(v!.last)}`).join(' ')} 1-NN ${p(x!.knn1)}`);
  const f = Object.entries(s.fusion).map(([k, v]) => `${k} ${p(v!.best)}/${p(v!.last)}`).join(' ');
  return parts.join(' · ') + (f ? ` · fusion ${f}` : '');
}
