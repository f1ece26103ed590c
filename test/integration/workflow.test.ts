/**
 * The researcher's way from a checkpoint to predictions through the command line itself:
 * linear --out and finetune --out save classifier files, predict reads them (.npy of joints or a
 * dataset; --out .json / .npy), and mistakes end in one line naming the option, exit code 1.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn } from '../helpers/check.js';
import { projectRoot } from '../helpers/shared-data.js';
import { writeNpy } from '../helpers/npy.js';
import { initEncoder } from '../../src/cli/init.js';
import { NpyFile } from '../../src/data/npy.js';
import { tinyRun } from '../helpers/runs.js';
import { writeSynthetic } from '../../src/cli/synth.js';

const t = suite('integration/workflow');
let dir = '';
t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-workflow-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

function cli(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(projectRoot, 'dist', 'train.js'), ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const ok = (r: ReturnType<typeof cli>, what: string) => assert.is(r.status, 0, `${what}:\n${r.stdout}\n${r.stderr}`);
const data = ['--synthetic', '--size', '90', '--batch-size', '16'];

t('linear --out → predict: top-k per sequence with class names, .json and .npy outputs; the classifier is never replaced', async () => {
  const enc = join(dir, 'enc.safetensors');
  await initEncoder({ out: enc, hidden: 4, hiddenDim: 12, headDim: 6, seed: 5 });
  const cls = join(dir, 'linear.safetensors');
  const lin = cli('linear', '--checkpoint', enc, ...data, '--epochs', '3', '--eval-every', '3', '--protocol', 'fixed', '--frames', '12', '--out', cls);
  ok(lin, 'linear --out');
  assert.match(lin.stderr, 'frames: 12 (--frames)');
  assert.ok(existsSync(cls));
  const again = cli('linear', '--checkpoint', enc, ...data, '--epochs', '1', '--out', cls);
  assert.is(again.status, 1);
  assert.match(again.stderr, /^error: --out .*already exists/m);
  assert.not.match(again.stderr, /\n\s+at /, 'no stack trace');

  const shape = [4, 3, 12, 25, 2];
  const x = join(dir, 'x.npy');
  writeNpy(x, '<f4', shape, Float32Array.from(randn(shape.reduce((a, b) => a * b, 1), 2)));
  const printed = cli('predict', '--checkpoint', cls, '--data', x, '--top-k', '2');
  ok(printed, 'predict');
  const lines = printed.stdout.trim().split('\n');
  assert.is(lines.length, 4);
  assert.match(lines[0], /^0\t\S.* [\d.]+%\t.* [\d.]+%$/);
  assert.not.match(printed.stdout, 'class 0', 'class names, not numbers');
  ok(cli('predict', '--checkpoint', cls, '--data', x, '--out', 'p.json'), 'predict --out json');
  const json = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { classes: string[]; predictions: { top: { name: string; probability: number }[] }[] };
  assert.is(json.predictions.length, 4);
  assert.is(json.predictions[0].top.length, 5);
  assert.ok(json.classes.includes(json.predictions[0].top[0].name));
  ok(cli('predict', '--checkpoint', cls, '--data', x, '--out', 'p.npy'), 'predict --out npy');
  const p = NpyFile.open(join(dir, 'p.npy'));
  assert.equal(p.shape, [4, json.classes.length]);
  const probs = p.readAll() as Float32Array;
  p.close();
  const rowSum = probs.subarray(0, json.classes.length).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(rowSum - 1) < 1e-4, `row sums to ${rowSum}`);
  // a dataset path: every sequence of the split, centre-cropped to the classifier's frames; accuracy against its labels
  writeSynthetic(join(dir, 'set'), { seed: 4, size: 60, split: 'xview' });
  const onSet = cli('predict', '--checkpoint', cls, '--data', 'set', '--split', 'test', '--top-k', '1');
  ok(onSet, 'predict on a dataset');
  assert.match(onSet.stderr, 'frames: 12 (the classifier\'s)');
  assert.match(onSet.stderr, /top-1 against the dataset's labels: [\d.]+% of \d+/);
  const bad = cli('predict', '--checkpoint', enc, '--data', x);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^error: .*enc\.safetensors: not a classifier file/m);
});

t('finetune --out saves the fine-tuned encoder and head; predict reads it', async () => {
  const enc = join(dir, 'enc2.safetensors');
  await initEncoder({ out: enc, hidden: 4, hiddenDim: 12, headDim: 6, seed: 6 });
  const cls = join(dir, 'ft.safetensors');
  ok(cli('finetune', '--checkpoint', enc, ...data, '--epochs', '1', '--frames', '12', '--out', cls), 'finetune --out');
  const shape = [2, 3, 12, 25, 2];
  writeNpy(join(dir, 'y.npy'), '<f4', shape, Float32Array.from(randn(shape.reduce((a, b) => a * b, 1), 3)));
  const r = cli('predict', '--checkpoint', cls, '--data', 'y.npy', '--top-k', '1');
  ok(r, 'predict of a fine-tuned classifier');
  assert.is(r.stdout.trim().split('\n').length, 2);
});

t('knn --report adds the k-NN results to RUN/results.json with its provenance, and the report shows them', async () => {
  const run = join(dir, 'run');
  await tinyRun(run, 'stgcn');
  const r = cli('knn', '--checkpoint', run, ...data, '--modality', 'joint', '--report');
  ok(r, 'knn --report');
  assert.match(r.stderr, 'frames: 8 (pre-trained with');
  const res = JSON.parse(readFileSync(join(run, 'results.json'), 'utf8')) as { rows: { stream: string; knn1: number }[]; evaluations: { command: string }[]; classNames: string[] };
  assert.ok(Number.isFinite(res.rows.find((x) => x.stream === 'joint')!.knn1));
  assert.match(res.evaluations[0].command, 'knn --checkpoint');
  assert.ok(res.classNames.length > 0);
  assert.match(readFileSync(join(run, 'report.html'), 'utf8'), '<section id="knn">');
});

t('an unknown command says the nearest one, in one line', () => {
  const r = cli('lienar');
  assert.is(r.status, 1);
  assert.match(r.stderr, /^error: unknown command "lienar"; did you mean "linear"/);
});

t.run();
