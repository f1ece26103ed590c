import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyFile, NpyStreamWriter, encodeNpyHeader, parseNpyHeader } from '../../src/data/npy.js';
import { writeNpy } from '../helpers/npy.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('npy');
const dir = mkdtempSync(join(tmpdir(), 'i2md-npy-'));

/** The bytes numpy.save writes for a header dict: magic, v1.0, LE length, dict, spaces, '\n', to 64. */
function numpyHeader(dict: string): Buffer {
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const b = Buffer.alloc(total, 0x20);
  b.write('\x93NUMPY', 0, 'latin1'); b[6] = 1; b[7] = 0; b.writeUInt16LE(total - 10, 8);
  b.write(dict, 10, 'latin1'); b[total - 1] = 0x0a;
  return b;
}

t('writeNpy float32 matches numpy byte for byte', () => {
  const p = join(dir, 'a.npy');
  writeNpy(p, '<f4', [2, 3], [1, 2, 3, 4, 5, 6.5]);
  const expected = Buffer.concat([numpyHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6.5]).buffer)]);
  assert.equal(readFileSync(p).toString('hex'), expected.toString('hex'));
  assert.is(readFileSync(p).length, 128 + 24);
});

t('1-D int64 header uses the (N,) tuple', () => {
  const p = join(dir, 'b.npy');
  writeNpy(p, '<i8', [3], [7, 0, 300]);
  const expected = Buffer.concat([numpyHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"), Buffer.from(new BigInt64Array([7n, 0n, 300n]).buffer)]);
  assert.equal(readFileSync(p).toString('hex'), expected.toString('hex'));
  assert.equal(Array.from(NpyFile.open(p).readAll() as BigInt64Array, Number), [7, 0, 300]);
});

t('round trip of a 5-D array, rows read by seeking', () => {
  const p = join(dir, 'c.npy');
  const shape = [4, 3, 5, 2, 2];
  const data = Float32Array.from({ length: 4 * 60 }, (_, i) => i * 0.5);
  writeNpy(p, '<f4', shape, data);
  const f = NpyFile.open(p);
  assert.equal(f.shape, shape);
  assert.is(f.dtype, '<f4');
  assert.is(f.header.dataOffset % 64, 0);
  assert.equal(Array.from(f.readRowF32(2)), Array.from(data.subarray(120, 180)));
  assert.equal(Array.from(f.readRows(1, 2) as Float32Array), Array.from(data.subarray(60, 180)));
  f.close();
});

t('version 2.0 header (uint32 length) is read', () => {
  const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  const total = 128;
  const b = Buffer.alloc(total, 0x20);
  b.write('\x93NUMPY', 0, 'latin1'); b[6] = 2; b[7] = 0; b.writeUInt32LE(total - 12, 8);
  b.write(dict, 12, 'latin1'); b[total - 1] = 0x0a;
  const p = join(dir, 'v2.npy');
  writeFileSync(p, Buffer.concat([b, Buffer.from(new Float32Array([1.5, -2]).buffer)]));
  const f = NpyFile.open(p);
  assert.equal(f.header.version, [2, 0]);
  assert.is(f.header.dataOffset, 128);
  assert.equal(Array.from(f.readAll() as Float32Array), [1.5, -2]);
});

t('old 16-byte-aligned header is read from its stated length', () => {
  const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
  const total = Math.ceil((10 + dict.length + 1) / 16) * 16;
  const b = Buffer.alloc(total, 0x20);
  b.write('\x93NUMPY', 0, 'latin1'); b[6] = 1; b.writeUInt16LE(total - 10, 8); b.write(dict, 10, 'latin1'); b[total - 1] = 0x0a;
  const h = parseNpyHeader(Buffer.concat([b, Buffer.alloc(8)]), 'x.npy');
  assert.is(h.dataOffset, total);
  assert.is(h.dtype, '<f8');
});

t('streaming writer rewrites the header with the rows appended', () => {
  const p = join(dir, 'd.npy');
  const w = new NpyStreamWriter(p, '<f4', [2], 1000);
  w.append([1, 2]); w.append([3, 4]);
  w.close();
  const direct = join(dir, 'e.npy');
  writeNpy(direct, '<f4', [2, 2], [1, 2, 3, 4]);
  assert.equal(readFileSync(p).toString('hex'), readFileSync(direct).toString('hex'));
  assert.is(encodeNpyHeader('<f4', [1000, 2]).length, 128);
});

t('the stream writer turns OS errors into one line with the path (ENOENT, EISDIR)', () => {
  const d = mkdtempSync(join(tmpdir(), 'npyw-'));
  assert.throws(() => new NpyStreamWriter(join(d, 'no', 'such', 'x.npy'), '<f4', [2], 1), (e: Error) => e instanceof UserError && /x\.npy: no such file or folder while creating the file \(ENOENT\)$/.test(e.message));
  assert.throws(() => new NpyStreamWriter(d, '<f4', [2], 1), (e: Error) => e instanceof UserError && /is a folder while creating the file \(EISDIR\)$/.test(e.message));
});

t.run();
