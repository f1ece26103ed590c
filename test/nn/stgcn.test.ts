import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn, assertClose } from '../helpers/check.js';
import { Tensor, tidy, backward } from '../../src/tensor/index.js';
import { mul, sumAll } from '../helpers/ops.js';
import { STGCN } from '../../src/nn/stgcn.js';
import { expectedShapes, loadStateDict } from '../../src/nn/checkpoint.js';
import { stgcnRef, type RefState, type RefModel } from '../../src/nn/stgcn-reference.js';
import { getLayout, bonesTowardsCentre, type Layout } from '../../src/skeleton/layouts.js';
import { spatialPartition } from '../../src/skeleton/graph.js';
import type { TensorMap } from '../../src/data/safetensors.js';

const t = suite('nn/stgcn');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** A 5-joint layout (a spine with two branches) keeps finite differences cheap. */
function tinyLayout(): Layout {
  const edges: [number, number][] = [[0, 1], [1, 2], [2, 3], [1, 4]];
  return { name: 'tiny5', V: 5, edges, centre: 1, bones: bonesTowardsCentre(5, edges, 1).bones };
}

/** Random values for every tensor of the state (positive BN scales and variances). */
function randomState(model: STGCN, seed: number): RefState {
  const out: RefState = {};
  let k = seed;
  for (const [name, shape] of Object.entries(expectedShapes(model))) {
    if (name.endsWith('num_batches_tracked')) continue;
    const positive = name.endsWith('running_var') || (/(data_bn|tcn\.[03]|residual\.1)\.weight$/.test(name));
    out[name] = randn(size(shape), k++, positive ? 0.5 : -0.5, positive ? 1.5 : 0.5);
  }
  return out;
}

function toTensorMap(model: STGCN, s: RefState): TensorMap {
  const m: TensorMap = {};
  for (const [name, shape] of Object.entries(expectedShapes(model))) {
    m[name] = name.endsWith('num_batches_tracked') ? { dtype: 'I64', shape, data: BigInt64Array.of(0n) } : { dtype: 'F32', shape, data: Float32Array.from(s[name]) };
  }
  return m;
}

function refModel(model: STGCN): RefModel {
  return { blocks: model.config.blocks, K: model.K, V: model.V, A: Float64Array.from(spatialPartition(model.config.layout)), head: model.config.head };
}

t('the paper-size encoder has the PyTorch ST-GCN names and shapes', () => {
  const model = new STGCN({ layout: getLayout('ntu25') });
  const shapes = expectedShapes(model);
  const want: Record<string, number[]> = {
    'data_bn.weight': [75], 'data_bn.running_var': [75], 'data_bn.num_batches_tracked': [],
    'st_gcn_networks.0.gcn.conv.weight': [48, 3, 1, 1], 'st_gcn_networks.0.gcn.conv.bias': [48],
    'st_gcn_networks.0.tcn.0.running_mean': [16], 'st_gcn_networks.0.tcn.2.weight': [16, 16, 9, 1], 'st_gcn_networks.0.tcn.3.bias': [16],
    'st_gcn_networks.4.residual.0.weight': [32, 16, 1, 1], 'st_gcn_networks.4.residual.1.num_batches_tracked': [],
    'st_gcn_networks.9.gcn.conv.weight': [768, 64, 1, 1], 'st_gcn_networks.9.tcn.2.weight': [256, 256, 9, 1],
    'st_gcn_networks.9.residual.0.weight': [256, 64, 1, 1],
    'edge_importance.0': [3, 25, 25], 'edge_importance.9': [3, 25, 25],
    'fc.0.weight': [256, 256], 'fc.0.bias': [256], 'fc.2.weight': [128, 256], 'fc.2.bias': [128],
  };
  for (const [n, s] of Object.entries(want)) assert.equal(shapes[n], s, n);
  // residual convs only where the shape changes: blocks 4, 7 and 9; block 0 has none
  const residuals = Object.keys(shapes).filter((n) => n.endsWith('residual.0.weight')).map((n) => n.split('.')[1]);
  assert.equal(residuals, ['4', '7', '9']);
  // data_bn (5) + 10 blocks × (gcn conv 2 + tcn 2 BN × 5 + conv 2) + 3 conv residuals × (2 + 5) + 10 masks + head 4
  for (const n of Object.keys(shapes)) assert.ok(/^(data_bn|st_gcn_networks\.\d\.(gcn\.conv|tcn\.[023]|residual\.[01])|edge_importance|fc\.[02])\./.test(n + '.'), n);
  assert.is(Object.keys(shapes).length, 5 + 10 * (2 + 5 + 2 + 5) + 3 * (2 + 5) + 10 + 4);
  model.dispose();
});

