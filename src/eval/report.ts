/**
 * The training report: one self-contained RUN_DIR/report.html (inline CSS, inline SVG drawn by
 * report-svg.ts, no script, no font, no external reference of any kind) built from what a run
 * folder holds — metrics.jsonl (loss terms and lr per logged step), config.json, checkpoint.json,
 * results.json (evaluation rows; with an EvalDetail the linear history, test predictions and a
 * feature sample; the adapter) and ablation.json when present. A missing file leaves its section
 * saying so rather than failing, so the report works on a run that is still training.
 */
import { host } from '../gpu/host.js';
import { UserError } from '../util/errors.js';
import type { EvalRow } from './suite.js';
import { decodeFeatureSample } from './suite.js';
import { confusionMatrix, topConfusions } from './confusion.js';
import { pca } from './pca.js';
import { tsne } from './tsne.js';
import { lineChart, scatterChart, heatmap, esc, colorOf, type Series } from './report-svg.js';
import { CSS, table, section, pct } from './report-html.js';

export interface MetricRow { step: number; epoch?: number; lr?: number; [term: string]: number | undefined }

export interface RunData {
  dir: string;
  metrics: MetricRow[];
  /** the k-NN monitor's readings (`{kind: 'knn'}` rows of metrics.jsonl) */
  monitor: MetricRow[];
  badMetricLines: number;
  config?: Record<string, unknown>;
  checkpoint?: Record<string, unknown>;
  results?: Record<string, unknown> & { rows?: EvalRow[]; adapter?: Record<string, unknown>; classNames?: string[] };
  ablation?: { markdown?: string; rows?: unknown[] };
  /** provenance.json's sessions (pretrain, each resume) */
  provenance?: Record<string, unknown>[];
}

/** The first logged step of each epoch after the first: where the loss charts draw a boundary. */
export function epochMarks(metrics: MetricRow[]): { steps: number[]; epochs: number[] } {
  const steps: number[] = [], epochs: number[] = [];
  for (let i = 1; i < metrics.length; i++) {
    const e = metrics[i].epoch, p = metrics[i - 1].epoch;
    if (typeof e === 'number' && typeof p === 'number' && e > p) { steps.push(metrics[i].step); epochs.push(e); }
  }
  return { steps, epochs };
}

export const SECTIONS = ['summary', 'losses', 'learning-rate', 'accuracy', 'confusion', 'pca', 'tsne', 'provenance', 'configuration', 'adapter'] as const;

function readJson(path: string): Record<string, unknown> | undefined {
  if (!host.files.exists(path)) return undefined;
  try { return JSON.parse(host.files.readText(path)) as Record<string, unknown>; } catch { return undefined; }
}

export function readRun(dir: string): RunData {
  if (!host.files.exists(dir)) throw new UserError(`${dir}: no such run folder`);
  const metrics: MetricRow[] = [], monitor: MetricRow[] = [];
  let bad = 0;
  const mpath = host.path.join(dir, 'metrics.jsonl');
  if (host.files.exists(mpath)) {
    for (const line of host.files.readText(mpath).split('\n')) {
      if (!line.trim()) continue;
      try {
        const o = JSON.parse(line) as MetricRow & { kind?: string };
        if (typeof o.step !== 'number') bad++;
        else if (o.kind === 'knn') monitor.push(o);
        else metrics.push(o);
      } catch { bad++; }   // a line cut short by a crash: skip it, count it
    }
  }
  const results = readJson(host.path.join(dir, 'results.json')) as RunData['results'];
  const config = readJson(host.path.join(dir, 'config.json')) ?? (results?.config as Record<string, unknown> | undefined);
  return {
    dir, metrics, monitor, badMetricLines: bad, config, results,
    checkpoint: readJson(host.path.join(dir, 'checkpoint.json')), ablation: readJson(host.path.join(dir, 'ablation.json')) as RunData['ablation'],
    provenance: (readJson(host.path.join(dir, 'provenance.json'))?.sessions as Record<string, unknown>[] | undefined),
  };
}

/** Term names in a stable, readable order: total, then per modality nce/cluster/imd, then the rest. */
export function termOrder(metrics: MetricRow[]): string[] {
  const skip = new Set(['step', 'epoch', 'lr', 'window', 'samples_per_s', 'wall_s']);   // rates and clocks, not loss terms
  const names = new Set<string>();
  for (const m of metrics) for (const k of Object.keys(m)) if (!skip.has(k) && typeof m[k] === 'number') names.add(k);
  const rank = (n: string) => {
    if (n === 'total') return [0, ''];
    const mod = ['joint', 'motion', 'bone'].findIndex((x) => n.endsWith(`_${x}`));
    const fam = ['nce', 'cluster', 'imd'].findIndex((f) => n.startsWith(`${f}_`));
    return mod >= 0 && fam >= 0 ? [1 + fam * 3 + mod, n] : [20, n];
  };
  return [...names].sort((a, b) => { const [ra, na] = rank(a), [rb, nb] = rank(b); return (ra as number) - (rb as number) || String(na).localeCompare(String(nb)); });
}

