import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { tsne } from '../../src/eval/tsne.js';
import { Rng } from '../../src/util/random.js';

const t = suite('eval/tsne');

t('well-separated clusters stay separated: each point\'s nearest neighbour in the plot is of its cluster; deterministic', () => {
  const rng = new Rng(3), n = 60, d = 10, classes = 3;
  const x = new Float64Array(n * d), label = Int32Array.from({ length: n }, (_, i) => i % classes);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (j === label[i] ? 8 : 0) + rng.normal();
  const y = tsne(x, n, d, { iterations: 300, seed: 1 });
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = -1, bd = Infinity;
    for (let j = 0; j < n; j++) if (j !== i) { const dd = (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2; if (dd < bd) { bd = dd; best = j; } }
    if (label[best] === label[i]) hits++;
  }
  assert.ok(hits >= 0.95 * n, `${hits}/${n} nearest neighbours of the same cluster`);
  assert.ok(y.every(Number.isFinite));
  assert.equal(tsne(x, n, d, { iterations: 300, seed: 1 }), y);
});

t.run();
