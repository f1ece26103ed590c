/**
 * Tuning the top-k family (src/ops/topk.ts `topkMask`, the CMD/IMD teacher selection): the mask
 * entry's workgroup size (override WG). Every size selects exactly the same elements, so a
 * variant is accepted only when its mask and thresholds are bit-identical to the default's.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { topkMask, topkShapeClass } from '../ops/topk.js';
import { defaultSetting } from '../gpu/policy.js';
import { Rng } from '../util/random.js';
import { presets } from '../i2md/config.js';
import type { TuneCase, TuneFamily } from './tuner.js';

/** The workgroup sizes tried (the default: 256, or 32 on software adapters); those over the device's limits are dropped. */
export const topkWorkgroups = [32, 64, 128, 256, 512, 1024];

interface Shape { label: string; rows: number; cols: number; k: number }
/** CMD/IMD's selection: the teacher's similarities (batch × queue), top-k of the preset. */
const shapes = (): Shape[] => (['stgcn-paper', 'demo'] as const).map((name) => {
  const c = presets[name];
  return { label: `CMD top-k, ${name} (${c.batchSize} × ${c.queueSize}, k ${c.topk})`, rows: c.batchSize, cols: c.queueSize, k: c.topk };
});

function maskCase(s: Shape): TuneCase {
  const g = G();
  const max = Math.min(g.limits.maxComputeInvocationsPerWorkgroup, g.limits.maxComputeWorkgroupSizeX);
  let x: Tensor | undefined;
  return {
    label: s.label, shape: `${s.rows}x${s.cols}k${s.k}`, shapeClass: topkShapeClass(s.rows, s.cols, s.k), defaultName: `wg${defaultSetting('topk')}`,
    candidates: topkWorkgroups.filter((w) => w <= max).map((w) => ({ name: `wg${w}`, overrides: { WG: w } })),
    run() {
      if (!x) {
        // similarities in [−1, 1] rounded to a 1/4096 grid, so ties at the threshold happen as in training
        const rng = new Rng(3);
        x = Tensor.from(Float32Array.from({ length: s.rows * s.cols }, () => Math.round(rng.uniform(-1, 1) * 4096) / 4096), [s.rows, s.cols]).keep();
      }
      const { mask, threshold } = topkMask(x, s.k);
      return [mask, threshold];
    },
    tol: 0,
    dispose() { x?.dispose(); x = undefined; },
  };
}

export const topkFamily: TuneFamily = {
  family: 'topk',
  cases: () => shapes().map(maskCase),   // both are quick
};
