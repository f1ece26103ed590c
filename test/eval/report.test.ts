import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport, renderReport, readRun, termOrder, downsample, epochMarks, SECTIONS } from '../../src/eval/report.js';
import { featureSample, decodeFeatureSample, type EvalRow } from '../../src/eval/suite.js';
import { confusionMatrix, topConfusions } from '../../src/eval/confusion.js';
import { pca } from '../../src/eval/pca.js';
import { niceTicks } from '../../src/eval/report-svg.js';
import { Rng } from '../../src/util/random.js';

const t = suite('eval/report');
const dirs: string[] = [];
t.after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'i2md-report-')); dirs.push(d); return d; };

/** Features of `classes` well-separated clusters in D dimensions, and their labels. */
function clusters(n: number, d: number, classes: number, seed = 1) {
  const rng = new Rng(seed);
  const features = new Float32Array(n * d), labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let j = 0; j < d; j++) features[i * d + j] = (j === labels[i] ? 5 : 0) + 0.3 * rng.normal();
  }
  return { features, labels, n, d };
}

/** A run folder as the main job leaves it: metrics, config, results with a detail row. */
function fakeRun(dir: string, { classes = 4, steps = 60 } = {}): void {
  const lines: string[] = [];
  for (let s = 1; s <= steps; s++) {
    const terms = { nce_joint: 8 / Math.sqrt(s), cluster_joint: 6 / Math.sqrt(s), imd_joint: 0.5, nce_motion: 7 / Math.sqrt(s), cmd: 0.3 + 1 / s };
    const total = Object.values(terms).reduce((a, b) => a + b, 0);
    lines.push(JSON.stringify({ step: s, epoch: Math.floor(s / 20), lr: s < 40 ? 0.05 : 0.005, total, ...terms }));
  }
  lines.push('{"step": 61, "tot');   // a line cut short by a crash
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
  const config = { modalities: ['joint', 'motion'], hidden: 4, hiddenDim: 8, epochs: 3, lr: 0.05, lrSteps: [2] };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  const test = clusters(40, 8, classes);
  const predictions = Array.from(test.labels, (y, i) => (i % 7 === 0 ? (y + 1) % classes : y));
  const rows: EvalRow[] = [
    { encoder: 'random init', stream: 'joint', linear: 0.3, linearLast: 0.25, knn1: 0.2, knn20: 0.22 },
    { encoder: 'I²MD', stream: 'joint', linear: 0.85, linearLast: 0.8, knn1: 0.7, knn20: 0.75, linearTop5: 1,
      detail: { history: [{ epoch: 5, top1: 0.5, top5: 0.9 }, { epoch: 10, top1: 0.85, top5: 1 }], labels: [...test.labels], predictions, sample: featureSample(test) } },
  ];
  const results = {
    adapter: { backend: 'opengles', featureLevel: 'compatibility', software: true, device: 'llvmpipe', description: 'Mesa', limits: { maxBufferSize: 1 << 30 }, features: [] },
    config, rows, classNames: ['wave <hand>', 'kick', 'sit down', 'jump'].slice(0, classes), seconds: 12.5,
    pretrain: { steps, msPerStep: 100, firstLoss: 20, lastLoss: 4 },
  };
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
}

t('k-NN monitor rows are read apart from the loss rows and drawn in their own section; window is not a term', () => {
  const dir = tmp();
  fakeRun(dir);
  const extra = [
    JSON.stringify({ step: 20, epoch: 1, lr: 0.05, window: 10, total: 3, id_joint: 0.4 }),
    JSON.stringify({ kind: 'knn', step: 20, epoch: 1, knn1_joint: 0.31, knn20_joint: 0.28 }),
    JSON.stringify({ kind: 'knn', step: 40, epoch: 2, knn1_joint: 0.42, knn20_joint: 0.37 }),
  ];
  writeFileSync(join(dir, 'metrics.jsonl'), readFileSync(join(dir, 'metrics.jsonl'), 'utf8') + extra.join('\n') + '\n');
  const run = readRun(dir);
  assert.equal(run.monitor.map((m) => m.knn1_joint), [0.31, 0.42]);
  assert.ok(run.metrics.every((m) => m.knn1_joint === undefined));
  assert.ok(!termOrder(run.metrics).includes('window'));
  assert.ok(termOrder(run.metrics).includes('id_joint'));
  const html = renderReport(run);
  assert.ok(html.includes('<section id="knn-monitor">'));
  assert.ok(!renderReport({ ...run, monitor: [] }).includes('knn-monitor'), 'no section without readings');
});

t('the report is one self-contained file with every section and no network reference', () => {
  const dir = tmp();
  fakeRun(dir);
  const path = writeReport(dir);
  assert.ok(existsSync(path));
  const html = readFileSync(path, 'utf8');
  for (const bad of ['http', '<script', '@import', 'url(', '<link', 'src=']) assert.not.ok(html.includes(bad), `report contains "${bad}"`);
  for (const s of SECTIONS) assert.ok(html.includes(`<section id="${s}">`), `section ${s}`);
  // one chart per loss term (total + 5 terms), the lr chart, the accuracy chart and bars, heat map, PCA and t-SNE scatters
  assert.is((html.match(/<svg /g) ?? []).length, 6 + 1 + 2 + 1 + 2);
  assert.ok(html.includes('<h2>Confusion matrix</h2>'));
  assert.is((html.match(/<circle /g) ?? []).length, 2 * 40, 'one PCA and one t-SNE point per stored test feature');
  assert.ok(html.includes('wave &lt;hand&gt;'), 'class names are escaped');
  assert.not.ok(html.includes('wave <hand>'));
  assert.ok(html.includes('1 unreadable lines skipped'));
  assert.ok(html.includes('llvmpipe'));
});

