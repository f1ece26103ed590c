/**
 * Every hyperparameter of the pre-training (docs/method.md#recipes) in one object, with the two presets:
 * `paper` is the official recipe; `demo` is sized so the main job finishes in minutes on two CPU
 * cores through a software adapter. Switching terms off gives MoCo-only and CMD from the same
 * program (the ablation of issue 7).
 */
export type Modality = 'joint' | 'motion' | 'bone';
export const allModalities: Modality[] = ['joint', 'motion', 'bone'];

export interface PretrainConfig {
  modalities: Modality[];
  // encoder (ST-GCN)
  hidden: number; hiddenDim: number; dropout: number; headDim: number;
  // data
  frames: number;          // T after crop-resize
  minCrop: number;         // shortest crop in frames (64 in the official code, = frames)
  // MoCo
  queueSize: number; momentum: number; tau: number;
  // CMD
  cmd: boolean; topk: number; tauTeacher: number; tauStudent: number; lambdaCmd: number;
  // IMD / DNA
  imd: boolean; dna: boolean; kDna: number; dnaDelta: number; tauAgg: number; lambdaImd: number;
  // optimisation
  epochs: number; batchSize: number; lr: number; lrSteps: number[]; weightDecay: number; sgdMomentum: number;
  seed: number;
  /** Override of the ST-GCN block plan [cin, cout, stride] (tiny encoders for tests); default the ten blocks. */
  blocks?: [number, number, number][];
}

export const presets: Record<'paper' | 'demo', PretrainConfig> = {
  paper: {
    modalities: allModalities,
    hidden: 16, hiddenDim: 256, dropout: 0.5, headDim: 128,
    frames: 64, minCrop: 64,
    queueSize: 16384, momentum: 0.999, tau: 0.07,
    cmd: true, topk: 8192, tauTeacher: 0.05, tauStudent: 0.1, lambdaCmd: 1,
    imd: true, dna: true, kDna: 16, dnaDelta: 0.5, tauAgg: 0.1, lambdaImd: 1,
    epochs: 451, batchSize: 64, lr: 0.01, lrSteps: [351], weightDecay: 1e-4, sgdMomentum: 0.9,
    seed: 1,
  },
  // Sized for minutes on 2 CPU cores through llvmpipe (its step time: docs/bench.md#llvmpipe).
  demo: {
    modalities: allModalities,
    hidden: 4, hiddenDim: 32, dropout: 0.1, headDim: 64,
    frames: 16, minCrop: 16,
    queueSize: 512, momentum: 0.99, tau: 0.07,
    cmd: true, topk: 128, tauTeacher: 0.05, tauStudent: 0.1, lambdaCmd: 1,
    imd: true, dna: true, kDna: 16, dnaDelta: 0.5, tauAgg: 0.1, lambdaImd: 1,
    epochs: 2, batchSize: 16, lr: 0.05, lrSteps: [], weightDecay: 1e-4, sgdMomentum: 0.9,
    seed: 1,
  },
};

export function validateConfig(c: PretrainConfig): string[] {
  const errs: string[] = [];
  if (c.queueSize % c.batchSize !== 0) errs.push(`--queue-size (${c.queueSize}) must be a multiple of --batch-size (${c.batchSize})`);
  if (c.topk < 1 || c.topk > c.queueSize) errs.push(`--topk must be in 1..queue size (${c.queueSize})`);
  if (c.modalities.length === 0) errs.push('at least one modality is needed');
  if (c.cmd && c.modalities.length < 2) errs.push('CMD needs at least two modalities (or --no-cmd)');
  if (!(c.tau > 0 && c.tauTeacher > 0 && c.tauStudent > 0 && c.tauAgg > 0)) errs.push('temperatures must be > 0');
  if (!(c.momentum >= 0 && c.momentum <= 1)) errs.push('--momentum must be in [0, 1]');
  if (c.kDna < 1 || c.kDna > 256) errs.push('--k-dna must be in 1..256');
  return errs;
}
