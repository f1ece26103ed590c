/** Tiny pre-training runs (ST-GCN and GRU) for the tests of what reads a run folder: embed, export, evaluation. */
import { presets, type PretrainConfig } from '../../src/i2md/config.js';
import { pretrain } from '../../src/i2md/pretrain.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { tiny } from './i2md.js';

/** The GRU counterpart of `tiny`: 2 layers of 5, 8 frames, a small queue. */
export const tinyGru: PretrainConfig = {
  ...presets['cmd-paper'], gruHidden: 5, gruLayers: 2, headDim: 8, frames: 8, minCrop: 8,
  queueSize: 16, topk: 4, momentum: 0.99, batchSize: 4, epochs: 2, lr: 0.05, lrSteps: [], seed: 5,
  imd: true, dna: true, kDna: 3, dnaDelta: 0.2,
};

/** Pre-trains a tiny run of `steps` steps on the synthetic set into `dir` (three streams). */
export async function tinyRun(dir: string, encoder: 'stgcn' | 'gru', steps = 2): Promise<void> {
  const data = generateSynthetic({ seed: 3, size: 24, T: 16 }).dataset;
  const r = await pretrain(data, encoder === 'gru' ? tinyGru : tiny, { runDir: dir, logEvery: 1, maxSteps: steps, quiet: true, datasetName: 'synthetic' });
  r.model.dispose();
}
