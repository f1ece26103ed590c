import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, withKernel } from '../../helpers/check.js';
import { Tensor, tidy, backward } from '../../../src/tensor/index.js';
import { mul, sumAll } from '../../helpers/ops.js';
import { temporalConv, convOutputLength, convParamGrads } from '../../../src/ops/tconv/tconv.js';
import { temporalConvRef, temporalConvGradsRef } from '../../../src/ops/tconv/reference.js';
import { channelsLastSize } from '../../../src/ops/tconv/wgrad.js';

const t = suite('ops/tconv/tconv');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

// forward against the reference: both strides, awkward T (1 works with pad 4), channel counts
// that hit each row-tile variant (16/32/64) and partial tiles, KT = 9 and the 1×1 case
const forwardCases: [number[], number, number, number, number][] = [
  // [N, Cin, T, V], Cout, KT, stride, pad
  [[2, 3, 5, 4], 4, 9, 1, 4],
  [[1, 2, 1, 3], 5, 9, 1, 4],
  [[1, 2, 1, 3], 5, 9, 2, 4],
  [[3, 5, 13, 7], 17, 9, 2, 4],
  [[2, 7, 8, 25], 40, 9, 1, 4],
  [[2, 33, 6, 5], 70, 9, 2, 4],
  [[2, 6, 11, 5], 9, 1, 2, 0],
  [[1, 1, 2, 1], 1, 1, 1, 0],
];
for (const [xs, Cout, KT, stride, pad] of forwardCases) {
  t(`forward x [${xs}] → Cout ${Cout}, KT ${KT}, stride ${stride}, pad ${pad}`, async () => {
    const x = randn(size(xs), 3), w = randn(Cout * xs[1] * KT, 4), b = randn(Cout, 5);
    const y = tidy(() => temporalConv(Tensor.from(x, xs), Tensor.from(w, [Cout, xs[1], KT, 1]), Tensor.from(b), { stride, pad }));
    assert.equal(y.shape, [xs[0], Cout, convOutputLength(xs[2], KT, stride, pad), xs[3]]);
    assertClose(await y.read(), temporalConvRef(x, xs, w, Cout, KT, b, stride, pad), 1e-5);
    y.dispose();
  });
}

t('per-joint bias (Cout, V) and no bias', async () => {
  const xs = [2, 3, 6, 5], Cout = 7;
  const x = randn(size(xs), 6), w = randn(Cout * 3 * 9, 7), b = randn(Cout * 5, 8);
  const [y1, y2] = tidy(() => [
    temporalConv(Tensor.from(x, xs), Tensor.from(w, [Cout, 3, 9, 1]), Tensor.from(b, [Cout, 5])),
    temporalConv(Tensor.from(x, xs), Tensor.from(w, [Cout, 3, 9, 1])),
  ]);
  assertClose(await y1.read(), temporalConvRef(x, xs, w, Cout, 9, b, 1, 4, true), 1e-5);
  assertClose(await y2.read(), temporalConvRef(x, xs, w, Cout, 9, undefined, 1, 4), 1e-5);
  y1.dispose(); y2.dispose();
});

for (const stride of [1, 2]) {
  t(`gradients (finite differences), KT 9, stride ${stride}`, async () => {
    const xs = [2, 3, 5, 4], Cout = 4;
    await checkOp({
      shapes: [xs, [Cout, 3, 9, 1], [Cout]],
      gpu: ([x, w, b]) => temporalConv(x, w, b, { stride, pad: 4 }),
      ref: ([x, w, b]) => temporalConvRef(x, xs, w, Cout, 9, b, stride, 4),
    });
  });
}

t('gradients (finite differences), 1×1 stride 2, per-joint bias', async () => {
  const xs = [2, 3, 7, 3], Cout = 5;
  await checkOp({
    shapes: [xs, [Cout, 3], [Cout, 3]],
    gpu: ([x, w, b]) => temporalConv(x, w, b, { stride: 2, pad: 0 }),
    ref: ([x, w, b]) => temporalConvRef(x, xs, w, Cout, 1, b, 2, 0, true),
  });
});

