import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { kernelTestFiles } from '../../src/cli/doctor.js';

const t = suite('cli/doctor');

t('finds the kernel tests recursively (op families have folders), only in the kernel folders, sorted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'i2md-doctor-'));
  try {
    for (const f of ['ops/tconv/tconv.test.js', 'ops/tconv/cols.test.js', 'ops/add.test.js', 'ops/helper.js', 'gpu/device.test.js',
      'tune/tconv.test.js', 'bench/peak.test.js', 'integration/real.test.js', 'data/npy.test.js']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    const found = kernelTestFiles(dir).map((f) => relative(dir, f));
    assert.equal(found, ['gpu/device.test.js', 'ops/add.test.js', 'ops/tconv/cols.test.js', 'ops/tconv/tconv.test.js', 'tune/tconv.test.js', 'bench/peak.test.js']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

t('in this build: the op folders\' tests are found, the integration suites are not', () => {
  const found = kernelTestFiles().map((f) => f.replace(/\\/g, '/'));
  for (const want of ['/test/ops/tconv/tconv.test.js', '/test/ops/matmul/matmul.test.js', '/test/ops/graphconv/graphconv.test.js', '/test/ops/contrastive.test.js']) {
    assert.ok(found.some((f) => f.endsWith(want)), want);
  }
  assert.not.ok(found.some((f) => f.includes('/test/integration/')));
});

t.run();
