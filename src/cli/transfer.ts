/**
 * `transfer`: fine-tune an encoder pre-trained on one dataset (`--checkpoint A`) on another
 * (`--data B`), e.g. NTU → PKU-MMD II (docs/method.md#evaluation). The skeleton layouts must match: the
 * command checks joint count and bones before training and says which differ.
 */
import type { Command } from './command.js';
import { finetuneOptions, runFinetune } from './finetune.js';

const command: Command = {
  name: 'transfer',
  describe: 'transfer learning: fine-tune a checkpoint pre-trained on dataset A on dataset B (layouts must match)',
  options: (y) => finetuneOptions(y, 1),
  run: (args) => runFinetune(args, 'transfer'),
};
export default command;
