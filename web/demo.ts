/**
 * The demo in the page: the embedded synthetic set (src/skeleton/synthetic), I²MD pre-training
 * with the `demo` preset through the engine's own loop (src/i2md/pretrain.ts with no run folder:
 * nothing is written, every logged loss comes to `onLosses` for the live curve), then k-NN
 * (1-NN and 20-NN, the CLI's protocol) per stream on the held-out view, and the joint encoder as
 * safetensors bytes for the download.
 */
import {
  generateSynthetic, SubsetDataset, presets, fitQueueToData, pretrain, extractFeatures, knnEvaluate, getLayout, encodeEncoder,
  type PretrainConfig, type Encoder, type SkeletonDataset, type Layout,
} from '../src/index.js';

export interface DemoOptions {
  size?: number; steps?: number; seed?: number; logEvery?: number; queueSize?: number;
  /** Overrides of the demo preset (a lighter recipe for the headless test: fewer kernels to compile on a slow adapter). */
  recipe?: Partial<PretrainConfig>;
}
export interface DemoResult {
  losses: { step: number; total: number }[];
  knn: { stream: string; knn1: number; knnK: number; k: number }[];
  msPerStep: number; steps: number; config: PretrainConfig;
  encoder: Encoder; train: SkeletonDataset; layout: Layout;
}

export async function runDemo(o: DemoOptions, onLoss: (step: number, total: number) => void, status: (s: string) => void): Promise<DemoResult> {
  const syn = generateSynthetic({ seed: o.seed ?? 1, size: o.size ?? 1350 });
  const split = syn.splits.xview;
  const train = new SubsetDataset(syn.dataset, split.train), test = new SubsetDataset(syn.dataset, split.test);
  const base: PretrainConfig = { ...presets.demo, ...(o.queueSize ? { queueSize: o.queueSize, topk: Math.min(presets.demo.topk, o.queueSize / 2) } : {}), ...o.recipe };
  const { config } = fitQueueToData(base, train.size);
  status(`pre-training on ${train.size} sequences (test ${test.size}), batch ${config.batchSize}, queue ${config.queueSize}`);
  const losses: DemoResult['losses'] = [];
  const r = await pretrain(train, { ...config, epochs: Math.max(config.epochs, Math.ceil((o.steps ?? 100) / Math.floor(train.size / config.batchSize))) }, {
    runDir: '', quiet: true, logEvery: o.logEvery ?? 2, maxSteps: o.steps ?? 100, datasetName: 'synthetic',
    onLosses: (row) => { losses.push({ step: row.step, total: row.terms.total }); onLoss(row.step, row.terms.total); },
  });
  const layout = getLayout(syn.dataset.layout);
  const knn: DemoResult['knn'] = [];
  for (const b of r.model.branches) {
    status(`k-NN: ${b.modality} features`);
    const ftr = await extractFeatures(b.encoderQ, train, b.modality, layout, { frames: config.frames });
    const fte = await extractFeatures(b.encoderQ, test, b.modality, layout, { frames: config.frames });
    const k = knnEvaluate(ftr.features, ftr.labels, fte.features, fte.labels, ftr.d);
    knn.push({ stream: b.modality, knn1: k.top1, knnK: k.knn, k: k.k });
  }
  const joint = r.model.branches.find((b) => b.modality === 'joint') ?? r.model.branches[0];
  return { losses, knn, msPerStep: r.stepMs, steps: r.state.step, config, encoder: joint.encoderQ, train, layout };
}

export const encoderBytes = (e: Encoder): Promise<Uint8Array> => encodeEncoder(e, { source: 'i2md-webgpu browser demo' });

/** The loss curve: total loss against step, axes labelled, redrawn after every logged row. */
export function drawLoss(canvas: HTMLCanvasElement, points: { step: number; total: number }[]): void {
  const c = canvas.getContext('2d')!;
  const W = canvas.width, H = canvas.height, L = 50, B = 28, T = 12, R = 12;
  c.clearRect(0, 0, W, H);
  c.font = '11px system-ui'; c.fillStyle = '#666'; c.strokeStyle = '#ccc';
  c.strokeRect(L, T, W - L - R, H - T - B);
  if (points.length === 0) return;
  const xs = points.map((p) => p.step), ys = points.map((p) => p.total).filter(Number.isFinite);
  const x0 = 0, x1 = Math.max(...xs, 1), y0 = Math.min(...ys), y1 = Math.max(...ys) + 1e-9;
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R), py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  c.fillText(y1.toFixed(2), 4, T + 10); c.fillText(y0.toFixed(2), 4, H - B); c.fillText('step', W / 2, H - 8); c.fillText(String(x1), W - R - 20, H - 8);
  c.strokeStyle = '#1f5fbf'; c.lineWidth = 2; c.beginPath();
  points.forEach((p, i) => (i ? c.lineTo(px(p.step), py(p.total)) : c.moveTo(px(p.step), py(p.total))));
  c.stroke();
}
