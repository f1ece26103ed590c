import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, randn, assertClose, dispatched } from '../../helpers/check.js';
import { Tensor } from '../../../src/tensor/index.js';
import { gemm } from '../../../src/ops/matmul/gemm.js';
import { matmulVariants } from '../../../src/ops/matmul/variants.js';
import { matmulRef } from '../../../src/ops/matmul/reference.js';

const t = suite('ops/matmul/gemm');
t.before(async () => { await engine(); });

t('k-major windows (regk): the bias epilogue (per column, per row, per element), added once over k windows, also turned', async () => {
  const v = matmulVariants.ubok16x16;
  // [M, N, K, bias strides (m, n), A stored transposed]: 3000 k = 24 windows; 400 × 128 × 64 with
  // A stored (K, M) runs turned (B is the smaller side to pack): C and the bias per element, strided
  const cases: [number, number, number, number, number, boolean][] = [[70, 92, 3000, 0, 1, false], [70, 92, 40, 1, 0, false],
    [36, 64, 3000, 64, 1, false], [400, 128, 64, 128, 1, true], [400, 128, 64, 1, 0, true]];
  for (const [M, N, K, sm, sn, aT] of cases) {
    const a = randn(M * K, 21), b = randn(K * N, 22), bias = randn(sm ? M * sm : N, 23);
    const ta = Tensor.from(a, aT ? [K, M] : [M, K]), tb = Tensor.from(b, [K, N]), tbias = Tensor.from(bias), out = Tensor.empty([M, N]);
    const { names } = await dispatched(() => gemm({ M, N, K, batch: 1, a: aT ? { buf: ta.buffer, rs: 1, cs: M, bs: 0 } : { buf: ta.buffer, rs: K, cs: 1, bs: 0 },
      b: { buf: tb.buffer, rs: N, cs: 1, bs: 0 }, c: { buf: out.buffer, rs: N, cs: 1, bs: 0 }, bias: { buf: tbias.buffer, sm, sn } }, v));
    const ref = matmulRef(a, aT ? [K, M] : [M, K], b, [K, N], aT);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) ref[m * N + n] += bias[m * sm + n * sn];
    assertClose(await out.read(), ref, 1e-4, `${M}×${N}×${K} bias (${sm}, ${sn})`);
    assert.ok(names.some((n) => n.startsWith('matmul/regk:regk')), names.join(', '));
    for (const x of [ta, tb, tbias, out]) x.dispose();
  }
});

t.run();