t('a run folder with only metrics still gets every section, saying what is missing', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'metrics.jsonl'), '{"step":1,"epoch":0,"lr":0.1,"total":3,"nce_joint":3}\n');
  const html = renderReport(readRun(dir));
  for (const s of SECTIONS) assert.ok(html.includes(`<section id="${s}">`), `section ${s}`);
  assert.ok(html.includes('No test predictions stored'));
  assert.ok(html.includes('No adapter recorded'));
});

t('loss terms are ordered total, per-modality families, then the rest', () => {
  const order = termOrder([{ step: 1, cmd: 1, imd_bone: 1, nce_bone: 1, total: 1, nce_joint: 1, cluster_joint: 1, lr: 1 }]);
  assert.equal(order, ['total', 'nce_joint', 'nce_bone', 'cluster_joint', 'imd_bone', 'cmd']);
});

t('downsampling keeps at most max points and their mean', () => {
  const pts = Array.from({ length: 1000 }, (_, i) => [i, i % 2] as [number, number]);
  const d = downsample(pts, 100);
  assert.is(d.length, 100);
  assert.ok(Math.abs(d[0][1] - 0.5) < 1e-9);
});

t('nice ticks are round numbers covering the range', () => {
  assert.equal(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(niceTicks(3, 47, 5), [10, 20, 30, 40]);
  assert.equal(niceTicks(3, 47, 4), [20, 40]);
});

t('confusion matrix: hand-counted example', () => {
  const m = confusionMatrix([0, 0, 1, 1, 1, 2], [0, 1, 1, 1, 0, 2]);
  assert.is(m.classes, 3);
  assert.equal([...m.counts], [1, 1, 0, 1, 2, 0, 0, 0, 1]);
  assert.equal(m.perClass, [0.5, 2 / 3, 1]);
  assert.is(m.accuracy, 4 / 6);
  assert.equal(topConfusions(m), [{ truth: 0, predicted: 1, count: 1 }, { truth: 1, predicted: 0, count: 1 }]);
});

t('PCA: a 2-D example with known axes, and determinism', () => {
  // points on the line y = x (variance along (1,1)/√2) plus a small orthogonal spread
  const x: number[] = [];
  for (let i = -5; i <= 5; i++) for (const e of [-0.1, 0.1]) x.push(i + e, i - e);
  const p = pca(x, x.length / 2, 2);
  const c = p.components[0];
  assert.ok(Math.abs(Math.abs(c[0]) - Math.SQRT1_2) < 1e-6 && Math.abs(c[0] - c[1]) < 1e-6, `first axis ${c}`);
  // variance along (1,1): Σ(√2 i)² / (n − 1) = 2·(2·110)/21; along (1,−1): (√2·0.1)²·22/21
  assert.ok(Math.abs(p.variances[0] - (2 * 220) / 21) < 1e-6, `λ1 ${p.variances[0]}`);
  assert.ok(Math.abs(p.variances[1] - (0.02 * 22) / 21) < 1e-6, `λ2 ${p.variances[1]}`);
  assert.ok(Math.abs(p.totalVariance - p.variances[0] - p.variances[1]) < 1e-9);
  assert.equal([...pca(x, x.length / 2, 2).projection], [...p.projection]);
});

t('PCA of separated clusters keeps the classes apart in 2-D', () => {
  const f = clusters(60, 6, 3, 7);
  const p = pca(f.features, f.n, f.d);
  const centre = [0, 1, 2].map((c) => {
    const rows = [...f.labels.keys()].filter((i) => f.labels[i] === c);
    return [0, 1].map((k) => rows.reduce((s, i) => s + p.projection[i * 2 + k], 0) / rows.length);
  });
  for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) assert.ok(Math.hypot(centre[a][0] - centre[b][0], centre[a][1] - centre[b][1]) > 3);
});

t('feature samples: at most 500 rows, exact round trip', () => {
  const f = clusters(700, 3, 5);
  const s = featureSample(f);
  assert.is(s.n, 500);
  const back = decodeFeatureSample(s);
  s.rows.forEach((r, i) => { for (let j = 0; j < 3; j++) assert.is(back[i * 3 + j], f.features[r * 3 + j]); assert.is(s.labels[i], f.labels[r]); });
  assert.equal(featureSample(f).rows, s.rows, 'the same rows every time');
});

t('epoch markers, the k-NN table, class names and provenance reach the report', () => {
  assert.equal(epochMarks([{ step: 1, epoch: 0 }, { step: 5, epoch: 0 }, { step: 10, epoch: 1 }, { step: 20, epoch: 2 }]), { steps: [10, 20], epochs: [1, 2] });
  const dir = tmp();
  writeFileSync(join(dir, 'metrics.jsonl'), [0, 1, 2, 3].map((s) => JSON.stringify({ step: s * 10 + 1, epoch: s, total: 5 - s })).join('\n'));
  writeFileSync(join(dir, 'provenance.json'), JSON.stringify({ sessions: [{ command: 'i2md pretrain --data x', version: '9.9.9', commit: 'abc', phases: { pretrain: 12.5 } }] }));
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ rows: [{ encoder: 'pre-trained', stream: 'joint', linear: null, linearLast: null, knn1: 0.5, knn20: 0.625 }], classNames: ['wave', 'clap'] }));
  const html = renderReport(readRun(dir));
  assert.match(html, 'stroke-dasharray="3 3"><title>epoch 1 starts');
  assert.match(html, '<section id="knn">');
  assert.match(html, '62.5');
  assert.match(html, 'i2md pretrain --data x');
  assert.match(html, 'pretrain 12.5 s');
});

t.run();