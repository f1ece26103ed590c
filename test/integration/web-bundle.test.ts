/**
 * The engine core stays free of Node: no file of src/gpu, tensor, ops, nn, i2md, eval, skeleton
 * or optim imports a `node:` module, the `webgpu` package or reads `process`, except the Node
 * host (src/gpu/host.ts) and the Dawn adapter search it uses (src/gpu/adapter.ts); and the page
 * bundles (web/build.mjs, esbuild for the browser platform, which fails on any Node import that
 * is reachable) with the browser host in place of the Node one.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../helpers/shared-data.js';

const t = suite('integration/web-bundle');

const core = ['gpu', 'tensor', 'ops', 'nn', 'i2md', 'eval', 'skeleton', 'optim'];
const nodeOnly = ['src/gpu/host.ts', 'src/gpu/adapter.ts'];

const walk = (dir: string): string[] => readdirSync(dir).sort().flatMap((name) => {
  const p = join(dir, name);
  return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
});

t('no core module but the Node host and the Dawn adapter search imports Node or reads process', () => {
  const offenders = core.flatMap((d) => walk(join(projectRoot, 'src', d)))
    .map((f) => relative(projectRoot, f).replace(/\\/g, '/'))
    .filter((f) => !nodeOnly.includes(f))
    .filter((f) => /from 'node:|from 'webgpu'|^[^*/]*\bprocess\.(env|platform|argv|stderr|stdout|on|once|exit)/m.test(readFileSync(join(projectRoot, f), 'utf8')));
  assert.equal(offenders, [], 'core modules that use Node');
});

t('the page bundles for the browser with host-web.ts and the kernels embedded, host.ts left out', async () => {
  if (!existsSync(join(projectRoot, 'node_modules', 'esbuild'))) { console.log('note: integration/web-bundle: no esbuild (npm ci); bundle not checked'); return; }
  const web = await import(pathToFileURL(join(projectRoot, 'web', 'build.mjs')).href) as { buildWeb(o: object): Promise<string>; lastMeta(): { inputs: Record<string, unknown> } };
  await web.buildWeb({ quiet: true });
  const inputs = Object.keys(web.lastMeta().inputs);
  assert.ok(inputs.includes('src/gpu/host-web.ts'), 'the browser host is in the bundle');
  assert.not.ok(inputs.includes('src/gpu/host.ts'), 'the Node host is not');
  assert.not.ok(inputs.some((f) => f.startsWith('node_modules/webgpu')), 'nor the webgpu package');
  assert.ok(inputs.includes('i2md:virtual:i2md-kernels'), 'the kernels are embedded');
});

t.run();