// larger shapes: several row and column tiles, and a weight gradient whose reduction is split
for (const [xs, Cout, stride] of [[[4, 12, 12, 25], 70, 1], [[3, 17, 19, 25], 33, 2], [[2, 64, 9, 25], 16, 1]] as [number[], number, number][]) {
  t(`gradients vs analytic reference, x [${xs}], Cout ${Cout}, stride ${stride}`, async () => {
    const Cin = xs[1], KT = 9, pad = 4;
    const Tout = convOutputLength(xs[2], KT, stride, pad);
    const x = randn(size(xs), 11), w = randn(Cout * Cin * KT, 12, -0.2, 0.2), b = randn(Cout, 13);
    const g = randn(xs[0] * Cout * Tout * xs[3], 14);
    const got = tidy(() => {
      const tx = Tensor.from(x, xs).param(), tw = Tensor.from(w, [Cout, Cin, KT, 1]).param(), tb = Tensor.from(b).param();
      const y = temporalConv(tx, tw, tb, { stride, pad });
      backward(sumAll(mul(y, Tensor.from(g, y.shape))));
      return [tx, tw, tb];
    });
    const ref = temporalConvGradsRef(x, xs, w, Cout, KT, g, stride, pad);
    assertClose(await got[0].grad!.read(), ref.dx, 1e-4, 'dx');
    assertClose(await got[1].grad!.read(), ref.dw, 1e-4, 'dw');
    assertClose(await got[2].grad!.read(), ref.db, 1e-4, 'db');
    for (const p of got) { p.grad!.dispose(); p.dispose(); }
  });
}

// Both kernel families on every adapter: the tiled GEMM (kernels/tconv/gemm.wgsl) and the
// register-blocked one (kernels/tconv/direct.wgsl, wgrad.wgsl: direct forward, flipped stride-1 and
// phased strided input gradients, wgrad / wgrad_t with the fused bias gradient). Awkward sizes: channels 1, 3,
// 5, T 1 and 7, V 1 and 25, strides 1–3, KT 1, 3, 9, 11 (two tap blocks), pad > KT − 1, batches
// that split into several slices, 1×1 weight gradients on channels-last copies.
const pathCases: [number[], number, number, number, number][] = [
  // [N, Cin, T, V], Cout, KT, stride, pad
  [[2, 1, 7, 25], 3, 9, 1, 4],
  [[3, 5, 7, 1], 1, 9, 2, 4],
  [[1, 3, 1, 25], 5, 9, 1, 4],
  [[2, 3, 1, 5], 5, 9, 2, 4],
  [[5, 3, 7, 25], 9, 9, 2, 4],
  [[4, 9, 8, 3], 17, 3, 3, 1],
  [[2, 5, 13, 4], 3, 11, 1, 5],
  [[3, 5, 7, 25], 9, 1, 2, 0],
  [[2, 3, 6, 5], 4, 1, 1, 1],
  [[70, 3, 4, 1], 5, 9, 1, 4],
  // 16 output channels per lane in wgrad_t (a partial second block), stride 1 and 2
  [[2, 3, 9, 5], 20, 9, 1, 4],
  [[3, 2, 10, 7], 17, 9, 2, 4],
  // 1×1 with ≥ 16 input channels: wgrad_c on channels-last copies (partial channel blocks, stride 2)
  [[2, 17, 5, 5], 9, 1, 1, 0],
  [[3, 20, 6, 5], 12, 1, 2, 0],
  // whole position quads: the channels-last copies move 4 × 4 blocks (cl_pack4)
  [[2, 16, 4, 5], 8, 1, 1, 0],
  [[2, 3, 8, 5], 16, 9, 1, 4],
  // more than 8 times at stride 1: 8 rows × 16 times per invocation (partial row and time blocks;
  // KT 5 with pad 1: the flipped input gradient's pad' = 3)
  [[2, 9, 19, 5], 11, 9, 1, 4],
  [[2, 8, 17, 3], 13, 5, 1, 1],
  // channel-blocked channels-last copies (cl_index) of several blocks: dy at 32 channels in wgrad_t;
  // x at 32 and dy at 36 channels (a partial third block) in wgrad_c
  [[2, 3, 8, 5], 32, 9, 1, 4],
  [[2, 32, 5, 5], 36, 1, 1, 0],
];
for (const path of ['gemm', 'direct', 'cols'] as const) {
  for (const [xs, Cout, KT, stride, pad] of pathCases) {
    t(`${path}: forward and gradients vs analytic reference, x [${xs}], Cout ${Cout}, KT ${KT}, stride ${stride}, pad ${pad}`, async () => {
      await withKernel('tconv', path, async () => {
        const Cin = xs[1];
        const Tout = convOutputLength(xs[2], KT, stride, pad);
        const s = { gemm: 20, direct: 30, cols: 60 }[path];   // other inputs per path: a stale pooled buffer cannot pass for a result
        const x = randn(size(xs), s + 1), w = randn(Cout * Cin * KT, s + 2, -0.3, 0.3), b = randn(Cout, s + 3);
        const g = randn(xs[0] * Cout * Tout * xs[3], s + 4);
        const got = tidy(() => {
          const tx = Tensor.from(x, xs).param(), tw = Tensor.from(w, [Cout, Cin, KT, 1]).param(), tb = Tensor.from(b).param();
          const y = temporalConv(tx, tw, tb, { stride, pad });
          backward(sumAll(mul(y, Tensor.from(g, y.shape))));
          return [y, tx, tw, tb];
        });
        const ref = temporalConvGradsRef(x, xs, w, Cout, KT, g, stride, pad);
        assertClose(await got[0].read(), temporalConvRef(x, xs, w, Cout, KT, b, stride, pad), 1e-5, 'y');
        assertClose(await got[1].grad!.read(), ref.dx, 1e-5, 'dx');
        assertClose(await got[2].grad!.read(), ref.dw, 1e-5, 'dw');
        assertClose(await got[3].grad!.read(), ref.db, 1e-5, 'db');
        got[0].dispose();
        for (const p of got.slice(1)) { p.grad!.dispose(); p.dispose(); }
      });
    });
  }
}

