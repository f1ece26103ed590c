/**
 * The study: grid expansion (axes × cells, variants, block plans, errors), and a tiny grid run end
 * to end — every cell × seed and every baseline lands in study.json, the tables and plot are
 * written, and running it again resumes (nothing is measured twice).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from '../helpers/check.js';
import { presets, resolveEpochs, validateConfig, fitQueueToData } from '../../src/i2md/config.js';
import { expandGrid, parseAxis, parseBlocks, formatBlocks } from '../../src/study/grid.js';
import { runStudy, type StudyOptions } from '../../src/study/study.js';
import { writeStudyReport, summariseCells } from '../../src/study/report.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { SubsetDataset } from '../../src/data/dataset.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('study');
t.before(async () => { await engine(); });

t('grid: every combination of the axes, then the listed cells; ids name the overrides', () => {
  const cells = expandGrid({ preset: 'demo', base: { epochs: 3 }, axes: { variant: ['moco', 'i2md'], lr: [0.01, 0.05] }, cells: [{ variant: 'cmd', 'queue-size': 128 }] });
  assert.equal(cells.map((c) => c.id), ['variant=moco,lr=0.01', 'variant=moco,lr=0.05', 'variant=i2md,lr=0.01', 'variant=i2md,lr=0.05', 'variant=cmd,queue-size=128']);
  assert.equal(cells.map((c) => [c.config.cmd, c.config.imd]), [[false, false], [false, false], [true, true], [true, true], [true, false]]);
  assert.is(cells[1].config.lr, 0.05);
  assert.is(cells[4].config.queueSize, 128);
  for (const c of cells) assert.is(c.config.epochs, 3, 'the base applies to every cell');
  assert.equal(parseAxis('cmd-start=0,2'), ['cmd-start', [0, 2]]);
  assert.equal(parseAxis('corruptions=mask+shear,none'), ['corruptions', ['mask+shear', 'none']]);
  const c2 = expandGrid({ axes: { corruptions: ['mask+shear', 'none'] } });
  assert.equal(c2.map((c) => c.config.corruptions), [['mask', 'shear'], []]);
});

t('a step budget sets the epochs from the data size; without one the epochs stand', () => {
  const c = { ...presets.demo, batchSize: 16, epochs: 3 };
  assert.is(resolveEpochs({ ...c, steps: 600 }, 291).epochs, 34);   // 18 batches an epoch
  assert.is(resolveEpochs({ ...c, steps: 600 }, 894).epochs, 11);   // 55
  assert.is(resolveEpochs({ ...c, steps: 10 }, 894).epochs, 1);
  assert.is(resolveEpochs(c, 291).epochs, 3);
  assert.match(validateConfig({ ...c, steps: 2.5 }).join(), /--steps 2.5: expected a whole number/);
});

t('the queue is fitted to at most half the training set (top-k scaled alike); the presets validate', () => {
  const demo = { ...presets.demo };
  const msr = fitQueueToData(demo, 291);
  assert.is(msr.config.queueSize, 144);             // ⌊291 / 2 / 16⌋ · 16
  assert.is(msr.config.topk, 36);                   // 128 · 144 / 512
  assert.match(msr.note!, /--queue-size 512 is more than half of the 291 training sequences: using 144 \(top-k 128 → 36\)/);
  assert.equal(validateConfig(msr.config), []);
  assert.is(fitQueueToData(demo, 5000).config, demo, 'a queue that fits is left alone');
  assert.is(fitQueueToData(demo, 20).config, demo, 'no room for even one batch: left to the user');
  assert.equal(fitQueueToData(presets.paper, 40091).config.queueSize, 16384, 'the paper recipe on NTU-60 fits');
  for (const [name, c] of Object.entries(presets)) assert.equal(validateConfig(c), [], name);
  for (const n of [291, 466, 894]) assert.is(fitQueueToData(presets.cpu, n).config, presets.cpu, `cpu preset fits ${n} sequences`);
});

t('grid: block plans, encoders and the errors a grid file can make', () => {
  assert.equal(parseBlocks('16,32/2,64/2,128'), [[3, 16, 1], [16, 32, 2], [32, 64, 2], [64, 128, 1]]);
  assert.is(formatBlocks(parseBlocks('16,32/2,64')), '16,32/2,64');
  const [b] = expandGrid({ axes: { blocks: ['8,16/2'] } });
  assert.is(b.config.hiddenDim, 16);
  assert.is(expandGrid({ axes: { encoder: ['stgcn'] } })[0].config.hidden, presets.demo.hidden);
  const [sg, gr] = expandGrid({ preset: 'cpu-gru', axes: { encoder: ['stgcn', 'gru'] } });
  assert.equal([sg.config.encoder, gr.config.encoder, gr.config.gruHidden], ['stgcn', 'gru', presets['cpu-gru'].gruHidden]);
  const bad = (spec: Parameters<typeof expandGrid>[0], re: RegExp) => assert.throws(() => expandGrid(spec), (e: Error) => e instanceof UserError && re.test(e.message), String(re));
  bad({ axes: { encoder: ['lstm'] } }, /encoder 'lstm': this build has stgcn, gru/);
  bad({ axes: { variant: ['simclr'] } }, /variant 'simclr': expected moco, cmd, i2md/);
  bad({ axes: { learningRate: [0.1] } }, /grid axis 'learningRate': not a pre-training option/);
  bad({ axes: { 'queue-size': [100] } }, /grid cell queue-size=100: --queue-size \(100\) must be a multiple of --batch-size/);
  bad({ axes: { blocks: ['8,x'] } }, /blocks '8,x': expected output channels/);
  assert.throws(() => parseAxis('lr'), /--axis lr: expected NAME=v1,v2/);
});

t('a tiny study finishes, its JSON has every cell, seed and baseline, and a second run resumes without measuring again', async () => {
  const syn = generateSynthetic({ seed: 2, size: 48, T: 24 });
  const split = syn.splits.xview;
  const dir = mkdtempSync(join(tmpdir(), 'i2md-study-'));
  try {
    const base = { ...presets.demo, blocks: [[3, 4, 1], [4, 8, 2]] as [number, number, number][], dropout: 0, headDim: 8, frames: 8, minCrop: 8,
      queueSize: 16, topk: 4, kDna: 3, batchSize: 4, epochs: 1 };
    const grid = { axes: { variant: ['moco', 'i2md'] } };
    const lines: string[] = [];
    const opts: StudyOptions = {
      runDir: dir, grid, cells: expandGrid(grid, base), seeds: [1, 2], protocols: ['crops', 'fixed'], linearEpochs: 5, streams: 'all',
      datasets: [{ name: 'tiny', train: new SubsetDataset(syn.dataset, split.train), test: new SubsetDataset(syn.dataset, split.test),
        layout: getLayout('ntu25'), numClasses: syn.classNames.length, normalize: 'none', describe: 'tiny synthetic' }],
      supervised: { epochs: 2, lr: 0.1 }, knnEvery: 1, maxSteps: 3, log: (l) => lines.push(l), afterSave: (f) => writeStudyReport(dir, f),
    };
    const f = await runStudy(opts);
    assert.equal(f.runs.map((r) => `${r.cell}/${r.seed}`).sort(), ['variant=i2md/1', 'variant=i2md/2', 'variant=moco/1', 'variant=moco/2']);
    for (const r of f.runs) {
      for (const m of ['joint', 'motion', 'bone'] as const) {
        const s = r.scores.streams[m]!;
        assert.ok(s.linear.crops && s.linear.fixed && Number.isFinite(s.knn1), `${r.cell} ${m}`);
        assert.ok(s.linear.crops.best >= s.linear.crops.last);
      }
      assert.ok(r.scores.fusion.crops && r.scores.fusion.fixed, 'fusion under both protocols');
      assert.is(r.steps, 3);
    }
    assert.equal(f.baselines.map((b) => b.seed), [1, 2], 'one encoder shape: its baselines per seed');
    for (const b of f.baselines) assert.ok(b.random?.streams.joint && b.supervised && b.supervised.best >= b.supervised.last);
    assert.ok(Number.isFinite(f.datasets.tiny.rawNN[8]));
    const onDisk = JSON.parse(readFileSync(join(dir, 'study.json'), 'utf8'));
    assert.is(onDisk.runs.length, 4);
    const md = readFileSync(join(dir, 'study.md'), 'utf8');
    assert.match(md, /\| variant=moco \| 2 \|/);
    assert.match(md, /\| random encoder \(stgcn blocks 4,8\/2 T8 crop8 drop0\) \| 2 \|/);
    assert.match(md, /Raw-joint 1-NN/);
    assert.ok(existsSync(join(dir, 'study.svg')) && readFileSync(join(dir, 'study.svg'), 'utf8').startsWith('<svg'));
    assert.is(summariseCells(f, 'tiny').length, 2);
    // resume: the same study again measures nothing new
    lines.length = 0;
    const again = await runStudy(opts);
    assert.is(again.runs.length, 4);
    assert.equal(lines, [], `nothing re-run: ${lines.join(' | ')}`);
    // a new cell in the grid is the only thing measured
    const more = { axes: { variant: ['moco', 'i2md', 'cmd'] } };
    const third = await runStudy({ ...opts, grid: more, cells: expandGrid(more, base), seeds: [1] });
    assert.is(third.runs.length, 5);
    assert.equal(lines.filter((l) => l.includes('pre-training →')).map((l) => l.split(':')[0]), ['tiny · variant=cmd · seed 1']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
