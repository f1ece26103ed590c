import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../src/util/random.js';

// The first outputs of Rng(0), recorded from this implementation.
const GOLDEN_SEED0 = [1255788323, 229556502, 1129684417];

const r = suite('util/random');

r('same seed, same stream; state() resumes exactly', () => {
  const a = new Rng(42), b = new Rng(42);
  const sa = Array.from({ length: 50 }, () => a.nextU32());
  const sb = Array.from({ length: 50 }, () => b.nextU32());
  assert.equal(sa, sb);
  assert.not.equal(sa, Array.from({ length: 50 }, () => new Rng(43).nextU32()));
  const saved = a.state();
  const next = Array.from({ length: 20 }, () => a.next());
  const resumed = Rng.fromState(saved);
  assert.equal(Array.from({ length: 20 }, () => resumed.next()), next);
  assert.throws(() => Rng.fromState([1, 2, 3]));
});

r('golden values pin the stream across platforms', () => {
  // Recorded from this implementation; a change here breaks resuming old checkpoints.
  const g = new Rng(0);
  const first = [g.nextU32(), g.nextU32(), g.nextU32()];
  const again = new Rng(0);
  assert.equal([again.nextU32(), again.nextU32(), again.nextU32()], first);
  assert.ok(first.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32));
  assert.equal(first, GOLDEN_SEED0);
});

r('int, uniform, normal, choose, shuffle, fork', () => {
  const g = new Rng(7);
  const counts = new Array(5).fill(0);
  for (let i = 0; i < 10000; i++) counts[g.int(5)]++;
  for (const c of counts) assert.ok(c > 1800 && c < 2200, `int(5) bucket ${c}`);
  for (let i = 0; i < 1000; i++) { const u = g.uniform(-1, 1); assert.ok(u >= -1 && u < 1); }
  let s = 0, s2 = 0;
  for (let i = 0; i < 20000; i++) { const z = g.normal(); s += z; s2 += z * z; }
  assert.ok(Math.abs(s / 20000) < 0.05 && Math.abs(s2 / 20000 - 1) < 0.05, 'normal moments');
  const pick = g.choose(25, 15);
  assert.is(new Set(pick).size, 15);
  assert.ok(pick.every((v) => v >= 0 && v < 25));
  const perm = g.shuffle(Array.from({ length: 30 }, (_, i) => i));
  assert.equal([...perm].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
  const parent = new Rng(9);
  const child = parent.fork();
  const pc = Array.from({ length: 10 }, () => child.nextU32());
  const pp = Array.from({ length: 10 }, () => parent.nextU32());
  assert.not.equal(pc, pp);
  const child2 = new Rng(9).fork();
  assert.equal(Array.from({ length: 10 }, () => child2.nextU32()), pc);
  assert.not.equal(Rng.derive(1, 2, 3).state(), Rng.derive(1, 3, 2).state());
});

r.run();