t('channelsLastSize: blocks of 4 vec4s (fewer under 16 channels), a partial last block rounded up', () => {
  for (const [C, vec4s] of [[1, 1], [4, 1], [12, 3], [13, 4], [16, 4], [20, 8], [32, 8], [36, 12], [64, 16], [252, 64], [256, 64], [768, 192]]) {
    assert.is(channelsLastSize(C, 7), 7 * vec4s, `C ${C}`);
  }
  for (let C = 1; C <= 600; C++) {
    const cq = Math.ceil(C / 4), size = channelsLastSize(C, 5);
    assert.ok(size >= 5 * cq && size - 5 * cq < 5 * 4 && (cq < 4 || size % 20 === 0), `C ${C}: ${size}`);
  }
});

t('direct: the weight gradient is deterministic (fixed summation order, bit-identical reruns)', async () => {
  await withKernel('tconv', 'direct', async () => {
    const xs = [9, 6, 12, 25], Cout = 10, KT = 9;
    const d = { N: 9, Cin: 6, Cout, T: 12, Tout: 12, V: 25, KT, stride: 1, pad: 4 };
    const x = Tensor.from(randn(size(xs), 31), xs), dy = Tensor.from(randn(9 * Cout * 12 * 25, 32), [9, Cout, 12, 25]);
    const a = convParamGrads(d, dy, x, true, 0).dw!, b = convParamGrads(d, dy, x, true, 0).dw!;
    const [ra, rb] = [await a.read(), await b.read()];
    assert.ok(ra.some((v) => v !== 0));
    assert.equal(Array.from(ra), Array.from(rb));
    for (const z of [x, dy, a, b]) z.dispose();
  });
});

for (const path of ['gemm', 'direct'] as const) t(`${path}: more than 65535 column tiles: the host dispatches column chunks (forward and input gradient)`, async () => {
  await withKernel('tconv', path, async () => {
    const V = 65535 * 64 + 100;                       // N·T'·V columns past one grid dimension
    const x = Float32Array.from({ length: V }, (_, i) => (i % 7) - 3);
    const { y, xt } = tidy(() => {
      const xt = Tensor.from(x, [1, 1, 1, V]).param();
      const y = temporalConv(xt, Tensor.from([2], [1, 1, 1, 1]), Tensor.from([0.5]), { pad: 0 });
      backward(sumAll(y));
      return { y, xt };
    });
    const dx = xt.grad!;
    const got = await y.read(), g = await dx.read();
    for (const i of [0, 1, 65535 * 64 - 1, 65535 * 64, V - 1]) {
      assert.is(got[i], 2 * x[i] + 0.5, `y[${i}]`);
      assert.is(g[i], 2, `dx[${i}]`);
    }
    y.dispose(); dx.dispose(); xt.dispose();
  });
});

t('rejects a T too short for the kernel and a mismatched weight', () => {
  assert.throws(() => tidy(() => temporalConv(Tensor.from(new Float32Array(4), [1, 1, 1, 4]), Tensor.from(new Float32Array(9), [1, 1, 9, 1]), undefined, { pad: 0 })), /too short/);
  assert.throws(() => tidy(() => temporalConv(Tensor.from(new Float32Array(8), [1, 2, 1, 4]), Tensor.from(new Float32Array(9), [1, 1, 9, 1]))), /input channels/);
});

t.run();
