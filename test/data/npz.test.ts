import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../helpers/npy.js';
import { zip } from '../helpers/zip.js';
import { readNpz } from '../../src/data/npz.js';
import { openDataset } from '../../src/data/open.js';
import { FormatError } from '../../src/util/errors.js';

const t = suite('npz');
const dir = mkdtempSync(join(tmpdir(), 'i2md-npz-'));

function npyBytes(dtype: '<f4' | '<i8' | '<f8', shape: number[], data: number[] | Float32Array): Buffer {
  const p = join(dir, 'tmp.npy'); writeNpy(p, dtype, shape, data); return readFileSync(p);
}

// Two samples, T=4: body 0 joint v of frame t at x = 100t + v, y = -v, z = 1; body 1 only in sample 1.
const N = 2, T = 4;
const x = new Float32Array(N * T * 150);
for (let n = 0; n < N; n++) for (let t2 = 0; t2 < 3; t2++) for (let m = 0; m < 2; m++) for (let v = 0; v < 25; v++) {
  if (m === 1 && n === 0) continue;
  const o = (n * T + t2) * 150 + (m * 25 + v) * 3;
  x[o] = 100 * t2 + v + m * 1000; x[o + 1] = -v; x[o + 2] = 1;
}
const yOneHot = [0, 0, 1, 0, 1, 0, 0, 0];

t('CTR-GCN npz: stored x, deflated y → (3,T,25,2) samples with argmax labels', () => {
  const p = join(dir, 'NTU60_CS.npz');
  writeFileSync(p, zip([
    { name: 'x_train.npy', bytes: npyBytes('<f4', [N, T, 150], x), deflate: false },
    { name: 'y_train.npy', bytes: npyBytes('<f8', [N, 4], yOneHot), deflate: true },
    { name: 'x_test.npy', bytes: npyBytes('<f4', [N, T, 150], x), deflate: true },
    { name: 'y_test.npy', bytes: npyBytes('<f8', [N, 4], yOneHot), deflate: false },
  ]));
  const { train, test } = readNpz(p);
  assert.ok(train && test);
  assert.is(train!.size, 2); assert.is(train!.T, 4); assert.is(train!.numClasses, 4);
  assert.equal(Array.from(train!.labels()), [2, 0]);
  for (const ds of [train!, test!]) {
    const s = ds.get(1);
    assert.is(s.frames, 3);
    const at = (c: number, t2: number, v: number, m: number) => s.data[((c * T + t2) * 25 + v) * 2 + m];
    assert.is(at(0, 2, 7, 0), 207); assert.is(at(1, 2, 7, 0), -7); assert.is(at(2, 1, 0, 0), 1);
    assert.is(at(0, 1, 3, 1), 1103);
    assert.is(ds.get(0).data[((0 * T + 1) * 25 + 3) * 2 + 1], 0);
  }
  const o = openDataset(p);
  assert.is(o.info.format, 'npz');
  assert.is(o.all.size, 4);
});

t('npz lies: stated size vs shape, bounds past the file, zip bomb, corrupt deflate, label rows — one FormatError each', () => {
  const good = npyBytes('<f4', [N, T, 150], x), y = npyBytes('<f8', [N, 4], yOneHot);
  const write = (b: Buffer) => { const p = join(dir, `lie${Math.random().toString(36).slice(2)}.npz`); writeFileSync(p, b); return p; };
  const fails = (b: Buffer, re: RegExp) => {
    const p = write(b);
    assert.throws(() => readNpz(p), (e: Error) => e instanceof FormatError && e.message.startsWith(p) && re.test(e.message) && !e.message.includes('\n'), String(re));
  };
  // the header says 2·N rows, the stored member (sizes patched to agree) holds N: the old reader read the zip's own records as samples
  const lying = Buffer.from(good); lying.write(`(${2 * N}, ${T}, 150)`, lying.indexOf(`(${N}, ${T}, 150)`), 'latin1');
  const z = zip([{ name: 'x_train.npy', bytes: lying, deflate: false }, { name: 'y_train.npy', bytes: y, deflate: false }]);
  fails(z, /truncated|needs \d+ bytes/);
  // a stored member whose stated size runs past its data into the next member
  const big = zip([{ name: 'x_train.npy', bytes: good, deflate: false }, { name: 'y_train.npy', bytes: y, deflate: false }]);
  const first = big.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  big.writeUInt32LE(good.length + 64, first + 20); big.writeUInt32LE(good.length + 64, first + 24);
  fails(big, /holds \d+|needs \d+ bytes/);
  // a zip bomb: 64 MB of zeros that says it is 1 KB
  const bomb = zip([{ name: 'x_train.npy', bytes: Buffer.alloc(64 << 20), deflate: true }, { name: 'y_train.npy', bytes: y, deflate: false }]);
  const bc = bomb.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bomb.writeUInt32LE(1024, bc + 24);
  const t0 = Date.now();
  fails(bomb, /inflates past its stated size of 1024 bytes/);
  assert.ok(Date.now() - t0 < 3000, 'the bomb was inflated in full');
  // a corrupt deflate stream
  const cut = zip([{ name: 'x_train.npy', bytes: good, deflate: true }, { name: 'y_train.npy', bytes: y, deflate: false }]);
  cut.fill(0xff, 40, 60);
  fails(cut, /corrupt deflate stream|inflates to|malformed/);
  // central directory past the end of the file
  const trunc = zip([{ name: 'x_train.npy', bytes: good, deflate: false }, { name: 'y_train.npy', bytes: y, deflate: false }]);
  trunc.writeUInt32LE(trunc.length, trunc.length - 22 + 16);
  fails(trunc, /runs past the end of the file/);
  // labels: NaN and all-zero one-hot rows, negative plain labels
  fails(zip([{ name: 'x_train.npy', bytes: good, deflate: false }, { name: 'y_train.npy', bytes: npyBytes('<f8', [N, 4], [0, 0, 1, 0, NaN, 0, 0, 0]), deflate: false }]), /y_train row 1: value NaN/);
  fails(zip([{ name: 'x_train.npy', bytes: good, deflate: false }, { name: 'y_train.npy', bytes: npyBytes('<f8', [N, 4], [0, 0, 1, 0, 0, 0, 0, 0]), deflate: false }]), /y_train row 1: a one-hot row with no positive entry/);
  fails(zip([{ name: 'x_train.npy', bytes: good, deflate: false }, { name: 'y_train.npy', bytes: npyBytes('<i8', [N], [3, -1]), deflate: false }]), /label 1: -1 is not a class index/);
});

t.run();
