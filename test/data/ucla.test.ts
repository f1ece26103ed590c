import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/util/errors.js';
import { readUcla } from '../../src/data/ucla.js';
import { openDataset } from '../../src/data/open.js';

const t = suite('data/ucla');
let root = '';
t.before(() => { root = mkdtempSync(join(tmpdir(), 'i2md-ucla-')); });
t.after(() => { rmSync(root, { recursive: true, force: true }); });

const frame = (t2: number) => Array.from({ length: 20 }, (_, v) => [t2, v, 1]);
function sequences(dir: string, names: [string, string][]): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, id] of names) writeFileSync(join(dir, file), JSON.stringify({ file_name: id, skeletons: [frame(0), frame(1)], label: 0 }));
}

t('the layouts people download: a folder holding all_sqe/, NW-UCLA/all_sqe/ or data/NW-UCLA/all_sqe/', () => {
  for (const sub of ['a/all_sqe', 'b/NW-UCLA/all_sqe', 'c/data/NW-UCLA/all_sqe']) {
    sequences(join(root, sub), [['a01_s01_e00_v01.json', 'a01_s01_e00_v01'], ['a02_s01_e00_v03.json', 'a02_s01_e00_v03']]);
    const top = join(root, sub.split('/')[0]);
    const o = openDataset(top);
    assert.is(o.info.format, 'ucla', sub);
    assert.is(o.all.size, 2);
    assert.is(o.test!.size, 1);
  }
});

t('any folder of .json files is read by content: file_name names the sequence, whatever the file is called', () => {
  const dir = join(root, 'renamed');
  sequences(dir, [['seq-1.json', 'a03_s02_e01_v01'], ['seq-2.json', 'a04_s02_e01_v03']]);
  const o = openDataset(dir);
  assert.is(o.info.format, 'ucla');
  assert.equal(Array.from(o.all.labels()), [2, 3]);
});

t('a folder of .json files that are not NW-UCLA sequences is refused in one message naming a file and why (before: ENOENT)', () => {
  const dir = join(root, 'other');
  mkdirSync(dir);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ theme: 'dark' }));
  for (const f of [() => openDataset(dir), () => openDataset(dir, 'ucla'), () => readUcla(dir)]) {
    try { f(); assert.unreachable(); } catch (e) {
      assert.instance(e, UserError);
      assert.match((e as Error).message, /none of its 1 \.json files is an NW-UCLA sequence .*settings\.json/);
    }
  }
  const empty = join(root, 'empty');
  mkdirSync(empty);
  try { readUcla(empty); assert.unreachable(); } catch (e) { assert.instance(e, UserError); assert.match((e as Error).message, 'all_sqe/'); }
});

t.run();
