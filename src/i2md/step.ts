/**
 * One pre-training step (docs/method.md), all on the GPU:
 *   1. EMA of the keys (before the key pass);
 *   2. per modality, motion/bone from each augmented view;
 *   3. key pass (no gradient) → k, k′; query pass → q, q′;
 *   4. L = Σ_m (InfoNCE + cluster InfoNCE with DNA + λ_imd·IMD) + λ_cmd·CMD;
 *   5. backward, SGD step;
 *   6. enqueue the keys into every queue at the same pointer.
 * The loss terms stay on the GPU (kept scalars) so the loop reads them back only every N steps.
 */
import { Tensor, tidy, backward, noGrad } from '../tensor/index.js';
import { add, scale } from '../ops/elementwise.js';
import { sumAxes } from '../ops/reduce.js';
import { l2Normalize } from '../ops/softmax.js';
import { motionGpu, boneGpu } from '../ops/modalities.js';
import { emaUpdate } from '../optim/ema.js';
import type { SGD } from '../optim/sgd.js';
import { infoNCE, queueSim, queueSimRaw } from '../ops/contrastive.js';
import { distillKL } from '../ops/distill.js';
import { dnaAggregate } from '../ops/dna.js';
import { instanceStats } from './telemetry.js';
import type { I2MDModel } from './model.js';
import type { Modality } from './config.js';

export type LossTerms = Record<string, Tensor>;

export function modalityOf(x: Tensor, modality: Modality, bones: ReadonlyArray<readonly [number, number]>): Tensor {
  if (modality === 'joint') return x;
  return modality === 'motion' ? motionGpu(x) : boneGpu(x, bones);
}

export interface BranchOut { q: Tensor; k: Tensor; qc?: Tensor; kc?: Tensor; sQ?: Tensor; tK?: Tensor }

/** Which parts run this step (their start epochs) and whether to measure the telemetry. */
export interface StepOptions {
  cmd?: boolean;        // CMD this step (default: config.cmd)
  imd?: boolean;        // DNA + IMD distillation this step (default: config.imd); the cluster branch contrasts plain keys without it
  telemetry?: boolean;  // add id_/pos_/neg_<modality> (instance-discrimination top-1, mean positive and queue similarity, telemetry.ts) and dna_<modality> (neighbours aggregated per key)
}

/** The parts active at `epoch` under the config's start epochs. */
export function partsAt(c: I2MDModel['config'], epoch: number): Required<Pick<StepOptions, 'cmd' | 'imd'>> {
  return { cmd: c.cmd && epoch >= (c.cmdStart ?? 0), imd: c.imd && epoch >= (c.imdStart ?? 0) };
}

/**
 * Builds the loss of one step; returns the total, each named term (all scalars) and, with
 * telemetry, the statistics (id_<modality>) that are not part of the loss.
 */
