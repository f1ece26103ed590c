import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn } from '../helpers/check.js';
import { writeNpy } from '../helpers/npy.js';
import { tinyRun } from '../helpers/runs.js';
import { UserError } from '../../src/util/errors.js';
import { NpyFile } from '../../src/data/npy.js';
import { loadSafetensors } from '../../src/data/safetensors.js';
import { exportRun } from '../../src/cli/export.js';
import { embedFile } from '../../src/cli/embed.js';
import { loadEncoderFrom, evalFrames } from '../../src/eval/load-encoder.js';

const t = suite('cli/export');
let dir = '';
t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-export-')); });
t.after(() => { rmSync(dir, { recursive: true, force: true }); });

const read = (p: string) => { const f = NpyFile.open(p); const a = f.readAll() as Float32Array; f.close(); return a; };

for (const kind of ['stgcn', 'gru'] as const) {
  t(`export of a ${kind} run: one encoder file per stream with frames in its metadata; export → embed = run → embed; the same frames for evaluation`, async () => {
    const run = join(dir, `run-${kind}`), out = join(dir, `out-${kind}`);
    await tinyRun(run, kind);
    const files = await exportRun({ run, out });
    assert.equal(readdirSync(out).sort(), ['bone.safetensors', 'joint.safetensors', 'motion.safetensors']);
    const shape = [2, 3, 8, 25, 2];
    const x = join(dir, `x-${kind}.npy`);
    writeNpy(x, '<f4', shape, Float32Array.from(randn(shape.reduce((a, b) => a * b, 1), 4)));
    for (const f of files) {
      const { metadata, tensors } = loadSafetensors(f.path);
      assert.is(metadata.frames, '8');
      assert.is(metadata.modality, f.modality);
      assert.is(metadata.format, kind === 'gru' ? 'i2md-gru' : 'i2md-stgcn');
      assert.ok(Object.keys(tensors).some((n) => n.endsWith('num_batches_tracked')), 'BN counters for strict=True');
      await embedFile({ checkpoint: run, data: x, out: join(dir, 'a.npy'), modality: f.modality });
      await embedFile({ checkpoint: f.path, data: x, out: join(dir, 'b.npy'), modality: f.modality });
      assert.equal(read(join(dir, 'b.npy')), read(join(dir, 'a.npy')), `${f.modality}: same features bit for bit`);
      // the frames an evaluation uses: the run's 8 either way (before: 64 for the exported file)
      for (const src of [run, f.path]) {
        const enc = loadEncoderFrom(src, f.modality);
        try { assert.is(evalFrames(enc).frames, 8, src); } finally { enc.model.dispose(); }
      }
    }
    // an export never replaces files
    try { await exportRun({ run, out }); assert.unreachable(); }
    catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, 'already holds'); }
    // --no-head: the encoder alone, still loadable
    const bare = await exportRun({ run, out: join(dir, `bare-${kind}`), modalities: ['joint'], head: false });
    assert.not.ok(Object.keys(loadSafetensors(bare[0].path).tensors).some((n) => n.startsWith('fc.')));
    const enc = loadEncoderFrom(bare[0].path, 'joint');
    try { assert.is(enc.model.head, 'none'); } finally { enc.model.dispose(); }
  });
}

t('export refuses what is not a run folder, with the path', async () => {
  const file = join(dir, 'plain.txt');
  writeFileSync(file, 'x');
  try { await exportRun({ run: file, out: join(dir, 'o') }); assert.unreachable(); }
  catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, 'plain.txt'); }
  try { await exportRun({ run: join(dir, 'missing'), out: join(dir, 'o') }); assert.unreachable(); }
  catch (e) { assert.instance(e, UserError); }
});

t('evalFrames: --frames wins and is checked; files that record nothing get 64, said so', () => {
  const enc = { kind: 'encoder', frames: undefined } as unknown as Parameters<typeof evalFrames>[0];
  assert.is(evalFrames(enc).frames, 64);
  assert.match(evalFrames(enc).line, 'records none');
  assert.is(evalFrames(enc, 20).frames, 20);
  assert.throws(() => evalFrames(enc, 2.5), (e: Error) => e instanceof UserError && /--frames/.test(e.message));
});

t.run();
