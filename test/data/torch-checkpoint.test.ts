import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, assertClose } from '../helpers/check.js';
import { Tensor, tidy, noGrad } from '../../src/tensor/index.js';
import { readTorchStateDict, openTorchCheckpoint } from '../../src/data/torch-checkpoint.js';
import { unpickle } from '../../src/data/pickle.js';
import { loadEncoderFrom, checkpointModalities } from '../../src/eval/load-encoder.js';
import { convertCheckpoint } from '../../src/cli/convert.js';
import { l2Normalize } from '../../src/ops/softmax.js';
import type { Modality } from '../../src/i2md/config.js';
import type { Encoder } from '../../src/nn/encoder.js';
import { zip } from '../helpers/zip.js';

// fixtures written by scripts/torch/gru_fixtures.py with PyTorch 1.13 (Debian's python3-torch)
const dir = 'test/fixtures/pth';
const fx = (name: string) => join(dir, name);
const expected = JSON.parse(readFileSync(fx('moco-gru.expected.json'), 'utf8')) as {
  input_shape: number[]; input: number[]; streams: Record<Modality, { features: number[]; head: number[] }>;
};

const t = suite('data/torch-checkpoint');
let tmp = '';
t.before(async () => { await engine(); tmp = mkdtempSync(join(tmpdir(), 'i2md-pth-')); });
t.after(() => rmSync(tmp, { recursive: true, force: true }));

async function featuresOf(model: Encoder): Promise<{ f: Float32Array; z: Float32Array }> {
  model.eval();
  const { f, z } = tidy(() => noGrad(() => {
    const feat = model.features(Tensor.from(expected.input, expected.input_shape));
    return { f: feat, z: model.project(feat) };
  }));
  const out = { f: await f.read(), z: await z.read() };
  f.dispose(); z.dispose();
  return out;
}

t('the official layout of a pre-training checkpoint: epoch, every stream and queue, tensors as PyTorch wrote them', () => {
  const { tensors, epoch } = readTorchStateDict(fx('moco-gru.pth.tar'));
  assert.is(epoch, 3);
  assert.equal(tensors['encoder_q.encoder.gru.weight_ih_l0'].shape, [12, 150]);
  assert.equal(tensors['encoder_k_bone.encoder.gru.weight_hh_l1_reverse'].shape, [12, 4]);
  assert.equal(tensors['encoder_q_motion.fc.2.weight'].shape, [6, 8]);
  assert.equal(tensors['queue_motion'].shape, [6, 16]);
  assert.is(tensors['queue_ptr'].dtype, 'I64');
  assert.equal([...tensors['queue_ptr'].data as BigInt64Array], [8n]);
  assert.equal([...tensors['encoder_q.input_norm.num_batches_tracked'].data as BigInt64Array], [6n], 'set to 5, then one training forward');
  assert.is(Object.keys(tensors).length, 6 * 25 + 6);
});

for (const m of ['joint', 'motion', 'bone'] as Modality[]) {
  t(`${m} query encoder read straight from checkpoint.pth.tar: features and head outputs equal PyTorch's (official per-step loop, eval) to 1e-5`, async () => {
    const enc = loadEncoderFrom(fx('moco-gru.pth.tar'), m);
    try {
      assert.is(enc.kind, 'torch');
      assert.is(enc.model.kind, 'gru');
      assert.is(enc.layout.name, 'ntu25');
      const { f, z } = await featuresOf(enc.model);
      assertClose(f, expected.streams[m].features, 1e-5, `${m} features`);
      assertClose(z, expected.streams[m].head, 1e-5, `${m} head`);
    } finally {
      enc.model.dispose();
    }
  });
}

t('convert: every stream under the official names, or one stream as a plain encoder file; both load to the same features', async () => {
  assert.equal(checkpointModalities(fx('moco-gru.pth.tar')), ['joint', 'motion', 'bone']);
  const all = join(tmp, 'all.safetensors'), bone = join(tmp, 'bone.safetensors');
  const r = await convertCheckpoint({ input: fx('moco-gru.pth.tar'), out: all });
  assert.equal(r.streams, ['joint', 'motion', 'bone']);
  await convertCheckpoint({ input: fx('moco-gru.pth.tar'), out: bone, modality: 'bone' });
  assert.equal(checkpointModalities(bone), ['bone']);
  for (const [path, m] of [[all, 'motion'], [all, 'bone'], [bone, 'bone']] as [string, Modality][]) {
    const enc = loadEncoderFrom(path, m);
    try {
      assertClose((await featuresOf(enc.model)).f, expected.streams[m].features, 1e-5, `${path} ${m}`);
    } finally {
      enc.model.dispose();
    }
  }
  assert.throws(() => loadEncoderFrom(bone, 'joint'), /bone stream, not joint/);
  assert.throws(() => loadEncoderFrom(fx('moco-gru.pth.tar'), 'joint', { encoder: 'stgcn' }), /holds a GRU encoder, not stgcn/);
});

