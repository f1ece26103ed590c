/**
 * The InfoNCE row pass with subgroup reductions (kernels/contrastive_sg.wgsl), forced the way a
 * tuned cache entry selects it (override SG = 1). Registered as skipped where the adapter has no
 * `subgroups` feature (llvmpipe through OpenGL ES); CI runs it on Vulkan lavapipe, which has it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkOp, randn, assertClose, dispatched } from '../helpers/check.js';
import { initEngine, Tensor, tidy } from '../../src/tensor/index.js';
import { infoNCE } from '../../src/ops/contrastive.js';
import { infoNCERef, normalizeRowsRef } from '../../src/i2md/reference.js';
import { forceVariant } from '../../src/gpu/policy.js';

const gpu = await initEngine();
const t = suite('i2md/contrastive_sg');
const test = gpu.summary.features.includes('subgroups') ? t : t.skip;
t.before.each(() => { forceVariant('contrastive', { variant: 'groups512sg', overrides: { GROUPS: 512, SG: 1 } }); });
t.after.each(() => { forceVariant('contrastive', undefined); });

function unitRows(n: number, d: number, seed: number): Float64Array { return normalizeRowsRef(randn(n * d, seed), n, d); }
function unitQueue(d: number, k: number, seed: number): Float64Array {
  const cols = unitRows(k, d, seed);
  const q = new Float64Array(d * k);
  for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) q[c * k + j] = cols[j * d + c];
  return q;
}

for (const masked of [false, true]) {
  test(`forward N=65, d=300 (more features than lanes), K=700${masked ? ', negMask' : ''} vs reference, through contrastive_sg`, async () => {
    const n = 65, d = 300, k = 700;
    const q = unitRows(n, d, 31), kk = unitRows(n, d, 32), Q = unitQueue(d, k, 33);
    const m = randn(n * k, 34, 0, 1).map((v) => (v < 0.4 ? 1 : 0));
    const { names, result: loss } = await dispatched(() =>
      tidy(() => infoNCE(Tensor.from(q, [n, d]), Tensor.from(kk, [n, d]), Tensor.from(Q, [d, k]), 0.07, masked ? Tensor.from(m, [n, k]) : undefined)));
    assert.ok(names.some((s) => s.startsWith('contrastive_sg:rows')), `the subgroup row pass ran (${names.join(', ')})`);
    assertClose([await loss.item()], [infoNCERef(q, kk, Q, n, d, k, 0.07, masked ? m : undefined)], 1e-5, 'loss');
    loss.dispose();
  });
}

test('gradients into q and k by finite differences (N=3, d=5, K=7, negMask), through contrastive_sg', async () => {
  const n = 3, d = 5, k = 7;
  const m = randn(n * k, 21, 0, 1).map((v) => (v < 0.4 ? 1 : 0));
  await checkOp({
    shapes: [[n, d], [n, d], [d, k]],
    inputs: [randn(n * d, 1, -0.5, 0.5), randn(n * d, 2, -0.5, 0.5), randn(d * k, 3, -0.5, 0.5)],
    wrt: [0, 1], eps: 1e-3, tol: 3e-3,
    gpu: ([q, kk, Q]) => infoNCE(q, kk, Q, 0.07, Tensor.from(m, [n, k])),
    ref: ([q, kk, Q]) => Float64Array.of(infoNCERef(q, kk, Q, n, d, k, 0.07, m)),
  });
});

t.run();
