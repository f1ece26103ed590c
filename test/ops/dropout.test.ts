import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { GpuRng } from '../../src/ops/random.js';
import { dropout, dropoutMaskRef } from '../../src/ops/dropout.js';

const t = suite('ops/dropout');
t.before(async () => { await engine(); });

async function readAndFree(x: Tensor): Promise<Float32Array> { const v = await x.read(); x.dispose(); return v; }

t('dropout: mask from the stream, inverted scaling, keep rate, and identity cases', async () => {
  const n = 20011, p = 0.3;
  const x = Tensor.from(randn(n, 8));
  const xs = await x.read();
  const rng = GpuRng.fromState({ seed: 5, counter: 7 });
  const y = await readAndFree(dropout(x, p, rng, true));
  const mask = dropoutMaskRef(n, p, 5, 7);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const want = mask[i] ? xs[i] / (1 - p) : 0;
    if (Math.abs(y[i] - want) > 1e-6) assert.unreachable(`element ${i}: ${y[i]} vs ${want}`);
    kept += mask[i];
  }
  assert.ok(Math.abs(kept / n - (1 - p)) < 0.01, `keep rate ${kept / n}`);
  assert.equal(rng.state().counter, 8, 'one stream used per call');
  assert.is(dropout(x, p, rng, false), x, 'eval is the identity');
  assert.is(dropout(x, 0, rng, true), x, 'p = 0 is the identity');
  assert.equal([...await readAndFree(dropout(x, 1, rng, true))], new Array(n).fill(0));
  x.dispose();
});

t('dropout gradient (fixed seed): same mask on the way back', async () => {
  for (const shape of [[7], [3, 5, 11]]) {
    const n = shape.reduce((a, b) => a * b, 1);
    const mask = dropoutMaskRef(n, 0.4, 11, 0);
    await checkOp({
      shapes: [shape],
      gpu: ([x]) => dropout(x, 0.4, new GpuRng(11), true),
      ref: ([x]) => x.map((v, i) => (mask[i] ? v / 0.6 : 0)),
    });
  }
});

t.run();
