/**
 * One name per concept across the commands: `--batch-size` (never `--batch`), `--lr-steps` for the
 * epochs at which the learning rate drops (`--milestones` only as an alias), `--benchmark` for a
 * dataset's split with xview as every default; the old names keep working as aliases.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import yargs from 'yargs';
import type { Command } from '../../src/cli/command.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';

const t = suite('integration/naming');
const names = ['main', 'pretrain', 'embed', 'export', 'predict', 'linear', 'knn', 'finetune', 'transfer', 'ablate', 'study', 'synth', 'init', 'prepare', 'inspect'];

async function optionsOf(name: string): Promise<{ keys: string[]; aliases: Record<string, string[]>; defaults: Record<string, unknown> }> {
  const cmd = (await import(`../../src/cli/${name}.js`)).default as Command;
  const y = cmd.options(yargs([]));
  const o = (y as unknown as { getOptions(): unknown }).getOptions() as { key: Record<string, unknown>; alias: Record<string, string[]>; default: Record<string, unknown> };
  return { keys: Object.keys(o.key), aliases: o.alias, defaults: o.default };
}

t('no command spells a shared concept its own way', async () => {
  for (const name of names) {
    const { keys, aliases, defaults } = await optionsOf(name);
    const primary = keys.filter((k) => !Object.values(aliases).some((a) => a.includes(k)) || k in aliases);
    assert.not.ok(primary.includes('batch') && !keys.includes('batch-size'), `${name}: --batch instead of --batch-size`);
    assert.not.ok(primary.includes('milestones') && !keys.includes('lr-steps'), `${name}: --milestones instead of --lr-steps`);
    assert.not.ok(primary.includes('input') && !keys.includes('data'), `${name}: --input instead of --data`);
    if (keys.includes('split') && !keys.includes('benchmark')) assert.equal(defaults.split === undefined || ['all'].includes(defaults.split as string), true, `${name}: --split for a benchmark`);
    if (defaults.benchmark !== undefined) assert.is(defaults.benchmark, 'xview', `${name}: default benchmark`);
  }
});

t('the old spellings still parse, as aliases', async () => {
  const embed = await optionsOf('embed');
  assert.ok(embed.aliases['batch-size']?.includes('batch'));
  const linear = await optionsOf('linear');
  assert.ok(linear.aliases['lr-steps']?.includes('milestones'));
});

t('--help wraps between words (the ESM yargs cut "features" into "featu" / "res")', async () => {
  for (const args of [['--help'], ['linear', '--help'], ['pretrain', '--help']]) {
    const r = spawnSync(process.execPath, [join(projectRoot, 'dist', 'train.js'), ...args], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const name of ['info', 'linear', 'pretrain']) {
      if (args[0] !== '--help') continue;
      const cmd = (await import(`../../src/cli/${name}.js`)).default as Command;
      assert.ok(text.includes(cmd.describe), `${name}'s description whole in --help`);
    }
    if (args[0] === 'linear') assert.match(text, 'save the trained classifier with its encoder(s) and class names to this .safetensors');
    if (args[0] === 'pretrain') assert.match(text, /--hidden ST-GCN hidden channels h \[cmd-paper 16 · paper 16 ·/, 'preset values in --help');
  }
});

t.run();