/** At most `max` points: bucket means, so a long run's curve stays a small SVG. */
export function downsample(points: [number, number][], max = 400): [number, number][] {
  if (points.length <= max) return points;
  const per = points.length / max, out: [number, number][] = [];
  for (let b = 0; b < max; b++) {
    const chunk = points.slice(Math.floor(b * per), Math.floor((b + 1) * per));
    out.push([chunk.reduce((s, p) => s + p[0], 0) / chunk.length, chunk.reduce((s, p) => s + p[1], 0) / chunk.length]);
  }
  return out;
}

const series = (metrics: MetricRow[], key: string): [number, number][] =>
  downsample(metrics.filter((m) => typeof m[key] === 'number').map((m) => [m.step, m[key] as number]));

function pickDetailRow(rows: EvalRow[] | undefined): EvalRow | undefined {
  const withDetail = (rows ?? []).filter((r) => r.detail);
  return withDetail.find((r) => r.encoder !== 'random init') ?? withDetail[0];
}

export function renderReport(run: RunData, generated = new Date()): string {
  const r = run.results, rows = r?.rows ?? [], names = r?.classNames ?? [];
  const className = (c: number) => (names[c] ? `${c} ${names[c]}` : `class ${c}`);
  const parts: string[] = [];

  // summary
  const pre = r?.pretrain as Record<string, number> | undefined;
  const ck = run.checkpoint as Record<string, unknown> | undefined;
  const data = r?.data as Record<string, unknown> | undefined;
  const lastM = run.metrics.at(-1);
  const summary: [string, string][] = [
    ['run folder', run.dir],
    ['dataset', data ? Object.entries(data).map(([k, v]) => `${k} ${v}`).join(', ') : String(ck?.dataset ?? '–')],
    ['steps logged', run.metrics.length ? `${run.metrics.length} (last step ${lastM!.step}, epoch ${lastM!.epoch ?? '–'})` : 'none'],
    ['checkpoint', ck ? `step ${ck.step}, epoch ${ck.epoch}` : 'none'],
  ];
  if (pre) summary.push(['pre-training', `${pre.steps} steps, ${Number(pre.msPerStep).toFixed(0)} ms/step, loss ${Number(pre.firstLoss).toFixed(3)}${pre.firstLossStep ? ` (step ${pre.firstLossStep}, once the queue had filled)` : ''} → ${Number(pre.lastLoss).toFixed(3)}`]);
  if (typeof r?.seconds === 'number') summary.push(['wall time', `${(r.seconds as number).toFixed(0)} s`]);
  if (run.badMetricLines) summary.push(['metrics.jsonl', `${run.badMetricLines} unreadable lines skipped`]);
  const headline = rows.map((x) => [x.encoder, x.stream, pct(x.linear), pct(x.linearLast), pct(x.linearTop5), pct(x.knn1), pct(x.knn20)]);
  parts.push(section('summary', 'Summary', table(['', ''], summary) +
    (rows.length ? `<h3>Evaluation</h3>${table(['encoder', 'stream', 'linear top-1 (best)', 'linear top-1 (last)', 'top-5', '1-NN', '20-NN'], headline)}` : '<p class="muted">No evaluation results (results.json) in this run folder.</p>')));

  // losses
  const terms = termOrder(run.metrics);
  const marks = epochMarks(run.metrics);
  parts.push(section('losses', 'Loss curves', terms.length
    ? `<p class="muted">Dashed lines: epoch boundaries. The InfoNCE terms rise at first while the queue fills (real keys replace the random initial ones): compare losses only after the first queue-size samples.</p>` +
      `<div class="grid">${terms.map((t, i) => lineChart([{ name: t, points: series(run.metrics, t), color: t === 'total' ? '#222' : colorOf(i) }], { title: t, xLabel: 'step', width: 360, height: 210, xMarks: marks.steps, markLabel: (k) => `epoch ${marks.epochs[k]} starts` })).join('')}</div>`
    : '<p class="muted">No metrics.jsonl (or no logged step) in this run folder.</p>'));
  if (run.monitor.length) {
    const keys = [...new Set(run.monitor.flatMap((m) => Object.keys(m).filter((k) => k.startsWith('knn'))))].sort();
    parts.push(section('knn-monitor', 'k-NN monitor (test split, during pre-training)',
      lineChart(keys.map((k, i) => ({ name: k, points: run.monitor.filter((m) => typeof m[k] === 'number').map((m) => [m.step, m[k] as number] as [number, number]), color: colorOf(i) })),
        { xLabel: 'step', yLabel: 'top-1', percent: true, width: 560, height: 240 })));
  }

  // k-NN results of `knn --report`
  const knnRows = rows.filter((x) => Number.isFinite(x.knn1) || Number.isFinite(x.knn20));
  if (knnRows.length) parts.push(section('knn', 'k-NN evaluation', table(['encoder', 'stream', '1-NN', '20-NN'], knnRows.map((x) => [x.encoder, x.stream, pct(x.knn1), pct(x.knn20)]))));

  // learning rate
  const lr = series(run.metrics, 'lr');
  parts.push(section('learning-rate', 'Learning rate', lr.length ? lineChart([{ name: 'lr', points: lr, color: '#555' }], { xLabel: 'step', yLabel: 'lr', width: 520, height: 200 }) : '<p class="muted">No learning rate logged.</p>'));

  // accuracy over evaluations
  const det = pickDetailRow(rows);
  let acc = '';
  if (det?.detail?.history.length) {
    const h = det.detail.history;
    const s: Series[] = [
      { name: 'top-1', points: h.map((e) => [e.epoch, e.top1]), color: colorOf(0) },
      { name: 'top-5', points: h.map((e) => [e.epoch, e.top5]), color: colorOf(2) },
    ];
    acc += lineChart(s, { title: `linear evaluation, ${det.encoder} ${det.stream} stream`, xLabel: 'classifier epoch', yLabel: 'test accuracy', percent: true, yMin: 0, yMax: 1, width: 520, height: 260 });
  }
  const bars = rows.filter((x) => Number.isFinite(x.linear));
  if (bars.length) acc += '<h3>Linear top-1 (best) per encoder and stream</h3>' + barChart(bars.map((x) => ({ label: `${x.encoder} · ${x.stream}`, value: x.linear })));
  parts.push(section('accuracy', 'Accuracy', acc || '<p class="muted">No linear evaluation history (results.json rows with a detail).</p>'));

  // confusion matrix
  if (det?.detail) {
    const cm = confusionMatrix(det.detail.labels, det.detail.predictions, names.length || undefined);
    const norm = new Float64Array(cm.classes * cm.classes);
    for (let y = 0; y < cm.classes; y++) {
      let rs = 0;
      for (let p = 0; p < cm.classes; p++) rs += cm.counts[y * cm.classes + p];
      for (let p = 0; p < cm.classes; p++) norm[y * cm.classes + p] = rs ? cm.counts[y * cm.classes + p] / rs : 0;
    }
    const tip = (y: number, p: number) => `true ${className(y)} → predicted ${className(p)}: ${cm.counts[y * cm.classes + p]} (${(100 * norm[y * cm.classes + p]).toFixed(1)}% of the class)`;
    const worst = topConfusions(cm, 8).map((c) => [className(c.truth), className(c.predicted), String(c.count)]);
    const perClass = cm.perClass.map((v, c) => [className(c), Number.isNaN(v) ? '–' : pct(v)]);
    parts.push(section('confusion', 'Confusion matrix',
      `<p>${esc(det.encoder)}, ${esc(det.stream)} stream, linear classifier on ${det.detail.labels.length} test samples: accuracy ${pct(cm.accuracy)}%. Rows: true class; columns: predicted class; shade: share of the row (blue: correct).</p>` +
      `<div class="grid">${heatmap(norm, cm.classes, cm.classes, { tip, rowLabel: 'true class', colLabel: 'predicted class' })}` +
      `<div>${worst.length ? `<h3>Most confused</h3>${table(['true', 'predicted', 'count'], worst)}` : ''}<h3>Per-class accuracy</h3>${table(['class', 'top-1'], perClass)}</div></div>`));
  } else parts.push(section('confusion', 'Confusion matrix', '<p class="muted">No test predictions stored (results.json rows with a detail).</p>'));

  // PCA of test features
  if (det?.detail?.sample?.n) {
    const s = det.detail.sample;
    const x = decodeFeatureSample(s);
    const p = pca(x, s.n, s.d, { k: 2 });
    const points = Array.from({ length: s.n }, (_, i) => ({ x: p.projection[i * 2], y: p.projection[i * 2 + 1] ?? 0, group: s.labels[i], tip: `${className(s.labels[i])} (test row ${s.rows[i]})` }));
    const explained = p.variances.map((v) => (p.totalVariance > 0 ? (100 * v) / p.totalVariance : 0));
    const present = [...new Set(s.labels)].sort((a, b) => a - b);
    const legend = present.length <= 60 ? `<ul class="legend">${present.map((c) => `<li><span class="swatch" style="background:${colorOf(c)}"></span>${esc(className(c))}</li>`).join('')}</ul>` : '';
    parts.push(section('pca', 'Feature space (PCA)',
      `<p>${s.n} test features (D = ${s.d}) of the ${esc(det.encoder)} ${esc(det.stream)} encoder projected on their first two principal components (${explained.map((e) => `${e.toFixed(1)}%`).join(' + ')} of the variance), coloured by class.</p>` +
      `<div class="grid">${scatterChart(points, { xLabel: 'PC 1', yLabel: 'PC 2' })}${legend}</div>`));
  } else parts.push(section('pca', 'Feature space (PCA)', '<p class="muted">No feature sample stored (results.json rows with a detail).</p>'));

  // t-SNE of the same sample: the papers' picture (local neighbourhoods, not global distances)
  if (det?.detail?.sample && det.detail.sample.n >= 5) {
    const s = det.detail.sample;
    const y = tsne(decodeFeatureSample(s), s.n, s.d, { seed: 0 });
    const points = Array.from({ length: s.n }, (_, i) => ({ x: y[2 * i], y: y[2 * i + 1], group: s.labels[i], tip: `${className(s.labels[i])} (test row ${s.rows[i]})` }));
    parts.push(section('tsne', 'Feature space (t-SNE)',
      `<p>The same ${s.n} test features embedded by t-SNE (perplexity ${Math.min(30, Math.floor((s.n - 1) / 3))}, 500 iterations, seed 0): neighbours in the plot are neighbours in feature space; distances between clusters and their sizes mean little.</p>` +
      scatterChart(points, { xLabel: 't-SNE 1', yLabel: 't-SNE 2' })));
  } else parts.push(section('tsne', 'Feature space (t-SNE)', '<p class="muted">No feature sample stored (results.json rows with a detail).</p>'));

  // provenance: how the run and its evaluations were made
  const provs = [...(run.provenance ?? []), ...(r?.provenance ? [r.provenance as Record<string, unknown>] : []), ...((r?.evaluations as Record<string, unknown>[] | undefined) ?? [])];
  parts.push(section('provenance', 'Provenance', provs.length
    ? provs.map((p) => table(['', ''], Object.entries(p).filter(([k]) => k !== 'config' && k !== 'adapter')
      .map(([k, v]) => [k, k === 'phases' ? Object.entries(v as Record<string, number>).map(([n, sec]) => `${n} ${Number(sec).toFixed(1)} s`).join(', ') : String(v)]))).join('')
    : '<p class="muted">No provenance recorded (provenance.json, results.json).</p>'));

  // configuration
  const cfg = run.config;
  parts.push(section('configuration', 'Configuration', cfg ? table(['setting', 'value'], Object.entries(cfg).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])) : '<p class="muted">No config.json.</p>'));

  // adapter
  const ad = r?.adapter;
  if (ad) {
    const lim = (ad.limits ?? {}) as Record<string, number>;
    const keys = ['maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize', 'maxBufferSize'];
    const entries: [string, string][] = Object.entries(ad).filter(([k]) => k !== 'limits').map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') || '–' : String(v)]);
    for (const k of keys) if (k in lim) entries.push([k, String(lim[k])]);
    parts.push(section('adapter', 'GPU adapter', table(['', ''], entries)));
  } else parts.push(section('adapter', 'GPU adapter', '<p class="muted">No adapter recorded (results.json).</p>'));

  if (run.ablation?.markdown) parts.push(section('ablation', 'Ablation', `<pre>${esc(run.ablation.markdown)}</pre>`));

  const title = `I²MD run report — ${run.dir}`;
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><header><h1>${esc(title)}</h1>` +
    `<p class="muted">generated ${esc(generated.toISOString())} · ${SECTIONS.map((s) => `<a href="#${s}">${s}</a>`).join(' · ')}</p></header>` +
    `<main>${parts.join('\n')}</main></body></html>\n`;
}

/** Horizontal bars of top-1 accuracies, one per evaluation row. */
function barChart(items: { label: string; value: number }[]): string {
  const W = 560, rowH = 18, left = 200, H = items.length * rowH + 24;
  let body = '';
  items.forEach((it, i) => {
    const y = 8 + i * rowH, w = Math.max(0, Math.min(1, it.value)) * (W - left - 50);
    body += `<text x="${left - 6}" y="${y + 12}" text-anchor="end" class="tick">${esc(it.label)}</text>` +
      `<rect x="${left}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 5}" fill="${it.label.startsWith('random') ? '#aaa' : colorOf(0)}"/>` +
      `<text x="${(left + w + 4).toFixed(1)}" y="${y + 12}" class="tick">${pct(it.value)}%</text>`;
  });
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="linear top-1 per row" class="chart">${body}</svg>`;
}

/** Builds RUN_DIR/report.html from the run folder; returns its path. */
export function writeReport(dir: string): string {
  const path = host.path.join(dir, 'report.html');
  host.files.writeAtomic(path, renderReport(readRun(dir)));
  return path;
}