export function i2mdLoss(model: I2MDModel, x1: Tensor, x2: Tensor, opts: StepOptions = {}): { total: Tensor; terms: LossTerms; stats: LossTerms; outs: BranchOut[] } {
  const c = model.config;
  const useCmd = opts.cmd ?? c.cmd, useImd = opts.imd ?? c.imd;
  const stats: LossTerms = {};
  const bones = model.layout.bones;
  const terms: LossTerms = {};
  const outs: BranchOut[] = model.branches.map((b) => {
    const v1 = modalityOf(x1, b.modality, bones), v2 = modalityOf(x2, b.modality, bones);
    // the key pass records nothing, so its activations are dead once k and kc exist: its own
    // tidy frees them before the query pass instead of keeping them to the end of the step
    const { k, kc } = noGrad(() => tidy(() => {
      const f = b.encoderK.features(v2);
      return { k: l2Normalize(b.encoderK.project(f)), kc: b.clusterK ? l2Normalize(b.clusterK.forward(f)) : undefined };
    }));
    const f = b.encoderQ.features(v1);
    const q = l2Normalize(b.encoderQ.project(f));
    const qc = b.clusterQ ? l2Normalize(b.clusterQ.forward(f)) : undefined;
    return { q, k, qc, kc };
  });
  const add_ = (name: string, t: Tensor) => { terms[name] = t; };
  model.branches.forEach((b, i) => {
    const o = outs[i], m = b.modality;
    add_(`nce_${m}`, infoNCE(o.q, o.k, b.queue.features, c.tau));
    if (opts.telemetry) {
      const st = instanceStats(o.q, o.k, b.queue.features);
      stats[`id_${m}`] = st.accuracy; stats[`pos_${m}`] = st.positive; stats[`neg_${m}`] = st.negative;
    }
    if (o.qc && o.kc && b.clusterQueue) {
      const Qc = b.clusterQueue.features;
      if (c.dna && useImd) {
        const { c: pos, mask } = dnaAggregate(o.kc, Qc, { kDna: c.kDna, delta: c.dnaDelta, tauAgg: c.tauAgg });
        add_(`cluster_${m}`, infoNCE(o.qc, pos, Qc, c.tau, mask));
        // how many neighbours DNA aggregated per key (0 … k_dna): all of them means δ no longer selects
        if (opts.telemetry) {
          stats[`dna_${m}`] = noGrad(() => scale(sumAxes(mask), 1 / mask.shape[0]));
          stats[`cneg_${m}`] = instanceStats(o.qc, o.kc, Qc).negative;   // the cluster space's mean similarity, to compare with δ
        }
      } else {
        add_(`cluster_${m}`, infoNCE(o.qc, o.kc, Qc, c.tau));
      }
      if (!useImd) return;
      // IMD: each branch's key neighbourhood teaches the other branch's query
      const tInst = noGrad(() => queueSimRaw(o.k, b.queue.features));
      const tClus = noGrad(() => queueSimRaw(o.kc!, Qc));
      const sInst = queueSim(o.q, b.queue.features);
      const sClus = queueSim(o.qc, Qc);
      const imd = add(distillKL(tInst, sClus, c.topk, c.tauTeacher, c.tauStudent), distillKL(tClus, sInst, c.topk, c.tauTeacher, c.tauStudent));
      add_(`imd_${m}`, scale(imd, c.lambdaImd));
      o.sQ = sInst; o.tK = tInst;
    }
  });
  if (useCmd) {
    model.branches.forEach((b, i) => {
      outs[i].tK ??= noGrad(() => queueSimRaw(outs[i].k, b.queue.features));
      outs[i].sQ ??= queueSim(outs[i].q, b.queue.features);
    });
    let cmd: Tensor | undefined;
    for (let a = 0; a < outs.length; a++) for (let s = 0; s < outs.length; s++) {
      if (a === s) continue;
      const term = distillKL(outs[a].tK!, outs[s].sQ!, c.topk, c.tauTeacher, c.tauStudent);
      cmd = cmd ? add(cmd, term) : term;
    }
    add_('cmd', scale(cmd!, c.lambdaCmd));
  }
  // the total is a tensor of its own even with one term, so each returned scalar is disposed once
  const parts = Object.values(terms);
  const total = parts.slice(1).reduce((acc, t) => add(acc, t), scale(parts[0], 1));
  return { total, terms, stats, outs };
}

/**
 * One optimisation step. Returns kept scalars (total + terms, and with telemetry the id_<m>
 * statistics) that the caller reads and disposes.
 */
export function pretrainStep(model: I2MDModel, sgd: SGD, x1: Tensor, x2: Tensor, lr: number, opts: StepOptions = {}): LossTerms {
  const [keyParams, queryParams] = model.emaPairs();
  noGrad(() => emaUpdate(keyParams, queryParams, model.config.momentum));
  const result = tidy(() => {
    const { total, terms, stats, outs: keys } = i2mdLoss(model, x1, x2, opts);
    // free the activations as the backward passes them; what is read afterwards is retained
    const retain = [...Object.values(terms), ...Object.values(stats), ...keys.flatMap((o) => (o.kc ? [o.k, o.kc] : [o.k]))];
    backward(total, undefined, { release: true, retain });
    sgd.step(model.queryParameters(), lr);
    model.branches.forEach((b, i) => {
      b.queue.enqueue(keys[i].k);
      if (b.clusterQueue && keys[i].kc) b.clusterQueue.enqueue(keys[i].kc!);
    });
    return { total, ...terms, ...stats };
  });
  for (const t of Object.values(result)) t.keep();
  return result;
}
