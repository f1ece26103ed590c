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
