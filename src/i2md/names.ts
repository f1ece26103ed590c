/**
 * The names a pre-training checkpoint gives each stream's tensors. GRU runs use the official MoCo
 * module's names (moco/builder_cmd.py): `encoder_q.`, `encoder_k.` for the joint stream,
 * `encoder_q_motion.`, `encoder_k_bone.` … for the others, `queue`, `queue_motion`, `queue_bone` and
 * `queue_ptr*`, so the official module loads our run with strict=True and we read its
 * checkpoints with the same code (docs/gru.md). ST-GCN runs keep the names they have always had
 * (`joint.encoder_q.`, `joint.queue` …), so existing run folders stay readable. The cluster branch
 * of IMD has no official counterpart: `cluster_q…` / `cluster_queue…` beside the others.
 */
import type { EncoderKind } from '../nn/encoder.js';
import type { Modality } from './config.js';

export type Role = 'q' | 'k';

export interface RunNames {
  encoder(m: Modality, role: Role): string;
  cluster(m: Modality, role: Role): string;
  queue(m: Modality): string;
  clusterQueue(m: Modality): string;
  /** The official module's int64 queue pointers (GRU runs). */
  queuePtr?(m: Modality): string;
}

/** The official suffix of a stream: '' for joint, '_motion', '_bone'. */
export const officialSuffix = (m: Modality): string => (m === 'joint' ? '' : `_${m}`);

const official: RunNames = {
  encoder: (m, role) => `encoder_${role}${officialSuffix(m)}`,
  cluster: (m, role) => `cluster_${role}${officialSuffix(m)}`,
  queue: (m) => `queue${officialSuffix(m)}`,
  clusterQueue: (m) => `cluster_queue${officialSuffix(m)}`,
  queuePtr: (m) => `queue_ptr${officialSuffix(m)}`,
};

const legacy: RunNames = {
  encoder: (m, role) => `${m}.encoder_${role}`,
  cluster: (m, role) => `${m}.cluster_${role}`,
  queue: (m) => `${m}.queue`,
  clusterQueue: (m) => `${m}.cluster_queue`,
};

export function runNames(kind: EncoderKind): RunNames {
  return kind === 'gru' ? official : legacy;
}
