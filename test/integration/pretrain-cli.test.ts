/**
 * `pretrain` through the command line, on a tiny prepared synthetic set: no silent traps — an
 * existing run is not overwritten, --resume applies --epochs or refuses recipe changes, the
 * effective config is printed with its provenance, --config files feed the recipe.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';
import { writeSynthetic } from '../../src/cli/synth.js';

const t = suite('integration/pretrain-cli');
let dir = '';
t.before(() => { dir = mkdtempSync(join(tmpdir(), 'i2md-pretrain-cli-')); writeSynthetic(join(dir, 'data'), { seed: 2, size: 40, split: 'xview' }); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'dist', 'train.js'), ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const small = ['--hidden', '2', '--hidden-dim', '8', '--head-dim', '8', '--frames', '8', '--min-crop', '8', '--queue-size', '16', '--topk', '4',
  '--k-dna', '3', '--batch-size', '4', '--modalities', 'joint', '--knn-every', '0', '--lr-steps', ''];

t('a run, then: --run on it refused; --resume --epochs continues; --resume --lr refused; the config printed with provenance', () => {
  writeFileSync(join(dir, 'recipe.json'), JSON.stringify({ epochs: 1, lr: 0.05 }));
  const first = cli('pretrain', '--data', 'data', '--run', 'run', '--config', 'recipe.json', '--max-steps', '2', ...small);
  assert.is(first.status, 0, first.stderr);
  assert.match(first.stderr, /^ {2}epochs +1 +config file$/m);
  assert.match(first.stderr, /^ {2}hidden +2 +flag$/m);
  assert.match(first.stderr, /^ {2}tau +0\.07 +preset demo$/m);
  const cfg = JSON.parse(readFileSync(join(dir, 'run', 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.is(cfg['hidden-dim'], 8, 'config.json has the flags\' kebab-case names');
  const prov = JSON.parse(readFileSync(join(dir, 'run', 'provenance.json'), 'utf8')) as { sessions: { command: string; version: string; phases: { pretrain?: number }; config: Record<string, unknown> }[] };
  assert.match(prov.sessions[0].command, 'pretrain --data data --run run --config recipe.json');
  assert.ok((prov.sessions[0].phases.pretrain ?? 0) > 0, 'wall time of the phase');
  assert.is(prov.sessions[0].config.epochs, 1);
  assert.match(readFileSync(join(dir, 'run', 'metrics.csv'), 'utf8'), /^step,epoch,/);
  const before = statSync(join(dir, 'run', 'checkpoint.json')).mtimeMs;

  const again = cli('pretrain', '--data', 'data', '--run', 'run', '--epochs', '1', ...small);
  assert.is(again.status, 1);
  assert.match(again.stderr, /^error: --run run: already holds a run .*--resume run/m);
  assert.is(statSync(join(dir, 'run', 'checkpoint.json')).mtimeMs, before, 'untouched');

  const lr = cli('pretrain', '--resume', 'run', '--lr', '0.9');
  assert.is(lr.status, 1);
  assert.match(lr.stderr, /^error: --resume run: .*--lr 0\.9 \(the run has 0\.05\)/m);

  const more = cli('pretrain', '--resume', 'run', '--epochs', '2', '--max-steps', '3');
  assert.is(more.status, 0, more.stderr);
  assert.match(more.stderr, 'continues to epoch 2');
  const state = JSON.parse(readFileSync(join(dir, 'run', 'checkpoint.json'), 'utf8')) as { step: number; config: { epochs: number } };
  assert.is(state.step, 3);
  assert.is(state.config.epochs, 2, 'the checkpoint keeps the longer recipe');
  // metrics rows carry the rate and the run's wall clock, which a resumed session continues
  const rows = readFileSync(join(dir, 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; samples_per_s?: number; wall_s?: number });
  assert.ok(rows.every((r) => (r.samples_per_s ?? 0) > 0 && (r.wall_s ?? -1) >= 0), 'samples_per_s and wall_s on every row');
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i].wall_s! >= rows[i - 1].wall_s!, `wall_s runs on at row ${i}`);
});

t.run();
