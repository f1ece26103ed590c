import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, dispatched, withKernel } from '../../helpers/check.js';
import { Tensor } from '../../../src/tensor/index.js';
import { temporalConv } from '../../../src/ops/tconv/tconv.js';
import { temporalConvRef } from '../../../src/ops/tconv/reference.js';
import { colsForward, colsInputGrad } from '../../../src/ops/tconv/cols.js';

const t = suite('ops/tconv/cols');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

// im2col + matmul (src/ops/tconv/cols.ts): finite differences through every pass, the per-joint
// bias (added after the product) and the 1×1 stride-1 case that reads x and dy in place
for (const [xs, Cout, KT, stride, pad, perJoint, inPlace] of [
  [[2, 3, 5, 4], 4, 9, 2, 4, false, false], [[2, 3, 7, 3], 5, 1, 2, 0, true, false], [[2, 3, 4, 3], 5, 1, 1, 0, true, true],
] as [number[], number, number, number, number, boolean, boolean][]) {
  t(`cols: gradients (finite differences), KT ${KT}, stride ${stride}, ${perJoint ? 'per-joint' : 'per-channel'} bias`, async () => {
    let { names } = await withKernel('tconv', 'cols', () => dispatched(() => checkOp({
      shapes: [xs, KT === 1 ? [Cout, xs[1]] : [Cout, xs[1], KT, 1], perJoint ? [Cout, xs[3]] : [Cout]],
      gpu: ([x, w, b]) => temporalConv(x, w, b, { stride, pad }),
      ref: ([x, w, b]) => temporalConvRef(x, xs, w, Cout, KT, b, stride, pad, perJoint),
    })));
    assert.ok(!names.some((n) => n.startsWith('tconv/gemm:') || n.startsWith('tconv/direct:') || n.startsWith('tconv/wgrad:')), names.join(', '));
    assert.ok(names.some((n) => n.startsWith('tconv/cols:')) && names.some((n) => n.startsWith('matmul')), names.join(', '));
    if (!inPlace) return;
    // 1×1, stride 1: forward and input gradient read x and dy in place (only dW builds windows)
    const d = { N: xs[0], Cin: xs[1], Cout, T: xs[2], Tout: xs[2], V: xs[3], KT: 1, stride: 1, pad: 0 };
    const xv = randn(size(xs), 71), wv = randn(Cout * xs[1], 72);
    const x = Tensor.from(xv, xs), w = Tensor.from(wv, [Cout, xs[1]]);
    const dy = Tensor.from(randn(xs[0] * Cout * xs[2] * xs[3], 73), [xs[0], Cout, xs[2], xs[3]]);
    ({ names } = await dispatched(async () => {
      const y = colsForward(d, x, w, undefined, 0), dx = colsInputGrad(d, dy, w);
      assertClose(await y.read(), temporalConvRef(xv, xs, wv, Cout, 1, undefined, 1, 0), 1e-5, 'y in place');
      for (const z of [y, dx]) z.dispose();
    }));
    assert.ok(!names.some((n) => n.startsWith('tconv/cols:')) && names.filter((n) => n.startsWith('matmul')).length >= 2, names.join(', '));
    for (const z of [x, w, dy]) z.dispose();
  });
}

t.run();
