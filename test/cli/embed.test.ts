import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn, assertClose } from '../helpers/check.js';
import { UserError } from '../../src/util/errors.js';
import { NpyFile } from '../../src/data/npy.js';
import { writeNpy } from '../helpers/npy.js';
import { initEncoder } from '../../src/cli/init.js';
import { embedFile } from '../../src/cli/embed.js';
import { loadEncoderFrom } from '../../src/eval/load-encoder.js';
import { motion, bone } from '../../src/skeleton/modalities.js';
import { Tensor, tidy, noGrad } from '../../src/tensor/index.js';
import { tinyRun } from '../helpers/runs.js';

const t = suite('cli/embed');
let dir = '';
t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-embed-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

t('init writes a checkpoint; embed in batches equals embed of the whole set at once', async () => {
  const ckpt = join(dir, 'enc.safetensors');
  const r = await initEncoder({ out: ckpt, hidden: 4, hiddenDim: 12, headDim: 6, seed: 5 });
  assert.ok(r.parameters > 0);
  const shape = [7, 3, 10, 25, 2];
  const data = join(dir, 'x.npy');
  writeNpy(data, '<f4', shape, Float32Array.from(randn(size(shape), 6)));
  const read = (p: string) => { const f = NpyFile.open(p); const a = f.readAll() as Float32Array; const s = f.shape; f.close(); return { a, s }; };
  await embedFile({ checkpoint: ckpt, data, out: join(dir, 'all.npy'), batch: 7 });
  await embedFile({ checkpoint: ckpt, data, out: join(dir, 'b3.npy'), batch: 3 });
  const all = read(join(dir, 'all.npy')), b3 = read(join(dir, 'b3.npy'));
  assert.equal(all.s, [7, 12]);
  assertClose(b3.a, all.a, 1e-6, 'batched vs whole');
  await embedFile({ checkpoint: ckpt, data, out: join(dir, 'h.npy'), batch: 4, head: true });
  const h = read(join(dir, 'h.npy'));
  assert.equal(h.s, [7, 6]);
  for (let i = 0; i < 7; i++) {
    let n = 0;
    for (let j = 0; j < 6; j++) n += h.a[i * 6 + j] ** 2;
    assert.ok(Math.abs(n - 1) < 1e-5, `row ${i} has norm² ${n}`);
  }
  // a file whose joints do not fit the encoder is refused by name
  writeNpy(join(dir, 'y.npy'), '<f4', [1, 3, 4, 20, 1], new Float32Array(240));
  try { await embedFile({ checkpoint: ckpt, data: join(dir, 'y.npy'), out: join(dir, 'z.npy') }); assert.unreachable(); }
  catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, 'y.npy'); }
});

// embed of a run folder encodes the stream asked for: its motion / bone input built from the
// joints in the file (before: the joints went into the motion encoder as they were)
for (const kind of ['stgcn', 'gru'] as const) {
  t(`embed of a ${kind} run folder: --modality joint|motion|bone = that stream's encoder on the joints / motion / bone of the file`, async () => {
    const run = join(dir, `run-${kind}`);
    await tinyRun(run, kind);
    const shape = [3, 3, 8, 25, 2], [, , T, V, M] = shape;
    const x = Float32Array.from(randn(size(shape), 9));
    const data = join(dir, `run-${kind}-x.npy`);
    writeNpy(data, '<f4', shape, x);
    for (const m of ['joint', 'motion', 'bone'] as const) {
      const out = join(dir, `run-${kind}-${m}.npy`);
      const r = await embedFile({ checkpoint: run, data, out, modality: m });
      assert.is(r.trainedFrames, 8, 'the run\'s frames are reported');
      const enc = loadEncoderFrom(run, m);
      try {
        const input = m === 'joint' ? x : m === 'motion' ? motion(x, T, V, M) : bone(x, T, V, M, enc.layout.bones);
        enc.model.eval();
        const want = tidy(() => noGrad(() => enc.model.features(Tensor.from(input, shape))));
        const f = NpyFile.open(out);
        assertClose(f.readAll() as Float32Array, await want.read(), 1e-5, `${kind} ${m}`);
        f.close(); want.dispose();
      } finally { enc.model.dispose(); }
    }
  });
}
t('embed refuses empty dimensions and NaN input by name, ', async () => {
  const ckpt = join(dir, 'enc2.safetensors');
  await initEncoder({ out: ckpt, hidden: 4, hiddenDim: 12, headDim: 6, seed: 5 });
  const fails = async (shape: number[], data: Float32Array, re: RegExp) => {
    const p = join(dir, `bad${Math.random().toString(36).slice(2)}.npy`);
    writeNpy(p, '<f4', shape, data);
    try { await embedFile({ checkpoint: ckpt, data: p, out: join(dir, 'o.npy') }); assert.unreachable(`${shape}`); }
    catch (e) { assert.instance(e, UserError, String(e)); assert.match((e as Error).message, re); }
  };
  await fails([2, 3, 0, 25, 2], new Float32Array(0), /has an empty dimension/);
  await fails([0, 3, 4, 25, 2], new Float32Array(0), /has an empty dimension/);
  const x = Float32Array.from(randn(2 * 3 * 4 * 25 * 2, 3)); x[3 * 4 * 25 * 2 + 17] = NaN;
  await fails([2, 3, 4, 25, 2], x, /sample 1: value NaN: the input must be finite/);
});

t.run();
