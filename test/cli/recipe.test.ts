import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/util/errors.js';
import { presets } from '../../src/i2md/config.js';
import { configFromArgs, recipeFlags } from '../../src/cli/pretrain-options.js';
import { typedFlags, readConfigFile, applyConfigFile, resumeConfig, refuseExistingRun, presetValues, describeConfig, kebabConfig } from '../../src/cli/recipe.js';

const t = suite('cli/recipe');
let dir = '';
t.before(() => { dir = mkdtempSync(join(tmpdir(), 'i2md-recipe-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

const userError = (f: () => unknown, text: string | RegExp) => {
  try { f(); assert.unreachable(); } catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, text); }
};

t('typedFlags: the options on the command line, kebab-case, --no-x as x', () => {
  assert.equal([...typedFlags(['--epochs', '2', '--lr=0.1', '--no-cmd', '--hiddenDim', '8', 'x', '--', '--seed'])].sort(), ['cmd', 'epochs', 'hidden-dim', 'lr']);
});

t('a --config file (JSON or flat YAML) with the flags\' names; unknown keys and run locations refused', () => {
  const json = join(dir, 'r.json'), yaml = join(dir, 'r.yaml');
  writeFileSync(json, JSON.stringify({ preset: 'cpu', epochs: 7, 'lr-steps': [3, 5], modalities: ['joint', 'bone'], cmd: false }));
  writeFileSync(yaml, 'preset: cpu   # a comment\nepochs: 7\nlr-steps: [3, 5]\nmodalities: [joint, bone]\ncmd: false\n');
  const want = { preset: 'cpu', epochs: 7, 'lr-steps': '3,5', modalities: 'joint,bone', cmd: false };
  assert.equal(readConfigFile(json, recipeFlags), want);
  assert.equal(readConfigFile(yaml, recipeFlags), want);
  writeFileSync(json, JSON.stringify({ epohcs: 7 }));
  userError(() => readConfigFile(json, recipeFlags), /r\.json: unknown key "epohcs"/);
  writeFileSync(json, JSON.stringify({ run: 'x' }));
  userError(() => readConfigFile(json, recipeFlags), 'not part of a recipe');
  writeFileSync(yaml, 'augment:\n  crop: 1\n');
  userError(() => readConfigFile(yaml, recipeFlags), 'line 1');
  userError(() => readConfigFile(join(dir, 'none.json'), recipeFlags), 'no such file');
});

t('flags win over the file, the file over the preset; each field says where it came from', () => {
  const file = join(dir, 'p.json');
  writeFileSync(file, JSON.stringify({ preset: 'cpu', epochs: 7, lr: 0.3 }));
  const r = applyConfigFile({ preset: 'demo', config: file, lr: 0.5 }, ['--config', file, '--lr', '0.5'], recipeFlags);
  const c = configFromArgs(r.args);
  assert.is(c.epochs, 7);
  assert.is(c.lr, 0.5);
  assert.is(c.hidden, presets.cpu.hidden, 'the preset named in the file');
  assert.is(r.provenance('lr', c), 'flag');
  assert.is(r.provenance('epochs', c), 'config file');
  assert.is(r.provenance('hidden', c), 'preset cpu');
  const text = describeConfig(c, (k) => r.provenance(k, c));
  assert.match(text, /^ {2}epochs +7 +config file$/m);
  assert.match(text, /^ {2}lr +0\.5 +flag$/m);
  // the run's config.json (kebab-case) is a valid --config file: the recipe repeats
  writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(kebabConfig(presets.cpu)).filter(([k]) => k !== 'blocks'))));
  const again = configFromArgs(applyConfigFile({ preset: 'demo', config: file }, ['--config', file], recipeFlags).args);
  assert.equal({ ...again, cmd: presets.cpu.cmd }, presets.cpu);
});

t('--resume: a longer run under the step schedule is applied; anything else that changes the recipe is refused, naming it', () => {
  const saved = { ...presets.cpu, epochs: 4, lrSchedule: 'step' as const };
  const r = resumeConfig(saved, { ...saved, epochs: 9 }, ['epochs'], 4, 'RUN');
  assert.is(r.config.epochs, 9);
  assert.match(r.notes[0], 'continues to epoch 9');
  assert.is(resumeConfig(saved, saved, ['epochs', 'lr'], 2, 'RUN').config.epochs, 4, 'the same values change nothing');
  userError(() => resumeConfig(saved, { ...saved, lr: 0.9 }, ['lr'], 2, 'RUN'), /--lr 0\.9 \(the run has 0\.\d+\)/);
  userError(() => resumeConfig(saved, { ...saved, epochs: 2 }, ['epochs'], 3, 'RUN'), 'done 3 epochs');
  userError(() => resumeConfig({ ...saved, lrSchedule: 'cosine' }, { ...saved, lrSchedule: 'cosine', epochs: 9 }, ['epochs'], 2, 'RUN'), 'cosine');
});

t('--run refuses a folder that holds a run; an empty or new folder is fine', () => {
  refuseExistingRun(join(dir, 'new'));
  mkdirSync(join(dir, 'empty'));
  refuseExistingRun(join(dir, 'empty'));
  mkdirSync(join(dir, 'old'));
  writeFileSync(join(dir, 'old', 'metrics.jsonl'), '');
  userError(() => refuseExistingRun(join(dir, 'old')), /already holds a run \(metrics\.jsonl\); continue it with --resume/);
});

t('--help lists each preset\'s value of a field', () => {
  const s = presetValues('hidden');
  assert.match(s, `demo ${presets.demo.hidden}`);
  assert.match(s, `cpu ${presets.cpu.hidden}`);
});

t.run();
