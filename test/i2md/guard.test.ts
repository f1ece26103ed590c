/** The finite guard: a zero sum while all is finite; the earliest break named, a loss term before the total and before a tensor. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { FiniteGuard } from '../../src/i2md/guard.js';

const t = suite('i2md/guard');
t.before(async () => { await engine(); });

const scalar = (v: number) => Tensor.from([v], [1]);

t('all finite: the sum stays 0 and nothing is named', async () => {
  const g = new FiniteGuard(8);
  const w = Tensor.from([1, 2, 3]);
  const s = g.check(1, { total: scalar(1), nce: scalar(0.5) }, [['w', w]]);
  assert.is(await s.item(), 0);
  assert.is(await g.broken(), undefined);
  s.dispose(); w.dispose(); g.dispose();
});

t('the earliest step wins; at one step a loss term before the total and before a tensor', async () => {
  const g = new FiniteGuard(8);
  const w = Tensor.from([1, 2, 3]), v = Tensor.from([1, Infinity]);
  g.check(1, { total: scalar(1), nce: scalar(0.5) }, [['w', w], ['v', v]]).dispose();
  assert.equal(await g.broken(), { kind: 'tensor', name: 'v', step: 1, value: 'Infinity' });
  const h = new FiniteGuard(8);
  const bad = Tensor.from([NaN, 2, 3]);
  const s = h.check(4, { total: scalar(NaN), nce: scalar(NaN), id: scalar(0.5) }, [['w', bad]]);
  assert.ok((await s.item()) > 0);
  assert.equal(await h.broken(), { kind: 'loss term', name: 'nce', step: 4, value: 'NaN' });
  h.check(5, { total: scalar(-Infinity) }, []).dispose();   // later breaks do not move the first one
  assert.equal((await h.broken())!.step, 4);
  for (const x of [w, v, bad, s]) x.dispose();
  g.dispose(); h.dispose();
});

t('more names than its capacity is a programming error, not silence', () => {
  const g = new FiniteGuard(1);
  assert.throws(() => g.check(1, { a: scalar(1), b: scalar(2) }, []), /more than 1 tensors/);
  g.dispose();
});

t.run();