t('initialisation follows PyTorch defaults and the seed', async () => {
  const a = new STGCN({ layout: getLayout('ntu25'), hidden: 4, hiddenDim: 8, seed: 3 });
  const b = new STGCN({ layout: getLayout('ntu25'), hidden: 4, hiddenDim: 8, seed: 3 });
  const c = new STGCN({ layout: getLayout('ntu25'), hidden: 4, hiddenDim: 8, seed: 4 });
  const pa = Object.fromEntries(a.namedParameters()), pb = Object.fromEntries(b.namedParameters()), pc = Object.fromEntries(c.namedParameters());
  const w = await pa['st_gcn_networks.1.tcn.2.weight'].read();   // fan_in = 4·9
  const bound = 1 / Math.sqrt(36);
  assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w.map(Math.abs)) > 0.8 * bound, 'kaiming-uniform bound');
  assert.equal([...await pb['st_gcn_networks.1.tcn.2.weight'].read()], [...w], 'same seed, same weights');
  assert.not.equal([...await pc['st_gcn_networks.1.tcn.2.weight'].read()], [...w], 'another seed, other weights');
  const fb = await pa['fc.2.bias'].read();
  assert.ok(fb.every((v) => Math.abs(v) <= 1 / Math.sqrt(8)));
  assert.ok((await pa['st_gcn_networks.0.tcn.0.weight'].read()).every((v) => v === 1));
  assert.ok((await pa['st_gcn_networks.0.tcn.0.bias'].read()).every((v) => v === 0));
  assert.ok((await pa['edge_importance.2'].read()).every((v) => v === 1));
  assert.ok((await Object.fromEntries(a.namedBuffers())['data_bn.running_var'].read()).every((v) => v === 1));
  a.dispose(); b.dispose(); c.dispose();
});

t('eval-mode forward of the 10-block plan (NTU graph, small channels) equals the float64 reference', async () => {
  const model = new STGCN({ layout: getLayout('ntu25'), hidden: 4, hiddenDim: 12, headDim: 5, seed: 2 }).eval();
  const s = randomState(model, 40);
  loadStateDict(model, toTensorMap(model, s));
  const shape = [2, 3, 9, 25, 2];
  const x = randn(size(shape), 5);
  const [f, z] = tidy(() => { const xt = Tensor.from(x, shape); const feat = model.features(xt); return [feat, model.project(feat)]; });
  assert.equal(f.shape, [2, 12]);
  assertClose(await f.read(), stgcnRef(refModel(model), s, x, shape, false), 1e-4, 'feature');
  assertClose(await z.read(), stgcnRef(refModel(model), s, x, shape, false, true), 1e-4, 'head');
  f.dispose(); z.dispose(); model.dispose();
});

t('a tiny encoder (2 blocks, training mode, MLP head): gradients of every parameter and the input match finite differences', async () => {
  const model = new STGCN({ layout: tinyLayout(), blocks: [[3, 4, 1], [4, 6, 2]], headDim: 5, dropout: 0, seed: 1 });
  const s = randomState(model, 7);
  loadStateDict(model, toTensorMap(model, s));
  const shape = [2, 3, 6, 5, 2];
  const x = randn(size(shape), 9);
  const rm = refModel(model);
  const ref = (st: RefState, xi: Float64Array) => stgcnRef(rm, st, xi, shape, true, true);
  const out0 = ref(s, x);
  const w = randn(out0.length, 99, 0.5, 1.5);
  const { y, xt } = tidy(() => {
    const xt = Tensor.from(x, shape).param();
    const y = model.project(model.features(xt));
    backward(sumAll(mul(y, Tensor.from(w, y.shape))));
    return { y, xt };
  });
  assertClose(await y.read(), out0, 1e-4, 'forward');
  const f = (st: RefState, xi: Float64Array) => { const o = ref(st, xi); let acc = 0; for (let i = 0; i < o.length; i++) acc += o[i] * w[i]; return acc; };
  const eps = 1e-5;
  const fd = (arr: Float64Array, eval_: () => number) => Float64Array.from(arr, (v, j) => {
    arr[j] = v + eps; const p = eval_(); arr[j] = v - eps; const m = eval_(); arr[j] = v; return (p - m) / (2 * eps);
  });
  for (const [name, p] of model.namedParameters()) {
    assertClose(await p.grad!.read(), fd(s[name], () => f(s, x)), 2e-3, `gradient of ${name}`);
  }
  assertClose(await xt.grad!.read(), fd(x, () => f(s, x)), 2e-3, 'gradient of the input');
  // the training forward counted one batch in every BN
  assert.ok(model.namedCounters().every(([, c]) => c.value === 1));
  for (const p of model.parameters()) { p.grad?.dispose(); p.grad = undefined; }
  y.dispose(); xt.dispose(); model.dispose();
});

t('dropout acts in training mode only', async () => {
  const model = new STGCN({ layout: tinyLayout(), blocks: [[3, 8, 1], [8, 8, 1]], dropout: 0.5, head: 'none', seed: 5 });
  const shape = [2, 3, 4, 5, 1];
  const x = randn(size(shape), 3);
  const run = () => tidy(() => model.features(Tensor.from(x, shape)));
  model.eval();
  const [e1, e2] = [run(), run()];
  assert.equal([...await e1.read()], [...await e2.read()], 'eval is deterministic');
  model.train();
  const [t1, t2] = [run(), run()];
  assert.not.equal([...await t1.read()], [...await t2.read()], 'two training forwards draw different masks');
  for (const z of [e1, e2, t1, t2]) z.dispose();
  model.dispose();
});

t.run();
