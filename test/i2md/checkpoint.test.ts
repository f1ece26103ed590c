/**
 * The checkpoint commit: step-named files, one manifest rename as the commit, the last two kept;
 * a fault injected after every stage (and a full disk mid-write) leaves a loadable run whose
 * weights match its state; runs of the older layout still load.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine } from '../helpers/check.js';
import { tiny } from '../helpers/i2md.js';
import { I2MDModel } from '../../src/i2md/model.js';
import { SGD } from '../../src/optim/sgd.js';
import { G } from '../../src/tensor/tensor.js';
import { getLayout } from '../../src/skeleton/layouts.js';
import { saveCheckpoint, loadCheckpoint, readTrainState, checkpointFaults, commitStages, type TrainState } from '../../src/i2md/checkpoint.js';
import { writeFaults } from '../../src/util/atomic.js';
import { saveSafetensors, loadSafetensors } from '../../src/data/safetensors.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('i2md/checkpoint');
t.before(async () => { await engine(); });

const layout = () => getLayout('ntu25');
const stateAt = (step: number): TrainState => ({ epoch: 0, step, batchInEpoch: step, config: tiny, dataset: 'synthetic' });

/** Sets every tensor of the model to `value` (a recognisable step marker). */
function fill(model: I2MDModel, value: number): void {
  for (const [, x] of model.namedTensors()) G().write(x.buffer, new Float32Array(x.size).fill(value));
}
/** The value the first tensor of a freshly loaded model holds after loading `dir`. */
async function loadedMarker(dir: string): Promise<{ step: number; value: number }> {
  const m = new I2MDModel(tiny, layout());
  try {
    const s = loadCheckpoint(dir, m, new SGD());
    const [, first] = m.namedTensors()[0];
    return { step: s.step, value: (await first.read())[0] };
  } finally { m.dispose(); }
}

t('a commit writes step-named weights and state, flips the manifest and keeps the last two', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-ckpt-'));
  const model = new I2MDModel(tiny, layout());
  try {
    for (const step of [1, 2, 3]) { fill(model, step); await saveCheckpoint(dir, model, new SGD(), stateAt(step)); }
    const files = readdirSync(dir).sort();
    assert.equal(files, ['checkpoint-00000002.json', 'checkpoint-00000002.safetensors', 'checkpoint-00000003.json',
      'checkpoint-00000003.safetensors', 'checkpoint.json', 'checkpoint.safetensors']);
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    assert.is(manifest.weights, 'checkpoint-00000003.safetensors');
    assert.is(manifest.previous, 'checkpoint-00000002.json');
    // the convenience link is the current weights
    assert.is(statSync(join(dir, 'checkpoint.safetensors')).ino, statSync(join(dir, manifest.weights)).ino);
    assert.equal(await loadedMarker(dir), { step: 3, value: 3 });
  } finally { model.dispose(); rmSync(dir, { recursive: true, force: true }); }
});

t('a fault after any commit stage leaves a matching checkpoint: the previous one before the flip, the new one after', async () => {
  const model = new I2MDModel(tiny, layout());
  try {
    for (const stage of commitStages) {
      const dir = mkdtempSync(join(tmpdir(), 'i2md-fault-'));
      try {
        fill(model, 1); await saveCheckpoint(dir, model, new SGD(), stateAt(1));
        fill(model, 2);
        checkpointFaults.hook = (s) => { if (s === stage) throw new Error(`injected fault after ${s}`); };
        await saveCheckpoint(dir, model, new SGD(), stateAt(2)).then(() => assert.unreachable('no fault'), (e) => assert.match(String(e), /injected fault/));
        checkpointFaults.hook = undefined;
        const flipped = commitStages.indexOf(stage) >= commitStages.indexOf('manifest');
        assert.equal(await loadedMarker(dir), flipped ? { step: 2, value: 2 } : { step: 1, value: 1 }, `fault after ${stage}`);
        // the next commit goes through and cleans up
        fill(model, 3); await saveCheckpoint(dir, model, new SGD(), stateAt(3));
        assert.equal(await loadedMarker(dir), { step: 3, value: 3 }, `commit after a fault after ${stage}`);
      } finally { checkpointFaults.hook = undefined; rmSync(dir, { recursive: true, force: true }); }
    }
  } finally { model.dispose(); }
});

t('a full disk while writing leaves the previous checkpoint and says so in one line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-enospc-'));
  const model = new I2MDModel(tiny, layout());
  try {
    fill(model, 1); await saveCheckpoint(dir, model, new SGD(), stateAt(1));
    for (const target of ['.safetensors', '-00000002.json', 'checkpoint.json']) {
      writeFaults.before = (path) => {
        if (path.endsWith(target)) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
      };
      fill(model, 2);
      try {
        await saveCheckpoint(dir, model, new SGD(), stateAt(2));
        assert.unreachable('expected ENOSPC');
      } catch (e) {
        assert.instance(e, UserError);
        assert.match((e as Error).message, /disk full while .* \(ENOSPC\); the previous checkpoint is intact$/);
        assert.not.match((e as Error).message, /\n/);
      } finally { writeFaults.before = undefined; }
      assert.equal(await loadedMarker(dir), { step: 1, value: 1 }, `failure writing *${target}`);
      assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp-')), 'a temp file was left');
    }
  } finally { model.dispose(); rmSync(dir, { recursive: true, force: true }); }
});

t('a run of the older layout (checkpoint.safetensors named by checkpoint.json) loads and continues', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-old-'));
  const model = new I2MDModel(tiny, layout());
  try {
    fill(model, 7); await saveCheckpoint(dir, model, new SGD(), stateAt(5));
    // rewrite it the way the older engine left it: one weights file, the state naming it
    const manifest = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    const { tensors, metadata } = loadSafetensors(join(dir, manifest.weights));
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    saveSafetensors(join(dir, 'checkpoint.safetensors'), tensors, metadata);
    delete manifest.stateFile; delete manifest.previous; manifest.weights = 'checkpoint.safetensors';
    writeFileSync(join(dir, 'scratch'), '');   // an unrelated file survives pruning
    writeFileSync(join(dir, 'checkpoint.json'), JSON.stringify(manifest));
    assert.equal(await loadedMarker(dir), { step: 5, value: 7 });
    fill(model, 8); await saveCheckpoint(dir, model, new SGD(), stateAt(6));
    assert.equal(await loadedMarker(dir), { step: 6, value: 8 });
    assert.ok(readdirSync(dir).includes('scratch'));
  } finally { model.dispose(); rmSync(dir, { recursive: true, force: true }); }
});

t('a manifest that is not a checkpoint state is one clear error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-bad-'));
  try {
    for (const text of ['null', '[]', '{"step": -1, "config": {}}', '{"step": 1}']) {
      writeFileSync(join(dir, 'checkpoint.json'), text);
      assert.throws(() => readTrainState(dir), (e: Error) => e instanceof UserError && /not a checkpoint state/.test(e.message), text);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t.run();
