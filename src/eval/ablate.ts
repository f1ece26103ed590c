/**
 * The ablation of I²MD's parts (issue 7): with the same budget, data and seeds, pre-train
 *   MoCo     — instance contrast per stream only (no CMD, no IMD),
 *   +CMD     — plus cross-modal distillation,
 *   I²MD     — plus intra-modal distillation with the cluster branch (and DNA as configured),
 * evaluate each (linear and k-NN per stream, the joint stream by default) on every benchmark
 * split the data has, and report mean ± std over the seeds as one Markdown table. Each split
 * pre-trains on its own training set, as the protocol of each benchmark requires.
 */
import { host } from '../gpu/host.js';
import type { SkeletonDataset } from '../data/dataset.js';
import { pretrain } from '../i2md/pretrain.js';
import type { Modality, PretrainConfig } from '../i2md/config.js';
import { getLayout } from '../skeleton/layouts.js';
import { UserError } from '../util/errors.js';
import { evaluateEncoders } from './suite.js';
import { meanStd } from './finetune.js';

export interface Variant { name: string; config: PretrainConfig; note?: string }

/** The three variants of one base config: everything but the switched-off terms is shared. */
export function ablationVariants(base: PretrainConfig): Variant[] {
  const multi = base.modalities.length >= 2;
  const out: Variant[] = [{ name: 'MoCo', config: { ...base, cmd: false, imd: false } }];
  if (multi) out.push({ name: '+CMD', config: { ...base, cmd: true, imd: false } });
  out.push({ name: 'I²MD', config: { ...base, cmd: multi, imd: true }, note: multi ? undefined : 'one modality: no CMD' });
  return out;
}

export interface Split { name: string; train: SkeletonDataset; test: SkeletonDataset }

export interface AblationRun {
  variant: string; benchmark: string; seed: number; stream: string;
  linear: number; linearLast: number; knn1?: number; knn20?: number;
  steps: number; msPerStep: number; lastLoss?: number;
}
type Stat = { mean: number; std: number; n: number };
export interface AblationRow { variant: string; benchmark: string; stream: string; seeds: number; linear: Stat; knn1: Stat; knn20: Stat }

