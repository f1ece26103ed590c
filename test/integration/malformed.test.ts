import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, decoding } from '../../src/util/errors.js';
import { saveSafetensors, loadSafetensors, checkNames, assertFiniteTensors } from '../../src/data/safetensors.js';
import { NpyFile } from '../../src/data/npy.js';
import { writeNpy } from '../helpers/npy.js';
import { unpickle } from '../../src/data/pickle.js';
import { readNtuFile } from '../../src/data/ntu.js';
import { readGtuFile } from '../../src/data/gtu.js';
import { readMsrFile } from '../../src/data/msr.js';
import { readUclaFile } from '../../src/data/ucla.js';
import { openDataset } from '../../src/data/open.js';
import { writeLabelPickle } from '../../src/data/pickle.js';

const t = suite('malformed input');
const dir = mkdtempSync(join(tmpdir(), 'i2md-bad-'));
let k = 0;
const file = (text: string | Buffer, name = `f${k++}.txt`) => { const p = join(dir, name); writeFileSync(p, text); return p; };

/** Asserts a FormatError whose message names the file, the position and what was expected. */
function rejects(fn: () => unknown, path: string, position: RegExp, what: RegExp): void {
  try { fn(); } catch (e) {
    assert.instance(e, FormatError, `expected a FormatError, got ${String(e)}`);
    const msg = (e as Error).message;
    assert.ok(msg.startsWith(path), `message should start with the file: ${msg}`);
    assert.match((e as FormatError).position, position);
    assert.match(msg, what);
    return;
  }
  assert.unreachable('no error thrown');
}
function npyWithHeader(dict: string, dataBytes = 0): string {
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const b = Buffer.alloc(total + dataBytes, 0x20);
  b.write('\x93NUMPY', 0, 'latin1'); b[6] = 1; b.writeUInt16LE(total - 10, 8); b.write(dict, 10, 'latin1'); b[total - 1] = 0x0a;
  b.fill(0, total);
  return file(b, `h${k++}.npy`);
}

t('npy: big-endian, Fortran order, unsupported dtype, truncated data, not npy', () => {
  let p = npyWithHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8);
  rejects(() => NpyFile.open(p), p, /header/, /big-endian dtype '>f4'/);
  p = npyWithHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
  rejects(() => NpyFile.open(p), p, /header/, /Fortran-order/);
  p = npyWithHeader("{'descr': '<U7', 'fortran_order': False, 'shape': (2,), }", 56);
  rejects(() => NpyFile.open(p), p, /header/, /dtype '<U7' is not supported \(expected '<f4'/);
  p = join(dir, 'trunc.npy');
  writeNpy(p, '<f4', [4, 3, 10, 25, 2], new Float32Array(4 * 1500));
  const full = readFileSync(p);
  writeFileSync(p, full.subarray(0, full.length - 100));
  rejects(() => NpyFile.open(p), p, /^byte \d+$/, /truncated: shape \(4, 3, 10, 25, 2\) of <f4 needs \d+ bytes/);
  writeFileSync(p, full.subarray(0, 40));
  rejects(() => NpyFile.open(p), p, /byte 10/, /truncated \.npy header/);
  p = file('hello world');
  rejects(() => NpyFile.open(p), p, /byte 0/, /not a \.npy file/);
});

t('npy folder: wrong shape, wrong dtype, label/data count mismatch', () => {
  const d = join(dir, 'arrays'); mkdirSync(d);
  writeNpy(join(d, 'train_data_joint.npy'), '<f4', [3, 3, 4, 25], new Float32Array(3 * 300));
  writeLabelPickle(join(d, 'train_label.pkl'), ['a', 'b', 'c'], [0, 1, 2]);
  assert.throws(() => openDataset(d).all.get(0), /expected shape \(N, 3, T, V, M\), found \(3, 3, 4, 25\)/);
  writeNpy(join(d, 'train_data_joint.npy'), '<f8', [3, 3, 4, 25, 1], new Float64Array(3 * 300));
  assert.throws(() => openDataset(d), /expected float32 \('<f4'\) skeleton data, found '<f8'/);
  writeNpy(join(d, 'train_data_joint.npy'), '<f4', [2, 3, 4, 25, 1], new Float32Array(2 * 300));
  rejects(() => openDataset(d), join(d, 'train_label.pkl'), /top level/, /3 labels but 2 samples in .*train_data_joint\.npy/);
});

