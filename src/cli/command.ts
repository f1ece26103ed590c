import { UserError } from '../util/errors.js';
import type { Argv } from 'yargs';

/**
 * One subcommand of `node dist/train.js`. Each lives in its own file under src/cli and is
 * loaded only when run, so `info` does not pay for the training code.
 */
export interface Command {
  name: string;           // yargs command string, e.g. 'embed' or 'compare <a> <b>'
  describe: string;
  options(y: Argv): Argv;
  run(args: Record<string, unknown>): Promise<void>;
}

/** Edit distance of two short words (for "did you mean"). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The first word, when it is not an option, must be a command: the main job takes no positional
 * argument, so without this check a typo (`lienar`) would start nothing useful or fail with
 * yargs' "Unknown argument". Says the nearest command names instead.
 */
export function checkCommandName(argv: string[], names: string[]): void {
  const word = argv[0];
  if (word === undefined || word.startsWith('-') || names.includes(word)) return;
  const near = names.map((n) => ({ n, d: distance(word, n) })).filter((x) => x.d <= Math.max(2, Math.floor(word.length / 3))).sort((a, b) => a.d - b.d);
  throw new UserError(`unknown command "${word}"${near.length ? `; did you mean ${near.slice(0, 2).map((x) => `"${x.n}"`).join(' or ')}?` : ''} (commands: ${names.join(', ')}; --help lists them)`);
}

/** The name the user typed: `i2md` when installed (npm's bin link), `train.js` from a checkout. */
export function scriptName(argv1: string | undefined): string {
  const base = (argv1 ?? '').split(/[\\/]/).pop() ?? '';
  return base && !/^train\.js$/.test(base) && !base.endsWith('.js') ? base : 'train.js';
}
