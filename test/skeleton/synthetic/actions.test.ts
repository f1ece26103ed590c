import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTIONS } from '../../../src/skeleton/synthetic/actions.js';

const t = suite('skeleton/synthetic/actions');

t('library: ≥ 20 classes, some of them interactions, all distinct names', () => {
  assert.ok(ACTIONS.length >= 20);
  assert.ok(ACTIONS.filter((a) => a.persons === 2).length >= 5);
  assert.is(new Set(ACTIONS.map((a) => a.name)).size, ACTIONS.length);
  assert.ok(ACTIONS.slice(0, 20).some((a) => a.persons === 2), 'interactions among the first 20 classes');
});

t.run();
