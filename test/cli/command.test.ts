import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCommandName, scriptName } from '../../src/cli/command.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('cli/command');
const names = ['linear', 'knn', 'finetune', 'embed', 'export', 'predict', 'pretrain', 'main', 'help'];

t('an unknown command is refused with the nearest names (before: the main job took it as an unknown argument)', () => {
  try { checkCommandName(['lienar', '--data', 'x'], names); assert.unreachable(); }
  catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, 'did you mean "linear"'); }
  try { checkCommandName(['zzzzzz'], names); assert.unreachable(); }
  catch (e) { assert.instance(e, UserError); assert.not.match((e as Error).message, 'did you mean'); assert.match((e as Error).message, 'commands: linear'); }
  // options and known commands pass
  checkCommandName([], names);
  checkCommandName(['--epochs', '2'], names);
  checkCommandName(['export', 'run'], names);
});

t('the usage line names what the user typed: i2md when installed, train.js from a checkout', () => {
  assert.is(scriptName('/usr/local/bin/i2md'), 'i2md');
  assert.is(scriptName('/work/x/dist/train.js'), 'train.js');
  assert.is(scriptName('/work/x/dist/src/train.js'), 'train.js');
  assert.is(scriptName(undefined), 'train.js');
});

t.run();
