import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn, assertClose, checkOp } from '../helpers/check.js';
import { Tensor, tidy, noGrad } from '../../src/tensor/index.js';
import { GRUEncoder } from '../../src/nn/gru.js';
import { expectedShapes, loadStateDict } from '../../src/nn/checkpoint.js';
import { gruEncoderRef } from '../../src/nn/gru-reference.js';
import type { RefState } from '../../src/nn/stgcn-reference.js';
import { getLayout, bonesTowardsCentre, type Layout } from '../../src/skeleton/layouts.js';
import type { TensorMap } from '../../src/data/safetensors.js';

const t = suite('nn/gru');
t.before(async () => { await engine(); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

function tinyLayout(): Layout {
  const edges: [number, number][] = [[0, 1], [1, 2], [2, 3], [1, 4]];
  return { name: 'tiny5', V: 5, edges, centre: 1, bones: bonesTowardsCentre(5, edges, 1).bones };
}

/** Random values for every tensor of the state (positive BN scale and variance). */
function randomState(model: GRUEncoder, seed: number, scale = 0.5): RefState {
  const out: RefState = {};
  let k = seed;
  for (const [name, shape] of Object.entries(expectedShapes(model))) {
    if (name.endsWith('num_batches_tracked')) continue;
    const positive = name === 'input_norm.running_var' || name === 'input_norm.weight';
    out[name] = randn(size(shape), k++, positive ? 0.5 : -scale, positive ? 1.5 : scale);
  }
  return out;
}

function toTensorMap(model: GRUEncoder, s: RefState): TensorMap {
  const m: TensorMap = {};
  for (const [name, shape] of Object.entries(expectedShapes(model))) {
    m[name] = name.endsWith('num_batches_tracked') ? { dtype: 'I64', shape, data: BigInt64Array.of(0n) } : { dtype: 'F32', shape, data: Float32Array.from(s[name]) };
  }
  return m;
}

t('the paper-size encoder: the official module names and shapes, 49.5 M parameters', () => {
  const model = new GRUEncoder({ layout: getLayout('ntu25') });
  try {
    const shapes = expectedShapes(model);
    const want: Record<string, number[]> = {
      'encoder.gru.weight_ih_l0': [3072, 150], 'encoder.gru.weight_hh_l0': [3072, 1024], 'encoder.gru.bias_ih_l0': [3072], 'encoder.gru.bias_hh_l0': [3072],
      'encoder.gru.weight_ih_l0_reverse': [3072, 150], 'encoder.gru.bias_hh_l0_reverse': [3072],
      'encoder.gru.weight_ih_l1': [3072, 2048], 'encoder.gru.weight_ih_l2_reverse': [3072, 2048], 'encoder.gru.weight_hh_l2_reverse': [3072, 1024],
      'fc.0.weight': [2048, 2048], 'fc.0.bias': [2048], 'fc.2.weight': [128, 2048], 'fc.2.bias': [128],
      'input_norm.weight': [150], 'input_norm.bias': [150], 'input_norm.running_mean': [150], 'input_norm.running_var': [150], 'input_norm.num_batches_tracked': [],
    };
    for (const [n, s] of Object.entries(want)) assert.equal(shapes[n], s, n);
    assert.is(Object.keys(shapes).length, 3 * 2 * 4 + 4 + 5, 'nothing else');
    const params = model.parameters().reduce((a, p) => a + p.size, 0);
    assert.is(params, 49_457_580);
    assert.is(model.featureDim, 2048);
  } finally {
    model.dispose();
  }
});

t('initialisation: Xavier-uniform GRU weights over the stacked (3H, in), default biases, head fc.0 default and fc.2 Xavier, BN 1 / 0', async () => {
  const H = 32, model = new GRUEncoder({ layout: getLayout('ntu25'), hidden: H, layers: 2, headDim: 64, seed: 3 });
  try {
    const p = Object.fromEntries(model.namedParameters());
    const maxAbs = async (n: string) => (await p[n].read()).reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    const within = async (n: string, bound: number) => {
      const m = await maxAbs(n);
      assert.ok(m <= bound * (1 + 1e-6) && m > 0.9 * bound, `${n}: max |w| ${m} against the bound ${bound}`);
    };
    await within('encoder.gru.weight_ih_l0', Math.sqrt(6 / (150 + 3 * H)));
    await within('encoder.gru.weight_hh_l1_reverse', Math.sqrt(6 / (H + 3 * H)));
    await within('encoder.gru.weight_ih_l1', Math.sqrt(6 / (2 * H + 3 * H)));
    await within('encoder.gru.bias_ih_l0', 1 / Math.sqrt(H));
    await within('encoder.gru.bias_hh_l1_reverse', 1 / Math.sqrt(H));
    await within('fc.0.weight', 1 / Math.sqrt(2 * H));
    await within('fc.2.weight', Math.sqrt(6 / (2 * H + 64)));
    await within('fc.2.bias', 1 / Math.sqrt(2 * H));
    assert.ok((await p['input_norm.weight'].read()).every((v) => v === 1));
    assert.ok((await p['input_norm.bias'].read()).every((v) => v === 0));
  } finally {
    model.dispose();
  }
});

t('input flattening: feature v·C·M + c·M + m (v·6 + c·2 + m for NTU), seen in the input norm\'s running mean', async () => {
  const model = new GRUEncoder({ layout: getLayout('ntu25'), hidden: 4, layers: 1, head: 'none' });
  try {
    const [N, C, T, V, M] = [2, 3, 3, 25, 2];
    const x = new Float32Array(N * C * T * V * M);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let tt = 0; tt < T; tt++) for (let v = 0; v < V; v++) for (let m = 0; m < M; m++)
      x[(((n * C + c) * T + tt) * V + v) * M + m] = v * 6 + c * 2 + m;
    tidy(() => noGrad(() => model.features(Tensor.from(x, [N, C, T, V, M]))));
    const mean = await model.inputNorm.state.runningMean.read();
    assertClose(mean, Float64Array.from({ length: 150 }, (_, f) => 0.1 * f), 1e-6, 'running mean after one batch (momentum 0.1)');
  } finally {
    model.dispose();
  }
});

for (const bidirectional of [false, true]) {
  const mode = bidirectional ? 'bidirectional' : 'faithful (both cells forward)';
  t(`${mode}: features and head outputs against the reference of the whole encoder, BN in training and eval mode (N 3, T 6, V 5, M 2, H 7, 3 layers)`, async () => {
    const layout = tinyLayout();
    const model = new GRUEncoder({ layout, persons: 2, hidden: 7, layers: 3, bidirectional, headDim: 5, seed: 1 });
    try {
      const s = randomState(model, 40);
      loadStateDict(model, toTensorMap(model, s));
      const shape = [3, 3, 6, 5, 2];
      const x = randn(size(shape), 2, -2, 2);
      const ref = { hidden: 7, layers: 3, bidirectional, head: 'mlp' as const };
      for (const training of [true, false]) {
        loadStateDict(model, toTensorMap(model, s));   // the training pass moved the running statistics
        model.train(training);
        const { f, z } = tidy(() => noGrad(() => {
          const feat = model.features(Tensor.from(x, shape));
          return { f: feat, z: model.project(feat) };
        }));
        assertClose(await f.read(), gruEncoderRef(ref, s, x, shape, training), 2e-5, `features (${training ? 'train' : 'eval'})`);
        assertClose(await z.read(), gruEncoderRef(ref, s, x, shape, training, true), 2e-5, `head (${training ? 'train' : 'eval'})`);
        f.dispose(); z.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  t(`${mode}: the gradient of the features with respect to the input by finite differences (input norm, flattening, 2 layers, last states)`, async () => {
    const model = new GRUEncoder({ layout: tinyLayout(), persons: 1, hidden: 3, layers: 2, bidirectional, head: 'none', seed: 2 });
    try {
      const s = randomState(model, 7, 0.8);
      loadStateDict(model, toTensorMap(model, s));
      const shape = [2, 3, 4, 5, 1];
      const ref = { hidden: 3, layers: 2, bidirectional, head: 'none' as const };
      await checkOp({ shapes: [shape], gpu: ([x]) => model.features(x), ref: ([x]) => gruEncoderRef(ref, s, x, shape, true) });
    } finally {
      model.dispose();
    }
  });
}

t('a wrong input size is refused with the sizes named', () => {
  const model = new GRUEncoder({ layout: getLayout('ntu25'), hidden: 4, layers: 1 });
  try {
    assert.throws(() => tidy(() => model.features(Tensor.from(new Float32Array(3 * 2 * 25), [1, 3, 2, 25, 1]))), /reads 150 \(V 25 × C 3 × M 2\)/);
  } finally {
    model.dispose();
  }
});

t.run();
