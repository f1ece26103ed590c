/** `report`: (re)build RUN_DIR/report.html — a self-contained page of the run's curves and evaluations. */
import type { Command } from './command.js';
import { writeReport } from '../eval/report.js';

const command: Command = {
  name: 'report',
  describe: 'write RUN/report.html: loss curves, lr, accuracy, confusion matrix, PCA of features, config, adapter (no network references)',
  options: (y) => y.option('run', { type: 'string', demandOption: true, describe: 'run folder (metrics.jsonl, config.json, results.json …)' }),
  async run(args) {
    console.log(`report: ${writeReport(args.run as string)}`);
  },
};
export default command;