t('pickle: unknown opcode, truncated, missing STOP', () => {
  rejects(() => unpickle(Buffer.from('8004 5d 2e'.replace(/ /g, ''), 'hex').subarray(0, 3), 'l.pkl'), 'l.pkl', /byte 3/, /no STOP opcode/);
  rejects(() => unpickle(Buffer.from('80048c0a6162', 'hex'), 'l.pkl'), 'l.pkl', /byte 2/, /length 10 runs past the end/);
  rejects(() => unpickle(Buffer.from('80045d8194', 'hex'), 'l.pkl'), 'l.pkl', /byte 3/, /opcode NEWOBJ \(0x81\) is not allowed/);
  rejects(() => unpickle(Buffer.from('8004ff', 'hex'), 'l.pkl'), 'l.pkl', /byte 2/, /opcode unknown \(0xff\)/);
});

t('NTU skeleton: truncated, wrong joint count, NaN, empty', () => {
  const joint = '0.1 0.2 3 1 1 1 1 0 0 0 0 2';
  const bodyHead = '72057594037931101 0 1 2 1 2 0 0.1 0.2 2';
  const good = ['2', '1', bodyHead, '25', ...Array(25).fill(joint), '1', bodyHead, '25', ...Array(25).fill(joint)];
  let p = file(good.slice(0, 20).join('\n'), 'S001C001P001R001A001.skeleton');
  rejects(() => readNtuFile(p), p, /line 21/, /truncated: expected joint 16 of frame 0, body 0/);
  p = file([...good.slice(0, 3), '24', ...Array(24).fill(joint)].join('\n'));
  rejects(() => readNtuFile(p), p, /line 4/, /frame 0, body 0: expected 25 joints, found 24/);
  const nan = [...good]; nan[10] = 'nan 0.2 3 1 1 1 1 0 0 0 0 2';
  p = file(nan.join('\n'));
  rejects(() => readNtuFile(p), p, /line 11/, /joint 6: expected a finite coordinate, found 'nan'/);
  p = file('0\n');
  rejects(() => readNtuFile(p), p, /line 1/, /empty sequence/);
  p = file('3\n0\n0\n0\n');
  rejects(() => readNtuFile(p), p, /frames 0\.\.2/, /no body is tracked/);
});

t('text readers: wrong joint counts, NaN/Inf, empty; a 1-frame sequence is readable', () => {
  const row = '0.1 0.2 0.3';
  let p = file(Array(26).fill(row).join('\n'));
  rejects(() => readGtuFile(p, 0), p, /line 26/, /26 joint lines is not a whole number of 25-joint frames/);
  p = file([...Array(5).fill(row), '0.1 Inf 0.3', ...Array(19).fill(row)].join('\n'));
  rejects(() => readGtuFile(p, 0), p, /line 6, field 2/, /expected a finite number, found 'Inf'/);
  p = file('');
  rejects(() => readGtuFile(p, 0), p, /line 1/, /empty sequence/);
  p = file(Array(25).fill(row).join('\n'));
  assert.is(readGtuFile(p, 0).frames, 1);
  p = file(Array(20).fill('1 2 3').join('\n'));
  rejects(() => readMsrFile(p, 0), p, /line 1/, /expected 4 numbers, found 3/);
  p = file(Array(20).fill('1 2 NaN 1').join('\n'));
  rejects(() => readMsrFile(p, 0), p, /line 1, field 3/, /finite number, found 'NaN'/);
});

t('UCLA JSON: malformed text, wrong joint count, non-numbers, empty', () => {
  let p = file('{"file_name": "a01_s01_e00_v01", "skeletons": [[[1,2,3],\n  [1,2', 'a01_s01_e00_v01.json');
  rejects(() => readUclaFile(p), p, /line 2, column \d+|JSON/, /malformed JSON/);
  const f = (frames: unknown) => JSON.stringify({ file_name: 'a01_s01_e00_v01', skeletons: frames, label: 1 });
  p = file(f([Array(19).fill([1, 2, 3])]), 'b.json');
  rejects(() => readUclaFile(p), p, /frame 0/, /expected 20 joints, found 19/);
  p = file(f([Array(20).fill([1, 2, 3]), [...Array(19).fill([1, 2, 3]), [1, null, 3]]]), 'c.json');
  rejects(() => readUclaFile(p), p, /frame 1, joint 19/, /expected a finite number, found null/);
  p = file(f([]), 'd.json');
  rejects(() => readUclaFile(p), p, /skeletons/, /empty sequence/);
});

