/** `prepare`: convert a dataset into the prepared folder the trainer reads. */
import type { Command } from './command.js';
import { numberOption, rules } from '../util/options.js';
import { checkOutputPath } from '../util/atomic.js';
import { FORMATS, type DataFormat } from '../data/open.js';
import { prepareDataset } from '../data/prepare.js';
import { normalizeOption, normalizeArg, skipBadArg } from './eval-common.js';

const command: Command = {
  name: 'prepare',
  describe: 'convert NTU .skeleton / .npy / .npz / PYSKL .pkl / PKU-MMD / NW-UCLA / MSR / GTU data into the prepared format',
  options: (y) => normalizeOption(y)
    .option('format', { type: 'string', choices: [...FORMATS], default: 'auto', describe: 'input format' })
    .option('data', { alias: 'input', type: 'string', demandOption: true, describe: 'dataset file or folder to convert (as --data of every command)' })
    .option('out', { type: 'string', demandOption: true, describe: 'output folder' })
    .option('benchmark', { type: 'string', describe: 'split: xsub | xview | xset (NTU), xsub | xview (PKU-MMD)' })
    .option('frames', { type: 'number', describe: 'fixed frame count T (default: 300 for NTU, the longest sequence otherwise)' })
    .option('missing', { type: 'string', describe: 'file of sample names to exclude (NTU missing-skeleton list)' })
    .option('strict', { type: 'boolean', default: false, describe: 'fail on the first malformed file instead of skipping it' }),
  run: async (args) => {
    const frames = numberOption(args, 'frames', rules.frames, true);
    checkOutputPath(String(args.out), '--out');
    const r = prepareDataset({
      format: args.format as DataFormat, input: args.data as string, out: args.out as string,
      benchmark: args.benchmark as string | undefined, frames, missing: args.missing as string | undefined,
      strict: Boolean(args.strict), progress: true, normalize: normalizeArg(args), skipBad: skipBadArg(args),
    });
    const m = r.meta;
    console.log(`wrote ${args.out}: train ${r.counts.train}, val ${r.counts.val} samples; ${m.numClasses} classes, T=${m.T} V=${m.V} M=${m.M}, layout ${m.layout}, normalize ${m.normalize}`);
    if (r.skipped.length) {
      console.warn(`skipped ${r.skipped.length} malformed file(s):`);
      for (const s of r.skipped) console.warn(`  ${s.reason}`);
    }
  },
};
export default command;