t('a bare state dict (torch.save(model.state_dict())) is one encoder', async () => {
  const enc = loadEncoderFrom(fx('state-dict.pth.tar'), 'joint');
  assert.is(enc.model.featureDim, 8);
  const z = tidy(() => noGrad(() => l2Normalize(enc.model.project(enc.model.features(Tensor.from(expected.input, expected.input_shape))))));
  assert.ok((await z.read()).every(Number.isFinite));
  z.dispose();
  enc.model.dispose();
});

t('the legacy (pre-1.6, non-zip) format is refused with the command that re-saves it', () => {
  assert.throws(() => readTorchStateDict(fx('legacy.pth.tar')), /legacy format \(before PyTorch 1\.6, not a zip\).*Re-save it with a newer PyTorch: python -c "import torch; torch\.save\(torch\.load/);
});

t('malicious pickles are refused by name, nothing runs: os.system through REDUCE, builtins.eval through GLOBAL, INST', () => {
  assert.throws(() => readTorchStateDict(fx('evil-reduce.pth.tar')), /global posix\.system is not allowed in a PyTorch checkpoint/);
  assert.throws(() => readTorchStateDict(fx('evil-builtins.pth.tar')), /global builtins\.eval is not allowed/);
  assert.throws(() => readTorchStateDict(fx('evil-inst.pth.tar')), /opcode INST \(0x69\) is not allowed in a PyTorch checkpoint/);
});

t('allowed globals cannot be misused: a storage class called, an OrderedDict built with arguments, a foreign persistent id, BINPERSID in a label file', () => {
  const torchPickle = (body: string) => Uint8Array.from(Buffer.from(`\x80\x02${body}`, 'latin1'));
  // archives laid out as torch.save lays them out, with handmade pickles
  const zipWith = (payload: Uint8Array): string => {
    const path = join(tmp, `crafted-${Math.random().toString(36).slice(2)}.pth.tar`);
    writeFileSync(path, storedZip([['archive/data.pkl', payload], ['archive/version', Buffer.from('3\n')]]));
    return path;
  };
  assert.throws(() => openTorchCheckpoint(zipWith(torchPickle('ctorch\nFloatStorage\n)R.'))), /torch\.FloatStorage cannot be called/);
  assert.throws(() => openTorchCheckpoint(zipWith(torchPickle('ccollections\nOrderedDict\nK\x01\x85R.'))), /OrderedDict is only rebuilt empty/);
  assert.throws(() => openTorchCheckpoint(zipWith(torchPickle('X\x04\x00\x00\x00evilQ.'))), /persistent id must be \('storage'/);
  assert.throws(() => unpickle(torchPickle('X\x04\x00\x00\x00evilQ.'), 'labels.pkl'), /BINPERSID \(0x51\) is not allowed in a label file/);
});

t('a storage missing from the archive, and a tensor reaching past its storage, are format errors', () => {
  // rebuild of a FloatStorage '7' (not in the archive), offset 0, size (2,), stride (1,)
  const pkl = Buffer.from('\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x007X\x03\x00\x00\x00cpuK\x02tQK\x00K\x02\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtRs.', 'latin1');
  const missing = join(tmp, 'missing.pth.tar');
  writeFileSync(missing, storedZip([['archive/data.pkl', pkl]]));
  assert.throws(() => readTorchStateDict(missing), /its storage archive\/data\/7 is not in the archive/);
  const short = join(tmp, 'short.pth.tar');
  const big = Buffer.from(pkl.toString('latin1').replace('K\x02\x85K\x01\x85', 'K\x05\x85K\x01\x85'), 'latin1');
  writeFileSync(short, storedZip([['archive/data.pkl', big], ['archive/data/7', Buffer.alloc(8)]]));
  assert.throws(() => readTorchStateDict(short), /reaches past its storage of 2 elements/);
});

/** A zip with stored (uncompressed) members, as torch.save writes them. */
function storedZip(members: [string, Uint8Array][]): Buffer {
  return zip(members.map(([name, bytes]) => ({ name, bytes: Buffer.from(bytes), deflate: false })));
}

t.run();
