/**
 * The study's tables and plot, rebuilt from study.json: per dataset, the baselines and every cell
 * (mean ± sample std over its seeds) as Markdown — RUN/study.md — and one self-contained SVG —
 * RUN/study.svg — of the joint stream's linear top-1 per cell against the baselines.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { meanStd } from '../eval/finetune.js';
import type { StudyFile, RunRecord, BaselineRecord } from './study.js';
import type { BestLast } from './evaluate.js';
import type { LinearProtocolName } from '../eval/protocol.js';
import { plotDataset } from './plot.js';

export type Stat = { mean: number; std: number; n: number };
export const stat = (xs: number[]): Stat => meanStd(xs.filter((x) => Number.isFinite(x)));
/** "41.2 ± 3.1" in %, one value without ±, – when empty. */
export const pm = (s: Stat): string => (s.n === 0 ? '–' : s.n === 1 ? (100 * s.mean).toFixed(1) : `${(100 * s.mean).toFixed(1)} ± ${(100 * s.std).toFixed(1)}`);

const PROTOCOL_NAME: Record<LinearProtocolName, string> = { crops: 'linear-crops (official)', fixed: 'linear-fixed+std' };

export interface CellSummary {
  cell: string; seeds: number; signature: string;
  joint: Partial<Record<LinearProtocolName, { best: Stat; last: Stat }>>;
  knn1: Stat; fusion: Partial<Record<LinearProtocolName, { best: Stat; last: Stat }>>;
  bestStream: Partial<Record<LinearProtocolName, Stat>>;   // the best single stream's best top-1 (for "fusion beats every stream")
  minutes: Stat; steps: number;
}

const bl = (xs: (BestLast | undefined)[]) => ({ best: stat(xs.map((x) => x?.best ?? NaN)), last: stat(xs.map((x) => x?.last ?? NaN)) });

export function summariseCells(f: StudyFile, dataset: string): CellSummary[] {
  const out: CellSummary[] = [];
  for (const c of f.cells) {
    const runs = f.runs.filter((r) => r.dataset === dataset && r.cell === c.id);
    if (runs.length === 0) continue;
    const joint: CellSummary['joint'] = {}, fusion: CellSummary['fusion'] = {}, bestStream: CellSummary['bestStream'] = {};
    for (const p of f.settings.protocols) {
      joint[p] = bl(runs.map((r) => r.scores.streams.joint?.linear[p]));
      fusion[p] = bl(runs.map((r) => r.scores.fusion[p]));
      bestStream[p] = stat(runs.map((r) => Math.max(...Object.values(r.scores.streams).map((s) => s!.linear[p]?.best ?? NaN))));
    }
    out.push({
      cell: c.id, seeds: runs.length, signature: c.signature, joint, fusion, bestStream,
      knn1: stat(runs.map((r) => r.scores.streams.joint?.knn1 ?? NaN)), minutes: stat(runs.map((r) => r.pretrainSeconds / 60)), steps: runs[0].steps,
    });
  }
  return out;
}

export interface BaselineSummary { signature: string; seeds: number; random: Partial<Record<LinearProtocolName, { best: Stat; last: Stat }>>; randomKnn1: Stat;
  randomFusion: Partial<Record<LinearProtocolName, { best: Stat; last: Stat }>>; supervised?: { best: Stat; last: Stat } }

export function summariseBaselines(f: StudyFile, dataset: string): BaselineSummary[] {
  const sigs = [...new Set(f.baselines.filter((b) => b.dataset === dataset).map((b) => b.signature))];
  return sigs.map((signature) => {
    const bs: BaselineRecord[] = f.baselines.filter((b) => b.dataset === dataset && b.signature === signature && b.random);
    const random: BaselineSummary['random'] = {}, randomFusion: BaselineSummary['randomFusion'] = {};
    for (const p of f.settings.protocols) {
      random[p] = bl(bs.map((b) => b.random!.streams.joint?.linear[p]));
      randomFusion[p] = bl(bs.map((b) => b.random!.fusion[p]));
    }
    const sup = f.baselines.filter((b) => b.dataset === dataset && b.signature === signature && b.supervised);
    return { signature, seeds: bs.length, random, randomFusion, randomKnn1: stat(bs.map((b) => b.random!.streams.joint?.knn1 ?? NaN)),
      supervised: sup.length ? bl(sup.map((b) => b.supervised)) : undefined };
  });
}

