/**
 * `export` against PyTorch (Debian's python3-torch at /usr/bin/python3; skipped with a note where
 * it cannot import torch): each stream's exported ST-GCN encoder loads into scripts/torch_stgcn.py
 * with strict=True and gives the engine's features; a GRU run's export loads into the official
 * module's names (scripts/torch/gru_check.py) the same way. Eval mode, trained BN statistics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, randn } from '../helpers/check.js';
import { writeNpy } from '../helpers/npy.js';
import { hasTorch, runPython, torchSkipNote } from '../helpers/torch.js';
import { tinyRun } from '../helpers/runs.js';
import { exportRun } from '../../src/cli/export.js';
import { embedFile } from '../../src/cli/embed.js';
import { motion, bone } from '../../src/skeleton/modalities.js';
import { getLayout } from '../../src/skeleton/layouts.js';

const t = suite('export against PyTorch');
const py = runPython;

if (!hasTorch) {
  console.log(torchSkipNote);
  t.skip('PyTorch checks', () => {});
} else {
  let dir = '';
  t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-export-torch-')); });
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  for (const kind of ['stgcn', 'gru'] as const) {
    t(`${kind} run → export → PyTorch: strict=True load, every stream's features agree with embed`, async () => {
      const run = join(dir, `run-${kind}`);
      await tinyRun(run, kind, 3);
      const files = await exportRun({ run, out: join(dir, `out-${kind}`) });
      const shape = [3, 3, 12, 25, 2], [, , T, V, M] = shape;
      const joints = Float32Array.from(randn(shape.reduce((a, b) => a * b, 1), 7));
      const x = join(dir, `x-${kind}.npy`);
      writeNpy(x, '<f4', shape, joints);
      for (const f of files) {
        const feats = join(dir, `f-${kind}-${f.modality}.npy`);
        await embedFile({ checkpoint: f.path, data: x, out: feats, modality: f.modality });
        // PyTorch gets the stream's input as the user would build it: motion / bone of the joints
        const input = f.modality === 'joint' ? joints : f.modality === 'motion' ? motion(joints, T, V, M) : bone(joints, T, V, M, getLayout('ntu25').bones);
        const xs = join(dir, `x-${kind}-${f.modality}.npy`);
        writeNpy(xs, '<f4', shape, input);
        const out = kind === 'stgcn' ? py('torch_stgcn.py', f.path, xs, feats) : py('torch/gru_check.py', 'verify', f.path, xs, feats);
        assert.match(out, /strict=True load: ok/, `${f.modality}: ${out}`);
      }
    });
  }
}

t.run();
