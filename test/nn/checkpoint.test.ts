import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn } from '../helpers/check.js';
import { Tensor, tidy, noGrad } from '../../src/tensor/index.js';
import { STGCN } from '../../src/nn/stgcn.js';
import { saveEncoder, loadEncoder, stateDict, expectedShapes } from '../../src/nn/checkpoint.js';
import { loadSafetensors, saveSafetensors } from '../../src/data/safetensors.js';
import { getLayout, bonesTowardsCentre } from '../../src/skeleton/layouts.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('nn/checkpoint');
let dir = '';
t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-ckpt-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function trainedOnce(model: STGCN): Promise<void> {
  // one training forward moves the running statistics and counts a batch
  const shape = [2, 3, 8, model.V, 2];
  const y = tidy(() => noGrad(() => model.features(Tensor.from(randn(size(shape), 4, -2, 3), shape))));
  await y.read(); y.dispose();
}

t('save → load is bit-exact (parameters, running statistics, counters) and the file has the PyTorch names', async () => {
  const model = new STGCN({ layout: getLayout('ntu25'), hidden: 4, hiddenDim: 8, seed: 3 });
  await trainedOnce(model);
  const path = join(dir, 'a.safetensors');
  await saveEncoder(path, model);
  const file = loadSafetensors(path);
  assert.equal(Object.keys(file.tensors).sort(), Object.keys(expectedShapes(model)).sort());
  assert.equal(file.tensors['data_bn.num_batches_tracked'], { dtype: 'I64', shape: [], data: BigInt64Array.of(1n) });
  assert.is(file.metadata.layout, 'ntu25');
  assert.is(file.metadata.hidden_dim, '8');
  const { model: back } = loadEncoder(path);
  const [s0, s1] = [await stateDict(model), await stateDict(back)];
  for (const name of Object.keys(s0)) {
    assert.equal(s1[name].shape, s0[name].shape, name);
    assert.ok(bytes(s1[name].data).equals(bytes(s0[name].data)), `${name} differs after the round trip`);
  }
  // and the loaded model computes the same thing
  model.eval(); back.eval();
  const shape = [3, 3, 8, 25, 2];
  const x = randn(size(shape), 8);
  const [a, b] = tidy(() => noGrad(() => [model.features(Tensor.from(x, shape)), back.features(Tensor.from(x, shape))]));
  assert.equal([...await a.read()], [...await b.read()]);
  a.dispose(); b.dispose(); model.dispose(); back.dispose();
});

t('a custom layout travels inside the checkpoint', async () => {
  const edges: [number, number][] = [[0, 1], [1, 2], [1, 3]];
  const layout = { name: 'star4', V: 4, edges, centre: 1, bones: bonesTowardsCentre(4, edges, 1).bones };
  const model = new STGCN({ layout, blocks: [[3, 4, 1], [4, 5, 2]], head: 'linear', headDim: 3, seed: 1 });
  const path = join(dir, 'star.safetensors');
  await saveEncoder(path, model);
  const back = loadEncoder(path).model as STGCN;
  assert.equal(back.config.layout, layout);
  assert.equal(back.config.blocks, [[3, 4, 1], [4, 5, 2]]);
  assert.equal(Object.keys(expectedShapes(back)).filter((n) => n.startsWith('fc')), ['fc.weight', 'fc.bias']);
  model.dispose(); back.dispose();
});

t('missing, unexpected and mis-shaped tensors are reported together in one error', async () => {
  const model = new STGCN({ layout: getLayout('ntu25'), hidden: 4, hiddenDim: 8, seed: 3 });
  const path = join(dir, 'bad.safetensors');
  await saveEncoder(path, model);
  const { tensors, metadata } = loadSafetensors(path);
  delete tensors['st_gcn_networks.2.tcn.3.running_var'];
  tensors['edge_importance.4'] = { dtype: 'F32', shape: [3, 24, 24], data: new Float32Array(3 * 24 * 24) };
  tensors['fcn.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
  saveSafetensors(path, tensors, metadata);
  try {
    loadEncoder(path);
    assert.unreachable('loading should fail');
  } catch (e) {
    assert.instance(e, UserError);
    const msg = (e as Error).message;
    assert.match(msg, 'missing (1): st_gcn_networks.2.tcn.3.running_var');
    assert.match(msg, 'unexpected (1): fcn.weight');
    assert.match(msg, 'edge_importance.4: found [3, 24, 24], expected [3, 25, 25]');
  }
  model.dispose();
});

t.run();
