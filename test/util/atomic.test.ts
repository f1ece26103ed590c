/** Atomic writes: whole or not at all, the OS's errors as one line, no output under /proc or /sys. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFaults, ioError, checkOutputPath, makeOutputDir } from '../../src/util/atomic.js';
import { UserError } from '../../src/util/errors.js';

const t = suite('util/atomic');

t('a failed write leaves the old file and no temp file; the error is one line with the path and what failed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  try {
    const p = join(dir, 'a.json');
    writeFileAtomic(p, 'old');
    for (const code of ['ENOSPC', 'EROFS', 'EIO']) {
      writeFaults.before = () => { throw Object.assign(new Error(`${code}: boom, write`), { code, syscall: 'write' }); };
      try {
        writeFileAtomic(p, 'new', 'writing the results', 'the old results are intact');
        assert.unreachable();
      } catch (e) {
        assert.instance(e, UserError);
        assert.match((e as Error).message, new RegExp(`^${p.replace(/[.]/g, '\\.')}: .* while writing the results \\(${code}\\); the old results are intact$`));
      } finally { writeFaults.before = undefined; }
      assert.is(readFileSync(p, 'utf8'), 'old');
    }
    assert.equal(readdirSync(dir), ['a.json']);
    // real OS errors: a folder in the way (EISDIR) and a file where a folder should be (ENOTDIR / EEXIST)
    mkdirSync(join(dir, 'sub'));
    assert.throws(() => writeFileAtomic(join(dir, 'sub'), 'x'), (e: Error) => e instanceof UserError && /sub: .*\((EISDIR|EEXIST|ENOTEMPTY|EPERM)\)$/.test(e.message));
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => writeFileAtomic(join(dir, 'file', 'x.json'), 'x'), (e: Error) => e instanceof UserError && !e.message.includes('\n'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t('ioError: known codes in words; other errors pass through unchanged', () => {
  const e = ioError(Object.assign(new Error('ENOENT: no such file or directory, open'), { code: 'ENOENT', syscall: 'open' }), '/x/y', 'reading');
  assert.is(e.message, '/x/y: no such file or folder while reading (ENOENT)');
  const plain = new Error('not a system error');
  assert.is(ioError(plain, '/x', 'reading'), plain);
});

t('outputs under /proc, /sys and /dev are refused at once (a recursive mkdir there never returns)', () => {
  for (const p of ['/proc/x', '/proc/self/x/y', '/sys/x', '/dev/shm/../x', '/proc']) {
    assert.throws(() => checkOutputPath(p, '--run'), (e: Error) => e instanceof UserError && /--run cannot be under \/(proc|sys|dev)/.test(e.message), p);
  }
  assert.throws(() => makeOutputDir('/proc/i2md-test', '--out'), /cannot be under \/proc/);
  assert.throws(() => writeFileAtomic('/sys/i2md-test/a.json', 'x'), /cannot be under \/sys/);
  checkOutputPath(join(tmpdir(), 'fine', 'deeper'));
});

t.run();
