/** Pre-training telemetry: the instance-discrimination top-1 against a CPU reference, and the running means. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { engine } from '../helpers/check.js';
import { Tensor } from '../../src/tensor/index.js';
import { instanceAccuracy, RunningMeans, writeMetricsCsv } from '../../src/i2md/telemetry.js';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../../src/util/random.js';

const t = suite('i2md/telemetry');
t.before(async () => { await engine(); });

t('instance accuracy: the share of rows whose q·k beats every q·Q_j (CPU reference, ties are misses)', async () => {
  const rng = new Rng(3), N = 9, d = 5, K = 37;
  const q = Float32Array.from({ length: N * d }, () => rng.uniform(-1, 1));
  const k = Float32Array.from({ length: N * d }, () => rng.uniform(-1, 1));
  const Q = Float32Array.from({ length: d * K }, () => rng.uniform(-1, 1));
  // rows 0-2: the key is the query scaled up, so it wins; row 3: the key equals queue column 4 exactly (a tie)
  for (let i = 0; i < 3; i++) for (let c = 0; c < d; c++) k[i * d + c] = 4 * q[i * d + c];
  for (let c = 0; c < d; c++) k[3 * d + c] = Q[c * K + 4];
  let hits = 0;
  for (let i = 0; i < N; i++) {
    let pos = 0; for (let c = 0; c < d; c++) pos += q[i * d + c] * k[i * d + c];
    let max = -Infinity;
    for (let j = 0; j < K; j++) { let s = 0; for (let c = 0; c < d; c++) s += q[i * d + c] * Q[c * K + j]; max = Math.max(max, s); }
    if (pos > max) hits++;
  }
  assert.ok(hits >= 3 && hits < N, `the reference must see hits and misses (${hits})`);
  const tq = Tensor.from(q, [N, d]).keep(), tk = Tensor.from(k, [N, d]).keep(), tQ = Tensor.from(Q, [d, K]).keep();
  const acc = instanceAccuracy(tq, tk, tQ);
  assert.ok(Math.abs((await acc.item()) - hits / N) < 1e-6, `${await acc.item()} vs ${hits / N}`);
  acc.dispose(); tq.dispose(); tk.dispose(); tQ.dispose();
});

t('running means: each term averaged over the steps it was pushed, then a fresh window', async () => {
  const m = new RunningMeans();
  const s = (v: number) => Tensor.from(Float32Array.of(v), [1]).keep();
  m.push({ a: s(1), b: s(10) });
  m.push({ a: s(2) });
  m.push({ a: s(6), b: s(20) });
  assert.is(m.window, 3);
  const r = await m.read();
  assert.ok(Math.abs(r.a - 3) < 1e-6 && Math.abs(r.b - 15) < 1e-6, JSON.stringify(r));
  assert.is(m.window, 0);
  m.push({ a: s(5) });
  assert.equal(await m.read(), { a: 5 });
});

t('metrics.csv: one row per metrics.jsonl line, the union of the keys as columns, empty cells where absent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-csv-'));
  try {
    writeFileSync(join(dir, 'metrics.jsonl'), [
      JSON.stringify({ step: 1, epoch: 0, total: 5.5, lr: 0.1 }),
      JSON.stringify({ step: 2, epoch: 1, total: 5.25, cmd: 0.5, lr: 0.1 }),
      '{"step": 3, "tot',   // cut short by a crash
      JSON.stringify({ kind: 'knn', step: 2, epoch: 1, knn_joint: 0.4 }),
    ].join('\n') + '\n');
    writeMetricsCsv(dir);
    assert.equal(readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n'), [
      'step,epoch,kind,total,lr,cmd,knn_joint', '1,0,,5.5,0.1,,', '2,1,,5.25,0.1,0.5,', '2,1,knn,,,,0.4',
    ]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
