/**
 * The GRU encoder's checkpoints against PyTorch itself, both ways (scripts/torch/gru_check.py with
 * Debian's python3-torch at /usr/bin/python3; skipped with a note where it cannot import torch):
 * the engine's checkpoint loads into the official module's names with strict=True and gives the
 * engine's features; a PyTorch-initialised encoder saved under those names gives PyTorch's
 * features in the engine. Faithful and bidirectional modes, eval mode, random BN statistics.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, assertClose } from '../helpers/check.js';
import { Tensor, tidy, noGrad } from '../../src/tensor/index.js';
import { initEncoder } from '../../src/cli/init.js';
import { embedFile } from '../../src/cli/embed.js';
import { loadEncoderFrom } from '../../src/eval/load-encoder.js';
import { NpyFile } from '../../src/data/npy.js';
import { writeNpy } from '../helpers/npy.js';
import { hasTorch, runPython, torchSkipNote } from '../helpers/torch.js';
import { loadSafetensors, saveSafetensors } from '../../src/data/safetensors.js';
import { Rng } from '../../src/util/random.js';

const t = suite('nn/gru against PyTorch');
const py = (...args: string[]) => runPython('torch/gru_check.py', ...args);

if (!hasTorch) {
  console.log(torchSkipNote);
  t.skip('PyTorch checks', () => {});
} else {
  let dir = '';
  t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), 'i2md-gru-torch-')); });
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  for (const bidirectional of [false, true]) {
    const mode = bidirectional ? 'bidirectional' : 'faithful';
    t(`engine → PyTorch (${mode}): init's checkpoint loads with strict=True, features agree to 1e-5`, async () => {
      const enc = join(dir, `${mode}.safetensors`), x = join(dir, `${mode}-x.npy`), f = join(dir, `${mode}-f.npy`);
      await initEncoder({ out: enc, encoder: 'gru', gruHidden: 9, gruLayers: 3, gruBidirectional: bidirectional, headDim: 16, seed: 4 });
      // random BN statistics, so the eval-mode norm is not the identity
      const { tensors, metadata } = loadSafetensors(enc);
      const rng = new Rng(5);
      for (const n of ['input_norm.running_mean', 'input_norm.bias']) tensors[n].data = Float32Array.from(tensors[n].data as Float32Array, () => rng.uniform(-0.5, 0.5));
      for (const n of ['input_norm.running_var', 'input_norm.weight']) tensors[n].data = Float32Array.from(tensors[n].data as Float32Array, () => rng.uniform(0.5, 1.5));
      saveSafetensors(enc, tensors, metadata);
      const shape = [5, 3, 6, 25, 2];
      writeNpy(x, '<f4', shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-2, 2)));
      await embedFile({ checkpoint: enc, data: x, out: f });
      const out = py('verify', enc, x, f, ...(bidirectional ? ['--bidirectional'] : []));
      assert.match(out, /strict=True load: ok/);
    });

    t(`PyTorch → engine (${mode}): a PyTorch state dict without metadata loads, features agree to 1e-5`, async () => {
      const enc = join(dir, `torch-${mode}.safetensors`), x = join(dir, `torch-${mode}-x.npy`), f = join(dir, `torch-${mode}-f.npy`);
      py('write', enc, x, f, '--hidden', '7', '--layers', '2', ...(bidirectional ? ['--bidirectional'] : []));
      const loaded = loadEncoderFrom(enc, 'joint');
      try {
        if (bidirectional) {
          // a bare state dict cannot say which mode it was trained in: the official one unless told
          const meta = loadSafetensors(enc);
          saveSafetensors(enc, meta.tensors, { bidirectional: 'true' });
          loaded.model.dispose();
          Object.assign(loaded, loadEncoderFrom(enc, 'joint'));
        }
        const xs = NpyFile.open(x), fs = NpyFile.open(f);
        const input = xs.readAll() as Float32Array, want = fs.readAll() as Float32Array;
        loaded.model.eval();
        const got = tidy(() => noGrad(() => loaded.model.features(Tensor.from(input, xs.shape))));
        assertClose(await got.read(), want, 1e-5, `${mode} features`);
        got.dispose(); xs.close(); fs.close();
      } finally {
        loaded.model.dispose();
      }
    });
  }
}

t.run();
