/**
 * How a result was made, for results.json and the report: the command line as typed, the
 * package's name, version and git commit (when run from a checkout; "unknown" from an installed
 * package without .git), Node's version, the start time, and the wall time of each phase. A
 * reader can cite and repeat the run from it.
 */
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Provenance {
  command: string; package: string; version: string; commit: string; node: string; started: string;
  /** seconds per phase: pretrain, evaluation, linear … */
  phases: Record<string, number>;
}

/** The package root: the folder above dist/ (this file is dist/src/util/provenance.js). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return dir;
}

/** A shell-quoted command line: `i2md pretrain --data 'my data'`. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function provenance(started: Date, argv: readonly string[] = process.argv.slice(1)): Provenance {
  const root = packageRoot();
  let pkg: { name?: string; version?: string } = {};
  try { pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof pkg; } catch { /* not found: unknown below */ }
  const git = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  const dirty = git.status === 0 ? spawnSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).stdout.trim() !== '' : false;
  const [bin, ...rest] = argv;
  return {
    command: commandLine([(bin ?? 'train.js').split(/[\\/]/).pop() ?? 'train.js', ...rest]),
    package: pkg.name ?? 'unknown', version: pkg.version ?? 'unknown',
    commit: git.status === 0 ? `${git.stdout.trim()}${dirty ? ' (with uncommitted changes)' : ''}` : 'unknown',
    node: process.version, started: started.toISOString(), phases: {},
  };
}
