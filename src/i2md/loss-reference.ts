/**
 * The full I²MD loss of one step in float64 TypeScript, from the branch outputs (q, k, q′, k′ of
 * every modality) and the queues: the oracle the GPU assembly in step.ts is tested against.
 * Mirrors docs/method.md#loss term by term.
 */
import { infoNCERef, queueSimRef } from '../ops/contrastive.js';
import { distillKLRef } from '../ops/distill.js';
import { dnaRef } from '../ops/dna.js';
import type { PretrainConfig } from './config.js';

export interface BranchArrays {
  q: Float64Array | Float32Array; k: Float64Array | Float32Array;
  qc?: Float64Array | Float32Array; kc?: Float64Array | Float32Array;
  queue: Float32Array; clusterQueue?: Float32Array;
}

export function i2mdLossRef(c: PretrainConfig, branches: BranchArrays[], n: number, d: number): Record<string, number> {
  const K = c.queueSize;
  const terms: Record<string, number> = {};
  const names = c.modalities;
  branches.forEach((b, i) => {
    const m = names[i];
    terms[`nce_${m}`] = infoNCERef(b.q, b.k, b.queue, n, d, K, c.tau);
    if (c.imd && b.qc && b.kc && b.clusterQueue) {
      if (c.dna) {
        const { c: pos, mask } = dnaRef(b.kc, b.clusterQueue, n, d, K, c.kDna, c.dnaDelta, c.tauAgg);
        terms[`cluster_${m}`] = infoNCERef(b.qc, pos, b.clusterQueue, n, d, K, c.tau, mask);
      } else {
        terms[`cluster_${m}`] = infoNCERef(b.qc, b.kc, b.clusterQueue, n, d, K, c.tau);
      }
      const tInst = queueSimRef(b.k, b.queue, n, d, K), sClus = queueSimRef(b.qc, b.clusterQueue, n, d, K);
      const tClus = queueSimRef(b.kc, b.clusterQueue, n, d, K), sInst = queueSimRef(b.q, b.queue, n, d, K);
      terms[`imd_${m}`] = c.lambdaImd * (distillKLRef(tInst, sClus, n, K, c.topk, c.tauTeacher, c.tauStudent) +
        distillKLRef(tClus, sInst, n, K, c.topk, c.tauTeacher, c.tauStudent));
    }
  });
  if (c.cmd) {
    let cmd = 0;
    for (let a = 0; a < branches.length; a++) for (let s = 0; s < branches.length; s++) {
      if (a === s) continue;
      const t = queueSimRef(branches[a].k, branches[a].queue, n, d, K);
      const st = queueSimRef(branches[s].q, branches[s].queue, n, d, K);
      cmd += distillKLRef(t, st, n, K, c.topk, c.tauTeacher, c.tauStudent);
    }
    terms.cmd = c.lambdaCmd * cmd;
  }
  terms.total = Object.values(terms).reduce((a, b) => a + b, 0);
  return terms;
}
