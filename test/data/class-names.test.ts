import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { classNamesFor } from '../../src/data/class-names.js';

const t = suite('data/class-names');

t('the published lists, in label order; none where a dataset has no table', () => {
  const ntu120 = classNamesFor('ntu', 120, 'ntu25')!;
  assert.is(ntu120.length, 120);
  assert.equal([ntu120[0], ntu120[59], ntu120[60], ntu120[119]], ['drink water', 'walking apart from each other', 'put on headphone', 'finger-guessing game (playing rock-paper-scissors)']);
  assert.is(new Set(ntu120).size, 120, 'no name twice');
  assert.equal(classNamesFor('npy', 60, 'ntu25'), ntu120.slice(0, 60), 'NTU-60 arrays from another pipeline');
  assert.equal(classNamesFor('ucla', 10, 'ucla20')!.slice(0, 2), ['pick up with one hand', 'pick up with two hands']);
  assert.is(classNamesFor('msr', 20, 'msr20')![19], 'pick up & throw');
  assert.is(classNamesFor('pku', 51, 'ntu25'), undefined);
  assert.is(classNamesFor('npy', 51, 'ntu25'), undefined);
});

t.run();
