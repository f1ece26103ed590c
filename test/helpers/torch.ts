/**
 * The PyTorch checks' link to Python: Debian's `python3-torch` lives in the system interpreter
 * (a pyenv or venv python on PATH usually lacks it), so the checks call /usr/bin/python3 and are
 * skipped with a note where it cannot import torch and numpy.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from './shared-data.js';

export const python = '/usr/bin/python3';
export const hasTorch = spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0;
export const torchSkipNote = `  (skipped: ${python} cannot import torch and numpy; install Debian's python3-torch to run the PyTorch checks)`;

/** Runs scripts/<script> (e.g. 'torch/gru_check.py') at low priority; its stdout, trimmed, or an error with both streams. */
export function runPython(script: string, ...args: string[]): string {
  const r = spawnSync('nice', ['-n', '5', python, join(projectRoot, 'scripts', ...script.split('/')), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}
