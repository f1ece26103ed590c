import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, checkOp, randn, assertClose, dispatched } from '../../helpers/check.js';
import { Tensor, tidy, noGrad } from '../../../src/tensor/index.js';
import { gruLayer, type GruCellWeights } from '../../../src/ops/gru/layer.js';
import { gruLayerRef, type GruCellRef } from '../../../src/ops/gru/reference.js';

const t = suite('ops/gru');
t.before(async () => { await engine(); });

/** Shapes of D cells' weights, in the op's input order after x (and h0). */
const cellShapes = (D: number, I: number, H: number): number[][] =>
  Array.from({ length: D }, () => [[3 * H, I], [3 * H, H], [3 * H], [3 * H]]).flat();
const toCells = (ts: Tensor[]): GruCellWeights[] =>
  Array.from({ length: ts.length / 4 }, (_, d) => ({ wIh: ts[4 * d], wHh: ts[4 * d + 1], bIh: ts[4 * d + 2], bHh: ts[4 * d + 3] }));
const toRefCells = (xs: Float64Array[]): GruCellRef[] =>
  Array.from({ length: xs.length / 4 }, (_, d) => ({ wIh: xs[4 * d], wHh: xs[4 * d + 1], bIh: xs[4 * d + 2], bHh: xs[4 * d + 3] }));

// the cell: one step from a given state, every input checked by finite differences
for (const [B, I, H] of [[3, 5, 7], [1, 1, 1], [2, 13, 67]]) {
  t(`cell (one step from h0): forward and gradients of x, h0, W_ih, W_hh, b_ih, b_hh at B ${B}, I ${I}, H ${H}`, async () => {
    await checkOp({
      shapes: [[1, B, I], [1, B, H], ...cellShapes(1, I, H)],
      gpu: ([x, h0, ...w]) => gruLayer(x, toCells(w), { h0 }),
      ref: ([x, h0, ...w]) => gruLayerRef(x, 1, B, I, toRefCells(w), [], h0),
    });
  });
}

// a layer of two cells over 5 steps: both forward in time (the official encoder), one reversed
// (bidirectional), with and without initial states
for (const [name, reverse, withH0] of [['both forward', [false, false], false], ['bidirectional', [false, true], false], ['bidirectional from h0', [false, true], true]] as const) {
  t(`layer, 2 cells, 5 steps, ${name}: forward and every gradient (B 3, I 4, H 5)`, async () => {
    const [T, B, I, H] = [5, 3, 4, 5];
    const h0Shape = withH0 ? [[2, B, H]] : [];
    await checkOp({
      shapes: [[T, B, I], ...h0Shape, ...cellShapes(2, I, H)],
      gpu: (ts) => gruLayer(ts[0], toCells(ts.slice(withH0 ? 2 : 1)), { reverse, h0: withH0 ? ts[1] : undefined }),
      ref: (xs) => gruLayerRef(xs[0], T, B, I, toRefCells(xs.slice(withH0 ? 2 : 1)), reverse, withH0 ? xs[1] : undefined),
    });
  });
}

// the stack the encoder runs: layer 1 reads layer 0's two states side by side
for (const reverse of [[false, false], [false, true]]) {
  t(`2-layer stack, 5 steps, ${reverse[1] ? 'bidirectional' : 'both cells forward'}: forward and every gradient (B 2, I 3, H 4)`, async () => {
    const [T, B, I, H] = [5, 2, 3, 4];
    await checkOp({
      shapes: [[T, B, I], ...cellShapes(2, I, H), ...cellShapes(2, 2 * H, H)],
      gpu: ([x, ...w]) => gruLayer(gruLayer(x, toCells(w.slice(0, 8)), { reverse }), toCells(w.slice(8)), { reverse }),
      ref: ([x, ...w]) => gruLayerRef(gruLayerRef(x, T, B, I, toRefCells(w.slice(0, 8)), reverse), T, B, 2 * H, toRefCells(w.slice(8)), reverse),
    });
  });
}

t('forward at awkward sizes: T 7, B 5, I 150, H 67, two cells (B·H not a multiple of the workgroup); saturated gates stay finite', async () => {
  const [T, B, I, H] = [7, 5, 150, 67];
  for (const scale of [1, 40]) {
    const xs = [randn(T * B * I, 3, -scale, scale), ...cellShapes(2, I, H).map((s, i) => randn(s.reduce((a, b) => a * b, 1), 10 + i, -0.3, 0.3))];
    const out = tidy(() => noGrad(() => gruLayer(Tensor.from(xs[0], [T, B, I]), toCells(xs.slice(1).map((x, i) => Tensor.from(x, cellShapes(2, I, H)[i]))), { reverse: [false, true] })));
    const got = await out.read();
    out.dispose();
    assert.ok(got.every(Number.isFinite), 'finite');
    assertClose(got, gruLayerRef(xs[0], T, B, I, toRefCells(xs.slice(1)), [false, true]), 2e-5, `layer at input scale ${scale}`);
  }
});

t('without a tape nothing is saved; a step is one matmul and one cell dispatch per direction', async () => {
  const [T, B, I, H] = [6, 2, 3, 4];
  const ws = cellShapes(2, I, H).map((s, i) => Tensor.from(randn(s.reduce((a, b) => a * b, 1), i), s));
  const x = Tensor.from(randn(T * B * I, 9), [T, B, I]);
  const { names } = await dispatched(() => tidy(() => noGrad(() => gruLayer(x, toCells(ws)))).dispose());
  const cells = names.filter((n) => n.startsWith('gru/cell:forward')).length;
  assert.is(cells, 2 * T, 'one cell dispatch per step and direction');
  assert.not.ok(names.some((n) => n.includes('backward')));
  for (const w of [...ws, x]) w.dispose();
});

t.run();
