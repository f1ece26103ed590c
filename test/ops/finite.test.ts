/** The finite guard's check against its reference: sticky flags, first step wins, NaN / ±Inf told apart. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { finiteFlags, finiteFlagsRef, decodeFlag } from '../../src/ops/finite.js';
import { Rng } from '../../src/util/random.js';

const t = suite('ops/finite');
t.before(async () => { await engine(); });

for (const per of [7, 15] as const) t(`flags the tensors holding NaN / ±Inf at the first step they do, across dispatches of ${per}, at awkward sizes`, async () => {
  const rng = new Rng(4);
  const sizes = [1, 3, 7, 256, 257, 1000, 13, 2, 5, 65537, 1, 9, 31, 0, 4, 17, 6];   // more than one dispatch of 15
  const data = sizes.map((n) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1)));
  const flags = Tensor.from(new Float32Array(20)), ref = new Float64Array(20);
  const slots = sizes.map((_, j) => (j * 7) % 20);   // scattered, not in order
  const poison: [number, number, number][] = [[1, 2, NaN], [4, 256, Infinity], [9, 65536, -Infinity], [10, 0, NaN]];
  for (let step = 1; step <= 3; step++) {
    if (step === 2) for (const [j, i, v] of poison) data[j][i] = v;
    if (step === 3) { data[3][0] = NaN; data[1][0] = Infinity; }   // tensor 1 already flagged at step 2: stays
    const tensors = data.map((d) => Tensor.from(d, [d.length]));
    finiteFlags(tensors, slots, flags, step, per);
    finiteFlagsRef(data, slots, ref, step);
    tensors.forEach((x) => x.dispose());
  }
  const got = [...await flags.read()];
  assert.equal(got, [...ref]);
  assert.equal(decodeFlag(got[slots[1]]), { step: 2, value: 'NaN' });
  assert.equal(decodeFlag(got[slots[4]]), { step: 2, value: 'Infinity' });
  assert.equal(decodeFlag(got[slots[9]]), { step: 2, value: '-Infinity' });
  assert.equal(decodeFlag(got[slots[3]]), { step: 3, value: 'NaN' });
  assert.is(decodeFlag(got[slots[0]]), undefined);
  flags.dispose();
});

t('rejects mismatched slots and steps it cannot encode', () => {
  const flags = Tensor.from(new Float32Array(2)), x = Tensor.from([1]);
  assert.throws(() => finiteFlags([x], [], flags, 1), /1 tensors for 0 slots/);
  assert.throws(() => finiteFlags([x], [2], flags, 1), /slot 2 outside/);
  assert.throws(() => finiteFlags([x], [0], flags, 2 ** 23), /step/);
  flags.dispose(); x.dispose();
});

t.run();