t('npy: a key given twice is read last-wins as numpy does; raw bytes in a header are escaped, never echoed', () => {
  const p = npyWithHeader("{'descr': '<i8', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
  assert.is(NpyFile.open(p).dtype, '<f4');
  const q = npyWithHeader("{'descr': '\x01\x1b[31m\xff', 'fortran_order': False, 'shape': (2,), }", 8);
  try { NpyFile.open(q); assert.unreachable(); } catch (e) {
    assert.instance(e, FormatError);
    assert.not.match((e as Error).message, /[\x00-\x1f\x7f-\xff]/);
    assert.match((e as Error).message, /\\x1b/);
  }
});

t('pickle: APPENDS of 500 000 items is read (no spread into push)', () => {
  const n = 500000;
  const body = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) { body[2 * i] = 0x4b; body[2 * i + 1] = i % 256; }   // BININT1
  const bytes = Buffer.concat([Buffer.from([0x80, 0x02, 0x5d, 0x28]), body, Buffer.from([0x65, 0x2e])]);   // PROTO 2, EMPTY_LIST, MARK … APPENDS STOP
  const v = unpickle(bytes, 'big.pkl') as number[];
  assert.is(v.length, n);
  assert.is(v[n - 1], (n - 1) % 256);
});

t('safetensors: a tensor named __proto__ is unexpected like any other name; NaN weights are refused', () => {
  assert.throws(() => checkNames(JSON.parse('{"a": {"shape": [1]}, "__proto__": {"shape": [1]}}'), { a: [1] }), /unexpected \(1\): __proto__/);
  const p = join(dir, 'nan.safetensors');
  saveSafetensors(p, { w: { dtype: 'F32', shape: [3], data: Float32Array.of(1, NaN, 2) } });
  assert.throws(() => assertFiniteTensors(p, loadSafetensors(p).tensors), (e: Error) => e instanceof FormatError && /tensor "w" element 1: NaN: weights must be finite/.test(e.message));
});

t('a reader that trips on a malformed file still ends in one line naming it (the shared decode path)', () => {
  const r = (() => { try { decoding('x.bin', 'byte 3', () => new DataView(new ArrayBuffer(2)).getUint32(0)); } catch (e) { return e as Error; } })();
  assert.instance(r, FormatError);
  assert.match(r!.message, /^x\.bin: byte 3: malformed or truncated \(/);
  assert.throws(() => decoding('x', 'y', () => { throw new Error('a bug, not a file problem'); }), (e: Error) => !(e instanceof FormatError));
});

t('NW-UCLA: null, an array or a number at the top level; a value that overflows float32', () => {
  for (const doc of ['null', '[]', '7']) {
    const p = file(doc, `a01_s01_e01_v01_${k++}.json`);
    rejects(() => readUclaFile(p), p, /top level/, /expected an object \{file_name, skeletons\}/);
  }
  const frame = JSON.stringify(Array.from({ length: 20 }, (_, v) => [v === 3 ? 1e39 : 0.5, 0.5, 0.5]));
  const p = file(`{"file_name": "a01_s01_e01_v01", "skeletons": [${frame}]}`, `a01_s01_e01_v01_${k++}.json`);
  rejects(() => readUclaFile(p), p, /frame 0, joint 3/, /expected a finite number, found 1e\+39/);
});

t('MSR: an action out of range is skipped with its path, and fatal with --strict', () => {
  const d = join(dir, 'msr-range'); mkdirSync(d);
  const body = Array.from({ length: 20 }, () => '0.1 0.2 0.3 1').join('\n') + '\n';
  writeFileSync(join(d, 'a01_s01_e01_skeleton3D.txt'), body);
  writeFileSync(join(d, 'a99_s01_e01_skeleton3D.txt'), body);
  const o = openDataset(d);
  assert.is(o.info.skipped.length, 1);
  assert.match(o.info.skipped[0].reason, /a99_s01_e01_skeleton3D\.txt: file name: action 99 outside 1\.\.20/);
  assert.throws(() => openDataset(d, 'msr', { strict: true }), /a99_s01_e01_skeleton3D\.txt: file name: action 99/);
});

t.run();
