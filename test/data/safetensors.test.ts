import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveSafetensors, loadSafetensors, encodeSafetensors, parseSafetensors, checkNames, type TensorMap } from '../../src/data/safetensors.js';
import { FormatError, UserError } from '../../src/util/errors.js';

const t = suite('data/safetensors');
const dir = mkdtempSync(join(tmpdir(), 'i2md-st-'));

const tensors = (): TensorMap => ({
  'st_gcn_networks.0.gcn.conv.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.of(1, -2.5, 3e-8, NaN, Infinity, -0) },
  'data_bn.num_batches_tracked': { dtype: 'I64', shape: [], data: BigInt64Array.of(-(2n ** 62n)) },
  'labels': { dtype: 'I32', shape: [3], data: Int32Array.of(7, -1, 2 ** 31 - 1) },
  'empty': { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
  'odd': { dtype: 'F32', shape: [1], data: Float32Array.of(0.1) }, // puts the next tensor at an offset ≢ 0 mod 8
  'z_i64': { dtype: 'I64', shape: [2], data: BigInt64Array.of(1n, 2n ** 40n) },
});

const bytesOf = (d: ArrayBufferView) => Buffer.from(d.buffer, d.byteOffset, d.byteLength);

t('round trip is bit-exact: write, read, write again gives the same bytes', () => {
  const p1 = join(dir, 'a.safetensors'), p2 = join(dir, 'b.safetensors');
  const src = tensors();
  saveSafetensors(p1, src, { format: 'pt', epoch: '3' });
  assert.not.ok(existsSync(p1 + '.tmp'), 'temporary file renamed away');
  const { tensors: got, metadata } = loadSafetensors(p1);
  assert.equal({ ...metadata }, { format: 'pt', epoch: '3' });
  assert.equal(Object.keys(got).sort(), Object.keys(src).sort());
  for (const [name, s] of Object.entries(src)) {
    assert.is(got[name].dtype, s.dtype, name);
    assert.equal(got[name].shape, s.shape, name);
    assert.ok(got[name].data instanceof s.data.constructor, name);
    assert.ok(bytesOf(got[name].data).equals(bytesOf(s.data)), `${name} bytes`);
  }
  saveSafetensors(p2, got, metadata);
  assert.ok(readFileSync(p1).equals(readFileSync(p2)));
  // header: 8-aligned, padded with spaces, names sorted, metadata first
  const raw = readFileSync(p1);
  const n = Number(raw.readBigUInt64LE(0));
  assert.is(n % 8, 0);
  const header = raw.subarray(8, 8 + n).toString();
  assert.ok(header.startsWith('{"__metadata__":{"format":"pt","epoch":"3"},"data_bn.num_batches_tracked":'));
  const names = Object.keys(JSON.parse(header)).filter((k) => k !== '__metadata__');
  assert.equal(names, [...names].sort());
});

/** A file's bytes from a header string and data, padding the header as the reference writer does. */
function build(header: string, data: Uint8Array, pad = true): Buffer {
  let h = Buffer.from(header);
  if (pad && h.length % 8) h = Buffer.concat([h, Buffer.alloc(8 - (h.length % 8), 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, data]);
}

t('a hand-built tiny file parses, and the writer produces exactly its bytes', () => {
  const header = '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 85 chars → 88
  const file = build(header, bytesOf(Float32Array.of(1.5, -2)));
  assert.is(file.length, 8 + 88 + 8);
  assert.is(file.readBigUInt64LE(0), 88n);
  assert.is(file.subarray(8 + 85, 8 + 88).toString(), '   ');
  const { tensors: got, metadata } = parseSafetensors(file, 'tiny.safetensors');
  assert.equal(Array.from(got.a.data as Float32Array), [1.5, -2]);
  assert.equal(got.a.shape, [2]);
  assert.is(metadata.format, 'pt');
  const mine = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: Float32Array.of(1.5, -2) } }, { format: 'pt' });
  assert.ok(Buffer.from(mine).equals(file));
  // no metadata: no __metadata__ key at all
  const bare = Buffer.from(encodeSafetensors({ a: { dtype: 'I32', shape: [1], data: Int32Array.of(5) } }));
  assert.is(bare.subarray(8, 8 + Number(bare.readBigUInt64LE(0))).toString().trimEnd(), '{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}');
});

