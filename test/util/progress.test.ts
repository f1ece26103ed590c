import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fmtTime } from '../../src/util/progress.js';

const t = suite('util/progress');

t('fmtTime rounds before splitting minutes and seconds', () => {
  assert.is(fmtTime(5), '5s');
  assert.is(fmtTime(59.4), '59s');
  assert.is(fmtTime(59.6), '1m00s');     // was "60s"
  assert.is(fmtTime(119.6), '2m00s');    // was "1m60s"
  assert.is(fmtTime(125), '2m05s');
  assert.is(fmtTime(Number.NaN), '?');
});

t.run();
