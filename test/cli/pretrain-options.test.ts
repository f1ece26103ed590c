/** Every bad pre-training option is refused before any work, one line naming the option. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { configFromArgs } from '../../src/cli/pretrain-options.js';
import { UserError } from '../../src/util/errors.js';
import { projectRoot } from '../helpers/shared-data.js';

const t = suite('cli/pretrain-options');

t('bad values of the config options: each refused naming its option', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ 'batch-size': -8 }, /^--batch-size -8: expected a whole number/],
    [{ 'batch-size': 0.5 }, /^--batch-size 0\.5:/],
    [{ 'batch-size': 1e9 }, /^--batch-size 1000000000:/],
    [{ topk: 1.5 }, /^--topk 1\.5:/],
    [{ frames: 0 }, /^--frames 0:/],
    [{ hidden: 0 }, /^--hidden 0:/],
    [{ 'hidden-dim': -4 }, /^--hidden-dim -4:/],
    [{ dropout: 1.5 }, /^--dropout 1\.5:/],
    [{ epochs: 0 }, /^--epochs 0:/],
    [{ epochs: -1 }, /^--epochs -1:/],
    [{ lr: -1 }, /^--lr -1:/],
    [{ 'lr-steps': 'a,b' }, /^--lr-steps a,b:/],
    [{ seed: -1 }, /^--seed -1:/],
    [{ 'queue-size': 100, 'batch-size': 64 }, /--queue-size \(100\) must be a multiple of --batch-size \(64\)/],
    [{ 'queue-size': 64, 'batch-size': 64, topk: 65 }, /^--topk 65: must be at most --queue-size \(64\)/],
  ];
  for (const [args, re] of cases) {
    assert.throws(() => configFromArgs(args), (e: Error) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'), JSON.stringify(args));
  }
  for (const preset of ['demo', 'cpu', 'paper', 'cmd-paper', 'stgcn-paper', 'cpu-gru']) configFromArgs({ preset });   // every preset passes
});

t('the command line: bad command options exit 1 with one line naming the option, before any work', () => {
  const cases: [string[], RegExp][] = [
    [['pretrain', '--max-steps', '-1'], /--max-steps -1:/],
    [['pretrain', '--log-every', '0'], /--log-every 0:/],
    [['pretrain', '--batch-size', '0.5'], /--batch-size 0\.5:/],
    [['pretrain', '--run', '/proc/i2md-x'], /\/proc\/i2md-x: --run cannot be under \/proc/],
    [['prepare', '--input', '.', '--out', 'x', '--frames', '1e9'], /--frames 1000000000:/],
    [['prepare', '--input', '.', '--out', '/sys/x'], /\/sys\/x: --out cannot be under \/sys/],
    [['prepare', '--input', '.', '--out', '/tmp/i2md-never', '--missing', '/nonexistent/list.txt'], /--missing \/nonexistent\/list\.txt: no such file/],
  ];
  for (const [argv, re] of cases) {
    const p = spawnSync(process.execPath, [join(projectRoot, 'dist', 'train.js'), ...argv], { encoding: 'utf8', timeout: 30000 });
    assert.is(p.status, 1, `${argv.join(' ')}: exit ${p.status}\n${p.stderr}`);
    const lines = p.stderr.trim().split('\n').filter((l) => !l.startsWith('Warning:'));
    assert.is(lines.length, 1, `${argv.join(' ')}: ${p.stderr}`);
    assert.match(lines[0], re, argv.join(' '));
  }
});

t.run();