export function studyMarkdown(f: StudyFile): string {
  const lines: string[] = ['# Study', ''];
  const a = f.adapter as { name?: string; description?: string } | undefined;
  lines.push(`Updated ${f.updated}${a?.name ? ` · adapter ${a.name}` : ''} · seeds ${f.settings.seeds.join(', ')} · linear ${f.settings.linearEpochs} epochs` +
    `${f.settings.supervised ? ` · supervised ${f.settings.supervised.epochs} epochs, lr ${f.settings.supervised.lr}` : ''}.`);
  if (f.command) lines.push('', '```', f.command, '```');
  lines.push('', 'Accuracies are top-1 % on the test split, mean ± sample std over seeds; linear "best" is the best of the',
    'test evaluations (every 5 epochs), "last" the final classifier. k-NN: 1-NN by cosine on centre crops (0.95).',
    'Fusion: the streams\' softmax outputs averaged, scored like a stream.');
  for (const [name, d] of Object.entries(f.datasets)) {
    lines.push('', `## ${name}`, '', `${d.describe}; normalisation ${d.normalize}; ${d.train} training / ${d.test} test sequences, ${d.classes} classes.`, '');
    lines.push(`Raw-joint 1-NN (Euclidean, centre crop resized to T): ${Object.entries(d.rawNN).map(([T, v]) => `T ${T}: **${(100 * v).toFixed(1)}**`).join(', ')}.`, '');
    const protos = f.settings.protocols;
    const head = ['row', 'seeds', ...protos.flatMap((p) => [`joint ${PROTOCOL_NAME[p]} best`, 'last']), 'joint 1-NN', ...protos.map((p) => `fusion ${p} best / last`), 'pre-training'];
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const b of summariseBaselines(f, name)) {
      lines.push(`| random encoder (${b.signature}) | ${b.seeds} | ${protos.flatMap((p) => [pm(b.random[p]!.best), pm(b.random[p]!.last)]).join(' | ')} | ${pm(b.randomKnn1)} | ` +
        `${protos.map((p) => `${pm(b.randomFusion[p]!.best)} / ${pm(b.randomFusion[p]!.last)}`).join(' | ')} | – |`);
      if (b.supervised) lines.push(`| supervised (${b.signature}), fine-tuned with labels | ${b.supervised.best.n} | ${protos.flatMap((p, i) => (i === 0 ? [pm(b.supervised!.best), pm(b.supervised!.last)] : ['', ''])).join(' | ')} | – | ${protos.map(() => '–').join(' | ')} | – |`);
    }
    for (const c of summariseCells(f, name)) {
      lines.push(`| ${c.cell} | ${c.seeds} | ${protos.flatMap((p) => [pm(c.joint[p]!.best), pm(c.joint[p]!.last)]).join(' | ')} | ${pm(c.knn1)} | ` +
        `${protos.map((p) => `${pm(c.fusion[p]!.best)} / ${pm(c.fusion[p]!.last)}`).join(' | ')} | ${c.steps} steps, ${c.minutes.mean.toFixed(1)} min |`);
    }
  }
  lines.push('', '![study](study.svg)', '');
  return lines.join('\n');
}

export function writeStudyReport(runDir: string, f: StudyFile): void {
  writeFileAtomic(join(runDir, 'study.md'), studyMarkdown(f));
  const plots = Object.keys(f.datasets).map((name) => plotDataset(name, f.datasets[name].rawNN, summariseCells(f, name), summariseBaselines(f, name), f.settings.protocols[0]));
  const W = 760, H = plots.reduce((a, p) => a + p.height, 0);
  let y = 0;
  const body = plots.map((p) => { const g = `<g transform="translate(0 ${y})">${p.svg}</g>`; y += p.height; return g; }).join('');
  writeFileAtomic(join(runDir, 'study.svg'), `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${Math.max(H, 40)}" width="${W}" height="${Math.max(H, 40)}" font-family="sans-serif" font-size="11">${body}</svg>\n`);
}

export type { RunRecord };