/** mean ± std over seeds of each (variant, benchmark, stream), in first-seen order. */
export function summarise(runs: AblationRun[]): AblationRow[] {
  const groups = new Map<string, AblationRun[]>();
  for (const r of runs) {
    const key = `${r.variant}\u0000${r.benchmark}\u0000${r.stream}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(r);
  }
  return [...groups.values()].map((g) => ({
    variant: g[0].variant, benchmark: g[0].benchmark, stream: g[0].stream, seeds: g.length,
    linear: meanStd(g.map((r) => r.linear)),
    knn1: meanStd(g.filter((r) => r.knn1 !== undefined).map((r) => r.knn1!)),
    knn20: meanStd(g.filter((r) => r.knn20 !== undefined).map((r) => r.knn20!)),
  }));
}

const pm = (s: Stat) => (s.n === 0 || !Number.isFinite(s.mean) ? '–' : s.n > 1 ? `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}` : (100 * s.mean).toFixed(1));

/** The Markdown table (accuracies in %, mean ± sample std over seeds). */
export function ablationMarkdown(rows: AblationRow[], heading = ''): string {
  const lines = heading ? [heading, ''] : [];
  lines.push('| variant | benchmark | stream | seeds | linear top-1 | 1-NN | 20-NN |', '|---|---|---|---|---|---|---|');
  for (const r of rows) lines.push(`| ${r.variant} | ${r.benchmark} | ${r.stream} | ${r.seeds} | ${pm(r.linear)} | ${pm(r.knn1)} | ${pm(r.knn20)} |`);
  return lines.join('\n') + '\n';
}

export interface AblationOptions {
  splits: Split[];
  base: PretrainConfig;
  seeds: number;                    // seeds base.seed, base.seed + 1, …
  runDir: string;
  numClasses: number;
  linearEpochs?: number;
  streams?: Modality[] | 'all';     // evaluated streams (default joint, or the first modality)
  maxSteps?: number;                // cap on pre-training steps per run (tests)
  quiet?: boolean;
  log?: (line: string) => void;
  describe?: string;                // what the data is, for the heading
}

export interface AblationResult { runs: AblationRun[]; rows: AblationRow[]; markdown: string }

export async function runAblation(o: AblationOptions): Promise<AblationResult> {
  const variants = ablationVariants(o.base);
  const runs: AblationRun[] = [];
  const log = o.log ?? (() => undefined);
  const heading = `## Ablation: ${variants.map((v) => v.name).join(' / ')}` +
    `\n\n${o.describe ? `${o.describe}; ` : ''}${o.seeds > 1 ? `seeds ${o.base.seed}…${o.base.seed + o.seeds - 1}` : `seed ${o.base.seed}`}, ` +
    `${o.base.epochs} epochs, batch ${o.base.batchSize}${o.maxSteps ? `, at most ${o.maxSteps} steps` : ''}, modalities ${o.base.modalities.join('+')}; ` +
    `linear-fixed+std (precomputed centre-crop features, standardised; best top-1 of the evaluations, ${o.linearEpochs ?? 80} epochs) and k-NN (centre crops) on frozen features, %, mean ± std over seeds.` +
    variants.filter((v) => v.note).map((v) => `\n${v.name}: ${v.note}.`).join('');
  const save = (rows: AblationRow[], markdown: string) => {
    host.files.writeAtomic(host.path.join(o.runDir, 'ablation.md'), markdown);
    host.files.writeAtomic(host.path.join(o.runDir, 'ablation.json'), JSON.stringify({ variants: variants.map((v) => ({ name: v.name, config: v.config })), runs, rows, markdown }, null, 1));
  };
  for (const split of o.splits) {
    const layout = getLayout(split.train.layout);
    for (const v of variants) {
      const streams = o.streams === 'all' ? v.config.modalities
        : o.streams ?? [v.config.modalities.includes('joint') ? 'joint' : v.config.modalities[0]];
      for (let k = 0; k < o.seeds; k++) {
        const config = { ...v.config, seed: o.base.seed + k };
        const dir = host.path.join(o.runDir, split.name, slug(v.name), `seed${config.seed}`);
        log(`${split.name} · ${v.name} · seed ${config.seed}: pre-training → ${dir}`);
        const r = await pretrain(split.train, config, { runDir: dir, quiet: o.quiet, maxSteps: o.maxSteps, datasetName: `ablation:${split.name}` });
        if (r.interrupted) {
          // SIGINT/SIGTERM stops the whole ablation: the runs so far are already in the table
          r.model.dispose();
          throw new UserError(`ablation interrupted during ${split.name} · ${v.name} · seed ${config.seed}; finished runs are in ${o.runDir}`, 130);
        }
        try {
          const encoders = Object.fromEntries(r.model.branches.filter((b) => streams.includes(b.modality)).map((b) => [b.modality, b.encoderQ]));
          const rows = await evaluateEncoders(v.name, encoders, split.train, split.test, layout,
            { frames: config.frames, linearEpochs: o.linearEpochs, numClasses: o.numClasses });
          for (const row of rows) {
            if (row.stream.includes('fusion')) continue;
            runs.push({
              variant: v.name, benchmark: split.name, seed: config.seed, stream: row.stream, linear: row.linear, linearLast: row.linearLast,
              knn1: row.knn1, knn20: row.knn20, steps: r.state.step, msPerStep: r.stepMs, lastLoss: r.losses.at(-1)?.terms.total,
            });
            log(`  ${row.stream}: linear ${(100 * row.linear).toFixed(1)}%, 1-NN ${(100 * (row.knn1 ?? NaN)).toFixed(1)}%, 20-NN ${(100 * (row.knn20 ?? NaN)).toFixed(1)}%`);
          }
        } finally {
          r.model.dispose();
        }
        const rows = summarise(runs);
        save(rows, ablationMarkdown(rows, heading));   // after every run, so a long ablation keeps what it has
      }
    }
  }
  const rows = summarise(runs);
  const markdown = ablationMarkdown(rows, heading);
  save(rows, markdown);
  return { runs, rows, markdown };
}

function slug(name: string): string {
  return name.replace('²', '2').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'variant';
}
