import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import { motionGpu, boneGpu } from '../../src/ops/modalities.js';
import { motion, bone } from '../../src/skeleton/modalities.js';
import { getLayout } from '../../src/skeleton/layouts.js';

const t = suite('ops/modalities');
t.before(async () => { await engine(); });

// bit-exact: both sides compute one float32 subtraction per element
for (const [N, C, T, V, M, layout] of [[3, 3, 7, 25, 2, 'ntu25'], [2, 3, 1, 20, 1, 'ucla20'], [1, 3, 5, 20, 3, 'msr20']] as [number, number, number, number, number, string][]) {
  t(`motion and bone of (${N}, ${C}, ${T}, ${V}, ${M}) on ${layout} equal the CPU reference`, async () => {
    const x = Float32Array.from(randn(N * C * T * V * M, T + V));
    const bones = getLayout(layout).bones;
    const [m, b] = tidy(() => { const xt = Tensor.from(x, [N, C, T, V, M]); return [motionGpu(xt), boneGpu(xt, bones)]; });
    assert.equal([...await m.read()], [...motion(x, T, V, M)]);
    assert.equal([...await b.read()], [...bone(x, T, V, M, bones)]);
    m.dispose(); b.dispose();
  });
}

t('bone of a joint without a bone pair is zero; the motion of the last frame is zero', async () => {
  const x = Float32Array.from([1, 2, 3, 10, 20, 30]);          // (1, 1, 2, 3, 1)
  const [m, b] = tidy(() => { const xt = Tensor.from(x, [1, 1, 2, 3, 1]); return [motionGpu(xt), boneGpu(xt, [[1, 0], [2, 2]])]; });
  assert.equal([...await m.read()], [9, 18, 27, 0, 0, 0]);
  assert.equal([...await b.read()], [0, 1, 0, 0, 10, 0]);
  m.dispose(); b.dispose();
});

t.run();
