import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../../../src/skeleton/synthetic/random.js';

const t = suite('skeleton/synthetic/random');

t('PRNG is deterministic and roughly uniform / normal', () => {
  const a = new Random(7), b = new Random(7), c = new Random(8);
  const xa = Array.from({ length: 5 }, () => a.next()), xb = Array.from({ length: 5 }, () => b.next());
  assert.equal(xa, xb);
  assert.not.equal(xa, Array.from({ length: 5 }, () => c.next()));
  const r = new Random(1); let s = 0, s2 = 0, n = 20000, mean = 0;
  for (let i = 0; i < n; i++) { const u = r.next(); assert.ok(u >= 0 && u < 1); mean += u / n; const z = r.normal(); s += z; s2 += z * z; }
  assert.ok(Math.abs(mean - 0.5) < 0.01);
  assert.ok(Math.abs(s / n) < 0.03 && Math.abs(s2 / n - 1) < 0.05);
  assert.equal(Random.derive(3, 1, 2).next(), Random.derive(3, 1, 2).next());
  assert.not.equal(Random.derive(3, 1, 2).next(), Random.derive(3, 2, 1).next());
});

t.run();
