/**
 * Tuning the contrastive family (src/ops/contrastive.ts): the split-K backward's `GROUPS`, the
 * number of workgroups `chunking` aims for (default 512, sized for a large GPU; a CPU adapter
 * with a few cores may prefer fewer, longer chunks). Measured on InfoNCE forward + backward, the
 * step's use of it; candidates that give the same chunking for the shape are measured once.
 * Where the device has subgroups, also the row pass with subgroup reductions (override SG = 1,
 * kernels/contrastive_sg.wgsl). Outputs (the loss and dq) differ from the default only by the
 * order of the sums. Where the queue products go through gemm (software adapters, `simPath`),
 * only the row pass is left to choose.
 */
import { Tensor, G, tidy } from '../tensor/tensor.js';
import { backward } from '../tensor/index.js';
import { infoNCE, chunking, contrastiveShapeClass, TARGET_GROUPS, simPath } from '../ops/contrastive.js';
import { Rng } from '../util/random.js';
import { presets } from '../i2md/config.js';
import type { Candidate, TuneCase, TuneFamily } from './tuner.js';

/** Workgroup targets tried (powers of two); only those giving distinct chunk sizes are kept per shape. */
export const contrastiveGroups = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048];

interface Shape { label: string; n: number; d: number; k: number }
/** InfoNCE of a preset: batch × head dim against the queue. */
const shapes = (): Shape[] => (['stgcn-paper', 'demo'] as const).map((name) => {
  const c = presets[name];
  return { label: `InfoNCE fwd+bwd, ${name} (N ${c.batchSize}, d ${c.headDim}, K ${c.queueSize})`, n: c.batchSize, d: c.headDim, k: c.queueSize };
});

function unitRows(rows: number, cols: number, rng: Rng): Float32Array {
  const x = Float32Array.from({ length: rows * cols }, () => rng.normal());
  for (let i = 0; i < rows; i++) {
    let s = 0; for (let j = 0; j < cols; j++) s += x[i * cols + j] ** 2;
    for (let j = 0; j < cols; j++) x[i * cols + j] /= Math.sqrt(s);
  }
  return x;
}

function nceCase(s: Shape): TuneCase {
  const { n, d, k } = s;
  // one candidate per distinct chunk size, the default's name kept for its chunking
  const byChunk = new Map<number, Candidate>();
  const name = (gr: number) => `groups${gr}`;
  byChunk.set(chunking(n, d, k, TARGET_GROUPS).chunk, { name: name(TARGET_GROUPS), overrides: { GROUPS: TARGET_GROUPS } });
  // where the queue goes through gemm (software adapters) nothing is split over K: no GROUPS to try
  if (simPath() === 'tiles') {
    for (const gr of contrastiveGroups) {
      const c = chunking(n, d, k, gr).chunk;
      if (!byChunk.has(c)) byChunk.set(c, { name: name(gr), overrides: { GROUPS: gr } });
    }
  }
  // the subgroup row pass (kernels/contrastive_sg.wgsl) with the default chunking, where the device has subgroups
  if (G().summary.features.includes('subgroups')) byChunk.set(-1, { name: `${name(TARGET_GROUPS)}sg`, overrides: { GROUPS: TARGET_GROUPS, SG: 1 } });
  let q: Tensor | undefined, key: Tensor | undefined, Q: Tensor | undefined;
  return {
    label: s.label, shape: `n${n}d${d}k${k}`, shapeClass: contrastiveShapeClass(n, d, k), defaultName: name(TARGET_GROUPS),
    candidates: [...byChunk.values()],
    run() {
      if (!q) {
        const rng = new Rng(4);
        q = Tensor.from(unitRows(n, d, rng), [n, d]).param();
        key = Tensor.from(unitRows(n, d, rng), [n, d]).keep();
        // the queue (d, K) holds unit-norm keys as columns
        const cols = unitRows(k, d, rng), data = new Float32Array(d * k);
        for (let j = 0; j < k; j++) for (let c = 0; c < d; c++) data[c * k + j] = cols[j * d + c];
        Q = Tensor.from(data, [d, k]).keep();
      }
      const loss = tidy(() => { const l = infoNCE(q!, key!, Q!, 0.07); backward(l); return l; });
      const dq = q.grad!;
      q.grad = undefined;
      return [loss, dq];
    },
    tol: 1e-5,
    dispose() { for (const t of [q, key, Q]) t?.dispose(); q = key = Q = undefined; },
    flops: 2 * 2 * n * d * k,
  };
}

export const contrastiveFamily: TuneFamily = {
  family: 'contrastive',
  cases: () => shapes().map(nceCase),   // both are quick
};
