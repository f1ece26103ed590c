import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy } from '../../src/tensor/index.js';
import * as E from '../../src/ops/elementwise.js';
import { broadcastRef, unaryRef } from '../../src/ops/elementwise.js';

const t = suite('ops/elementwise');
t.before(async () => { await engine(); });

const binaries: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', E.add, (x, y) => x + y],
  ['sub', E.sub, (x, y) => x - y],
  ['mul', E.mul, (x, y) => x * y],
  ['div', E.div, (x, y) => x / y],
  ['maximum', E.maximum, (x, y) => Math.max(x, y)],
  ['addRelu', E.addRelu, (x, y) => Math.max(0, x + y)],
];

for (const [name, op, f] of binaries) {
  for (const [sa, sb] of [[[7], [7]], [[3, 4], [3, 4]], [[1], [5]], [[3, 1, 5], [4, 1]], [[2, 3, 4], [3, 4]], [[13], [1]]] as number[][][]) {
    t(`${name} [${sa}] ∘ [${sb}]: forward and gradients`, async () => {
      // keep divisors away from 0 so finite differences are meaningful
      const b = randn(sb.reduce((p, q) => p * q, 1), 5).map((v) => (name === 'div' ? Math.sign(v || 1) * (0.5 + Math.abs(v)) : v));
      await checkOp({ shapes: [sa, sb], inputs: [randn(sa.reduce((p, q) => p * q, 1), 3), b], gpu: ([x, y]) => op(x, y), ref: ([x, y]) => broadcastRef(x, sa, y, sb, f) });
    });
  }
}

// a^b for a > 0: forward and the gradients into both (g·b·a^(b−1), g·a^b·log a), broadcast included
for (const [sa, sb] of [[[7], [7]], [[3, 1, 5], [4, 1]], [[13], [1]]] as number[][][]) {
  t(`pow [${sa}] ∘ [${sb}]: forward and gradients`, async () => {
    const a = randn(sa.reduce((p, q) => p * q, 1), 21, 0.3, 2), b = randn(sb.reduce((p, q) => p * q, 1), 22, -2, 2);
    await checkOp({ shapes: [sa, sb], inputs: [a, b], gpu: ([x, y]) => E.pow(x, y), ref: ([x, y]) => broadcastRef(x, sa, y, sb, (u, v) => u ** v) });
  });
}

const unaries: [string, (x: Tensor) => Tensor, (x: number) => number, number, number][] = [
  ['relu', E.relu, (x) => Math.max(0, x), -1, 1],
  ['exp', E.exp, Math.exp, -2, 2],
  ['log', E.log, Math.log, 0.2, 3],
  ['sqrt', E.sqrt, Math.sqrt, 0.2, 3],
  ['neg', E.neg, (x) => -x, -1, 1],
  ['scale', (x) => E.scale(x, 2.5), (x) => 2.5 * x, -1, 1],
  ['powScalar', (x) => E.powScalar(x, 3), (x) => x ** 3, -1, 1],
  ['abs', E.abs, Math.abs, -1, 1],
];
for (const [name, op, f, lo, hi] of unaries) {
  for (const n of [1, 7, 1000]) {
    t(`${name} n=${n}: forward and gradient`, async () => {
      // nudge inputs off the kinks of relu/abs where finite differences are undefined
      const x = randn(n, 11 + n, lo, hi).map((v) => (Math.abs(v) < 0.01 ? 0.05 : v));
      await checkOp({ shapes: [[n]], inputs: [x], gpu: ([a]) => op(a), ref: ([a]) => unaryRef(a, f) });
    });
  }
}

t('four at a time (same shapes, n ≡ 0 mod 4): every binary and unary op at 4, 8204 (a partial last workgroup) and 1000004', async () => {
  for (const n of [4, 8204, 1000004]) {
    const a = randn(n, 5), b = randn(n, 6).map((v) => v + (v > 0 ? 0.5 : -0.5));
    for (const [name, op, f] of binaries) {
      const out = tidy(() => op(Tensor.from(a), Tensor.from(b)));
      assertClose(await out.read(), broadcastRef(a, [n], b, [n], f), 1e-5, `${name} at ${n}`);
      out.dispose();
    }
    const pos = a.map((v) => Math.abs(v) + 0.2);
    for (const [name, op, f, lo] of unaries) {
      const x = lo > 0 ? pos : a;
      const out = tidy(() => op(Tensor.from(x)));
      assertClose(await out.read(), unaryRef(x, f), 1e-5, `${name} at ${n}`);
      out.dispose();
    }
    const filled = E.fill([n], 2.5);
    assertClose(await filled.read(), new Array(n).fill(2.5), 0, `fill at ${n}`);
    filled.dispose();
  }
});

t('large awkward sizes (1000003, past one dispatch dimension at small workgroups)', async () => {
  const n = 1000003;
  const a = randn(n, 1), b = randn(n, 2);
  const out = tidy(() => E.add(Tensor.from(a), Tensor.from(b)));
  const got = await out.read();
  assertClose(got, broadcastRef(a, [n], b, [n], (x, y) => x + y), 1e-6);
  out.dispose();
});

t('where picks by mask; greater/equal give 0/1', async () => {
  const m = Tensor.from([1, 0, 1, 0]); const a = Tensor.from([1, 2, 3, 4]); const b = Tensor.from([9, 8, 7, 6]);
  assert.equal([...await E.where(m, a, b).read()], [1, 8, 3, 6]);
  assert.equal([...await E.greater(a, Tensor.from([2])).read()], [0, 0, 1, 1]);
  assert.equal([...await E.equal(a, Tensor.from([3])).read()], [0, 0, 1, 0]);
});

t('relu, maximum and addRelu keep NaN (WGSL leaves max(NaN, y) to the adapter; llvmpipe drops it)', async () => {
  // both entry points: 8 elements take the vec4 path, 5 the scalar one
  for (const v of [[NaN, 1, -1, Infinity, -Infinity, NaN, 2, -3], [NaN, 1, -1, Infinity, -Infinity]]) {
    const x = Tensor.from(v);
    const relu = [...await E.relu(x).read()];
    assert.equal(relu.map(String), v.map((a) => String(Number.isNaN(a) ? NaN : Math.max(0, a))), `relu of ${v.length}`);
    const mx = [...await E.maximum(x, Tensor.from(v.map(() => 0))).read()];
    assert.ok(Number.isNaN(mx[0]), 'maximum(NaN, 0)');
    const ar = [...await E.addRelu(x, Tensor.from(v.map(() => 0))).read()];
    assert.ok(Number.isNaN(ar[0]) && ar[1] === 1 && ar[2] === 0, `addRelu ${ar}`);
  }
});

t('a tensor used twice accumulates both gradients (x·x, diamond)', async () => {
  await checkOp({ shapes: [[5]], gpu: ([x]) => E.add(E.mul(x, x), E.exp(x)), ref: ([x]) => x.map((v) => v * v + Math.exp(v)) });
  // diamond: y = relu(x); z = y·y + 3y
  await checkOp({ shapes: [[6]], inputs: [randn(6, 4).map((v) => v + (v > 0 ? 0.05 : -0.05))],
    gpu: ([x]) => { const y = E.relu(x); return E.add(E.mul(y, y), E.scale(y, 3)); },
    ref: ([x]) => x.map((v) => { const y = Math.max(0, v); return y * y + 3 * y; }) });
});

t.run();
