import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';
import { provenance, commandLine } from '../../src/util/provenance.js';

const t = suite('util/provenance');

t('names the package, its version and commit, the command as typed, the start time', () => {
  const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const started = new Date('2026-01-02T03:04:05Z');
  const p = provenance(started, ['/usr/bin/i2md', 'pretrain', '--data', 'my data', '--epochs', '2']);
  assert.is(p.package, pkg.name);
  assert.is(p.version, pkg.version);
  assert.match(p.commit, /^([0-9a-f]{40}|unknown)/);
  assert.is(p.command, "i2md pretrain --data 'my data' --epochs 2");
  assert.is(p.started, '2026-01-02T03:04:05.000Z');
  assert.equal(p.phases, {});
});

t('commandLine quotes what a shell would split', () => {
  assert.is(commandLine(['a', "it's", 'x=1,2']), "a 'it'\\''s' x=1,2");
});

t.run();
