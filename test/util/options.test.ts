/** The numeric option rules: whole numbers, ranges, lists, and one message format naming the option. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkNumber, numberOption, numberList, describeRule, rules } from '../../src/util/options.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('util/options');

t('checkNumber: type, integer-ness, open and closed bounds; the option and the value in the message', () => {
  const batch = { int: true, min: 1, max: 65536 };
  assert.is(checkNumber('batch-size', 64, batch), undefined);
  assert.is(checkNumber('batch-size', -8, batch), '--batch-size -8: expected a whole number in 1 … 65536');
  assert.match(checkNumber('batch-size', 0.5, batch)!, /^--batch-size 0\.5: expected a whole number/);
  assert.match(checkNumber('batch-size', 1e9, batch)!, /^--batch-size 1000000000:/);
  assert.match(checkNumber('batch-size', NaN, batch)!, /NaN/);
  assert.match(checkNumber('batch-size', '8', batch)!, /"8"/);
  assert.is(checkNumber('dropout', 0, { min: 0, max: 1, maxOpen: true }), undefined);
  assert.is(checkNumber('dropout', 1.5, { min: 0, max: 1, maxOpen: true }), '--dropout 1.5: expected a number in [0, 1)');
  assert.is(checkNumber('lr', 0, rules.positive), '--lr 0: expected a number > 0');
  assert.is(checkNumber('seed', -1, rules.seed), '--seed -1: expected a whole number in 0 … 4294967295');
  assert.is(describeRule({ int: true, min: 1, max: 2 ** 20 }), 'a whole number in 1 … 2^20');
});

t('numberOption throws a UserError; optional options may be absent; lists check every entry', () => {
  assert.is(numberOption({ x: 3 }, 'x', rules.count), 3);
  assert.is(numberOption({}, 'x', rules.count, true), undefined);
  assert.throws(() => numberOption({}, 'x', rules.count), (e: Error) => e instanceof UserError && e.message === '--x undefined: expected a whole number in 1 … 2147483647');
  assert.throws(() => numberOption({ 'max-steps': -1 }, 'max-steps', rules.count), /^--max-steps -1:/);
  assert.equal(numberList('lr-steps', '120, 250', rules.nonNegative), [120, 250]);
  assert.throws(() => numberList('lr-steps', 'a,b', rules.nonNegative), /--lr-steps a,b: 'a' is not a number ≥ 0/);
  assert.throws(() => numberList('lr-steps', '10,-1', rules.nonNegative), /'-1'/);
  assert.throws(() => numberList('lr-steps', '0x10', rules.nonNegative), /'0x10'/);
});

t.run();
