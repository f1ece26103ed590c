/**
 * A real kill -9 between the steps of a checkpoint commit (I2MD_CHECKPOINT_FAULT makes the
 * process SIGKILL itself right after a stage): the run folder always resumes, from the previous
 * commit before the manifest's rename and from the new one after it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../helpers/shared-data.js';
import { readTrainState } from '../../src/i2md/checkpoint.js';

const t = suite('integration/checkpoint-kill');
const dist = (p: string) => pathToFileURL(join(projectRoot, 'dist', p)).href;

/** Runs pre-training in a child process to `steps` (resuming when asked); returns how it ended. */
function child(dir: string, steps: number, resume: boolean, fault?: string): { status: number | null; signal: string | null; stderr: string } {
  const script = `
    import { initEngine } from '${dist('src/tensor/index.js')}';
    import { pretrain } from '${dist('src/i2md/pretrain.js')}';
    import { generateSynthetic } from '${dist('src/skeleton/synthetic/generate.js')}';
    import { tiny } from '${dist('test/helpers/i2md.js')}';
    await initEngine();
    const data = generateSynthetic({ seed: 3, size: 24, T: 16 }).dataset;
    const r = await pretrain(data, tiny, { runDir: ${JSON.stringify(dir)}, logEvery: 1, maxSteps: ${steps}, quiet: true, resume: ${resume} });
    process.stdout.write(String(r.state.step));
    process.exit(0);`;
  const env = { ...process.env };
  if (fault) env.I2MD_CHECKPOINT_FAULT = fault; else delete env.I2MD_CHECKPOINT_FAULT;
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env, timeout: 120000 });
  return { status: p.status, signal: p.signal, stderr: p.stderr };
}

t('kill -9 after each commit stage: the folder resumes from a matching checkpoint', () => {
  for (const [stage, expected] of [['state', 2], ['manifest', 4]] as const) {
    const dir = mkdtempSync(join(tmpdir(), `i2md-kill-${stage}-`));
    try {
      const first = child(dir, 2, false);
      assert.is(first.status, 0, first.stderr);
      const killed = child(dir, 4, true, stage);
      assert.is(killed.signal, 'SIGKILL', `the fault after '${stage}' did not fire: ${killed.status} ${killed.stderr}`);
      assert.is(readTrainState(dir).step, expected, `after a kill at '${stage}'`);
      const again = child(dir, 6, true);
      assert.is(again.status, 0, `resume after a kill at '${stage}': ${again.stderr}`);
      assert.is(readTrainState(dir).step, 6);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }
});

t.run();
