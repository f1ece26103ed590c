import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp } from '../../helpers/check.js';
import { Tensor, tidy } from '../../../src/tensor/index.js';
import { jointBiasRef } from '../../../src/ops/graphconv/reference.js';
import { jointBias } from '../../../src/ops/graphconv/bias.js';

const t = suite('ops/graphconv/bias');
t.before(async () => { await engine(); });

t('joint bias: forward and both gradients (one backward dispatch), awkward sizes', async () => {
  for (const [K, Cout, V] of [[3, 7, 5], [1, 1, 1], [2, 67, 13]]) {
    await checkOp({ shapes: [[K * Cout], [K, V, V]], gpu: ([b, a]) => jointBias(b, a), ref: ([b, a]) => jointBiasRef(b, a, K, V) });
  }
  assert.throws(() => tidy(() => jointBias(Tensor.from(new Float32Array(5)), Tensor.from(new Float32Array(2 * 9), [2, 3, 3]))), /not \(K·Cout\)/);
});

t.run();
