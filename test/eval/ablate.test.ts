import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ablationVariants, summarise, ablationMarkdown, type AblationRun } from '../../src/eval/ablate.js';
import { presets, validateConfig } from '../../src/i2md/config.js';

const t = suite('eval/ablate');

t('three variants share everything but the switched-off terms', () => {
  const base = { ...presets.demo, epochs: 2, seed: 4 };
  const v = ablationVariants(base);
  assert.equal(v.map((x) => x.name), ['MoCo', '+CMD', 'I²MD']);
  assert.equal(v.map((x) => [x.config.cmd, x.config.imd]), [[false, false], [true, false], [true, true]]);
  for (const x of v) {
    assert.equal(validateConfig(x.config), [], x.name);
    const { cmd, imd, ...rest } = x.config;
    const { cmd: _c, imd: _i, ...baseRest } = base;
    assert.equal(rest, baseRest, `${x.name}: same budget, seed and sizes`);
  }
});

t('one modality: no +CMD variant and I²MD without CMD', () => {
  const v = ablationVariants({ ...presets.demo, modalities: ['joint'], cmd: false });
  assert.equal(v.map((x) => x.name), ['MoCo', 'I²MD']);
  assert.is(v[1].config.cmd, false);
  assert.ok(v[1].note);
  for (const x of v) assert.equal(validateConfig(x.config), []);
});

t('mean ± std over seeds per variant, benchmark and stream, as one Markdown table', () => {
  const run = (variant: string, benchmark: string, seed: number, linear: number, knn1: number): AblationRun =>
    ({ variant, benchmark, seed, stream: 'joint', linear, linearLast: linear, knn1, knn20: knn1, steps: 2, msPerStep: 1 });
  const runs = [
    run('MoCo', 'xsub', 1, 0.5, 0.4), run('MoCo', 'xsub', 2, 0.7, 0.6),
    run('I²MD', 'xsub', 1, 0.8, 0.7), run('I²MD', 'xsub', 2, 0.8, 0.9),
    run('MoCo', 'xview', 1, 0.6, 0.5),
  ];
  const rows = summarise(runs);
  assert.is(rows.length, 3);
  assert.equal(rows.map((r) => `${r.variant}/${r.benchmark}/${r.seeds}`), ['MoCo/xsub/2', 'I²MD/xsub/2', 'MoCo/xview/1']);
  assert.ok(Math.abs(rows[0].linear.mean - 0.6) < 1e-12);
  assert.ok(Math.abs(rows[0].linear.std - Math.SQRT2 * 0.1) < 1e-12);
  assert.is(rows[1].linear.std, 0);
  const md = ablationMarkdown(rows, '## Ablation');
  const lines = md.trim().split('\n');
  assert.is(lines[0], '## Ablation');
  assert.is(lines[2], '| variant | benchmark | stream | seeds | linear top-1 | 1-NN | 20-NN |');
  assert.is(lines[4], '| MoCo | xsub | joint | 2 | 60.0 ± 14.1 | 50.0 ± 14.1 | 50.0 ± 14.1 |');
  assert.is(lines[5], '| I²MD | xsub | joint | 2 | 80.0 ± 0.0 | 80.0 ± 14.1 | 80.0 ± 14.1 |');
  assert.is(lines[6], '| MoCo | xview | joint | 1 | 60.0 | 50.0 | 50.0 |', 'one seed: no ± part');
});

t.run();
