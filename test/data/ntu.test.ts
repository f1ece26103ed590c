import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNtuSkeleton, preprocessNtu, parseNtuName, isNtuTrain, readNtuFile } from '../../src/data/ntu.js';
import { openDataset } from '../../src/data/open.js';

const t = suite('ntu');
const dir = mkdtempSync(join(tmpdir(), 'i2md-ntu-'));

type Joints = number[][]; // 25 × [x, y, z]
/** A standing body at (ox, oy, oz): spine up +y, shoulders along +x, swaying by `sway`. */
function body(ox: number, oy: number, oz: number, sway = 0): Joints {
  const j: Joints = Array.from({ length: 25 }, (_, v) => [ox + 0.01 * v + sway, oy + 0.02 * v, oz]);
  j[0] = [ox + sway, oy, oz];          // SpineBase
  j[1] = [ox + sway, oy + 0.3, oz];    // SpineMid
  j[4] = [ox - 0.2 + sway, oy + 0.5, oz]; // ShoulderLeft
  j[8] = [ox + 0.2 + sway, oy + 0.5, oz]; // ShoulderRight
  return j;
}
function skeletonText(frames: { id: string; joints: Joints }[][]): string {
  const out = [String(frames.length)];
  for (const f of frames) {
    out.push(String(f.length));
    for (const b of f) {
      out.push(`${b.id} 0 1 2 1 2 0 0.1 0.2 2`, '25');
      for (const [x, y, z] of b.joints) out.push(`${x} ${y} ${z} 250.1 200.2 900.3 500.4 0.1 0.2 0.3 0.4 2`);
    }
  }
  return out.join('\r\n') + '\r\n';
}
const A = '72057594037931101', B = '72057594037931102';
const frames = [
  [{ id: A, joints: body(0, 0, 3, 0) }, { id: B, joints: body(1, 0, 3, 0) }],
  [],                                                    // a null frame
  [{ id: A, joints: body(0, 0, 3, 0.2) }, { id: B, joints: body(1, 0, 3, 0) }],
  [{ id: B, joints: body(1, 0, 3, 0) }, { id: A, joints: body(0, 0, 3, 0.4) }],
];

t('parse keeps 64-bit body ids as strings and reads joints', () => {
  const f = parseNtuSkeleton(skeletonText(frames), 'x.skeleton');
  assert.is(f.length, 4);
  assert.is(f[1].bodies.length, 0);
  assert.is(f[0].bodies[0].id, A);
  assert.equal(Array.from(f[0].bodies[0].joints.subarray(3, 6)).map((v) => +v.toFixed(4)), [0, 0.3, 3]);
});

t('preprocess: energetic body first, null frame dropped, repeated to T, centred and aligned', () => {
  const T = 8;
  const { data, frames: n } = preprocessNtu(parseNtuSkeleton(skeletonText(frames), 'x.skeleton'), T, 'x.skeleton');
  assert.is(n, 3);
  const at = (c: number, t2: number, v: number, m: number) => data[((c * T + t2) * 25 + v) * 2 + m];
  const close = (a: number, b: number) => Math.abs(a - b) < 1e-5;
  // Body 0 is A (it moves); its SpineMid is the origin in every frame.
  for (let t2 = 0; t2 < T; t2++) for (let c = 0; c < 3; c++) assert.ok(close(at(c, t2, 1, 0), 0));
  // hip→spine along +z, left→right shoulders along +x (first frame).
  const bone = [0, 1, 2].map((c) => at(c, 0, 1, 0) - at(c, 0, 0, 0));
  assert.ok(close(bone[0], 0) && close(bone[1], 0) && bone[2] > 0);
  const sh = [0, 1, 2].map((c) => at(c, 0, 8, 0) - at(c, 0, 4, 0));
  assert.ok(close(sh[1], 0) && close(sh[2], 0) && sh[0] > 0);
  // Frames 3.. repeat frames 0..: 3 valid frames filling T=8.
  for (let c = 0; c < 3; c++) for (let v = 0; v < 25; v++) {
    assert.ok(close(at(c, 3, v, 1), at(c, 0, v, 1)));
    assert.ok(close(at(c, 7, v, 0), at(c, 1, v, 0)));
  }
  // Body B sits 1 m to body A's right: after alignment, along +x.
  assert.ok(close(at(0, 0, 1, 1), 1) && close(at(1, 0, 1, 1), 0));
});

t('file names and benchmark splits', () => {
  const n = parseNtuName('S018C002P045R001A110')!;
  assert.equal(n, { setup: 18, camera: 2, performer: 45, replication: 1, action: 110 });
  assert.ok(isNtuTrain(n, 'xsub'));
  assert.ok(isNtuTrain(n, 'xview'));
  assert.ok(isNtuTrain(n, 'xset'));
  assert.not.ok(isNtuTrain(parseNtuName('S001C001P003R001A001')!, 'xsub'));
  assert.not.ok(isNtuTrain(parseNtuName('S001C001P003R001A001')!, 'xview'));
});

t('a folder streams with splits and the missing list', () => {
  const sub = join(dir, 'nturgbd');
  mkdirSync(sub);
  writeFileSync(join(sub, 'S001C001P001R001A001.skeleton'), skeletonText(frames));
  writeFileSync(join(sub, 'S001C002P003R001A050.skeleton'), skeletonText(frames));
  writeFileSync(join(sub, 'S001C003P003R002A050.skeleton'), skeletonText(frames));
  writeFileSync(join(dir, 'missing.txt'), 'S001C003P003R002A050\n');
  const o = openDataset(sub, 'auto', { benchmark: 'xsub', missing: join(dir, 'missing.txt'), frames: 10 });
  assert.is(o.info.format, 'ntu');
  assert.is(o.all.size, 2);
  assert.is(o.train!.size, 1);
  assert.equal(Array.from(o.all.labels()), [0, 49]);
  const s = o.test!.get(0);
  assert.is(s.name, 'S001C002P003R001A050');
  assert.is(s.frames, 3);
  assert.is(s.data.length, 3 * 10 * 25 * 2);
  assert.equal(Array.from(readNtuFile(join(sub, 'S001C001P001R001A001.skeleton'), 10).data), Array.from(s.data));
});

t('action numbers outside A001–A120 are refused by file name', () => {
  for (const a of ['A000', 'A999']) {
    const sub = join(dir, `ntu-${a}`);
    mkdirSync(sub);
    writeFileSync(join(sub, `S001C001P001R001${a}.skeleton`), skeletonText(frames));
    assert.throws(() => openDataset(sub, 'ntu'), new RegExp(`S001C001P001R001${a}\\.skeleton: file name: action ${a} outside A001–A120`));
  }
});

t.run();