/** Parsing must fail with a FormatError naming the file and matching `what`. */
function rejects(bytes: Uint8Array, what: RegExp): void {
  try {
    parseSafetensors(bytes, 'bad.safetensors');
  } catch (e) {
    assert.instance(e, FormatError);
    assert.ok((e as Error).message.startsWith('bad.safetensors: '), (e as Error).message);
    assert.match((e as Error).message, what);
    return;
  }
  assert.unreachable(`accepted a file that should fail with ${what}`);
}

const f32 = (n: number) => new Uint8Array(4 * n);
const entry = (dtype: string, shape: number[], offs: number[]) => JSON.stringify({ dtype, shape, data_offsets: offs });

t('truncated and malformed files give clear errors', () => {
  rejects(new Uint8Array(5), /5 bytes, shorter than the 8-byte header length/);
  const good = build(`{"a":${entry('F32', [2], [0, 8])}}`, f32(2));
  rejects(good.subarray(0, 20), /header length 56 runs past the end of the 20-byte file/);
  rejects(build('{"a": [1, 2', f32(0)), /header: not valid JSON/);
  rejects(build('[1, 2]', f32(0)), /expected a JSON object/);
  rejects(good.subarray(0, good.length - 4), /tensor "a": data_offsets \[0, 8\] run past the 4 data bytes/);
  rejects(build(`{"a":${entry('F32', [3], [0, 8])}}`, f32(3)), /hold 8 bytes, but F32 \[3\] needs 12/);
  rejects(build(`{"a":${entry('F32', [2], [0, 8])},"b":${entry('F32', [2], [4, 12])}}`, f32(3)), /overlap tensor "a"/);
  rejects(build(`{"a":${entry('F16', [2], [0, 4])}}`, f32(1)), /unknown dtype "F16"/);
  rejects(build(`{"a":${entry('F32', [-2], [0, 8])}}`, f32(2)), /shape \[-2\]/);
  rejects(build(`{"a":${entry('F32', [2], [8, 0])}}`, f32(2)), /begin ≤ end/);
  rejects(build(`{"__metadata__":{"x":1}}`, f32(0)), /__metadata__.x: expected a string/);
});

t('loadSafetensors names the path; a missing file is a UserError', () => {
  const p = join(dir, 'short.safetensors');
  writeFileSync(p, Buffer.from([1, 2, 3]));
  assert.throws(() => loadSafetensors(p), (e: Error) => e instanceof FormatError && e.message.startsWith(p + ': '));
  assert.throws(() => loadSafetensors(join(dir, 'nope.safetensors')), (e: Error) => e instanceof UserError && /ENOENT/.test(e.message));
});

t('the writer rejects inconsistent tensors', () => {
  assert.throws(() => encodeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } }), /holds 3 values, data has 2/);
  assert.throws(() => encodeSafetensors({ a: { dtype: 'I64', shape: [1], data: new Float32Array(1) as never } }), /BigInt64Array/);
});

t('checkNames lists missing, unexpected and mis-shaped tensors in one error', () => {
  const found = { 'fc.weight': { shape: [10, 256] }, 'fc.bias': { shape: [10] }, 'extra.x': { shape: [1] }, 'data_bn.weight': { shape: [150] } };
  const expected = { 'fc.weight': [60, 256], 'fc.bias': [10], 'data_bn.weight': [150], 'data_bn.bias': [150], 'edge_importance.0': [3, 25, 25] };
  try {
    checkNames(found, expected);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, UserError);
    const m = (e as Error).message;
    assert.match(m, /missing \(2\): data_bn\.bias, edge_importance\.0/);
    assert.match(m, /unexpected \(1\): extra\.x/);
    assert.match(m, /wrong shape \(1\):\n\s+fc\.weight: found \[10, 256\], expected \[60, 256\]/);
  }
  checkNames({ a: { shape: [2] } }, { a: [2] }); // matching: no error
});

t.after(() => rmSync(dir, { recursive: true, force: true }));
t.run();
