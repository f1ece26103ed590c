/**
 * The k-NN monitor of pre-training reports what `knn` reports on the checkpoint of the same epoch:
 * same features (eval mode, centre crops), same memory and queries, same numbers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from '../helpers/check.js';
import { presets, type PretrainConfig } from '../../src/i2md/config.js';
import { pretrain } from '../../src/i2md/pretrain.js';
import { KnnMonitor, evenRows } from '../../src/eval/knn-monitor.js';
import { generateSynthetic } from '../../src/skeleton/synthetic/generate.js';
import { SubsetDataset } from '../../src/data/dataset.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import knnCommand from '../../src/cli/knn.js';

const t = suite('eval/knn-monitor');
t.before(async () => { await engine(); });

const tiny: PretrainConfig = {
  ...presets.demo, blocks: [[3, 4, 1], [4, 8, 2]], dropout: 0, headDim: 8, frames: 8, minCrop: 8,
  queueSize: 16, topk: 4, kDna: 3, dnaDelta: 0.2, batchSize: 4, epochs: 2, lr: 0.05, lrSteps: [], seed: 5,
};

/** Runs a command module's run() and returns what it printed with console.log. */
async function captured(run: () => Promise<void>): Promise<string> {
  const out: string[] = [], log = console.log, err = console.error;
  console.log = (...a: unknown[]) => { out.push(a.join(' ')); };
  console.error = () => undefined;
  try { await run(); } finally { console.log = log; console.error = err; }
  return out.join('\n');
}

t('evenRows: all rows when there are few, evenly spaced otherwise', () => {
  assert.equal([...evenRows(5, 10)], [0, 1, 2, 3, 4]);
  assert.equal([...evenRows(10, 4)], [0, 2, 5, 7]);
});

t('the monitor\'s numbers at the last epoch equal `knn` on that checkpoint', async () => {
  const size = 48, dataSeed = 6;
  const syn = generateSynthetic({ seed: dataSeed, size });
  const split = syn.splits.xview;
  const train = new SubsetDataset(syn.dataset, split.train), test = new SubsetDataset(syn.dataset, split.test);
  const dir = mkdtempSync(join(tmpdir(), 'i2md-knnmon-'));
  try {
    const monitor = new KnnMonitor({ train, test, layout: getLayout(syn.dataset.layout), every: 1 });
    const r = await pretrain(train, tiny, { runDir: dir, quiet: true, monitor, datasetName: 'synthetic' });
    r.model.dispose();
    assert.equal(r.knn.map((k) => k.epoch), [1, 2], 'measured after every epoch');
    const last = r.knn[1].readings;
    assert.equal(last.map((x) => x.stream), tiny.modalities);
    // the same rows in metrics.jsonl
    const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).filter((x) => x.kind === 'knn');
    assert.is(rows.length, 2);
    assert.is(rows[1].knn1_joint, last[0].knn1);
    const json = await captured(() => knnCommand.run({
      checkpoint: dir, synthetic: true, size, 'data-seed': dataSeed, benchmark: 'xview', modality: 'all', 'batch-size': 64, k: 20, temperature: 0.1, json: true, format: 'auto', seed: 0,
    }));
    const got = JSON.parse(json) as { streams: { stream: string; knn1: number; knn: number }[] };
    for (const x of last) {
      const s = got.streams.find((g) => g.stream === x.stream)!;
      assert.is(s.knn1, x.knn1, `${x.stream} 1-NN`);
      assert.is(s.knn, x.knnK, `${x.stream} 20-NN`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
