/**
 * What `npm pack` ships: `prepack` builds, `files` holds what runs (the build, the kernels, the
 * scripts), every package the engine imports at run time is a dependency — `doctor` runs the
 * kernel tests of dist/test, so uvu is one — and no dependency goes unused. The browser page's
 * packages (esbuild, gl-matrix for the viewer's camera) are devDependencies: the page is a bundle
 * built from web/, and src/gpu/host-web.ts is its host, never loaded by Node.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/shared-data.js';
import { kernelTestFolders } from '../../src/cli/doctor.js';

const t = suite('integration/package');
const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>; files: string[]; bin: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};

function files(dir: string): string[] {
  return readdirSync(join(projectRoot, dir)).flatMap((n) => {
    const p = `${dir}/${n}`;
    return statSync(join(projectRoot, p)).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}
/** Bare module names imported (not `import type`) by these files. */
function runtimeImports(list: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of list) {
    for (const m of readFileSync(join(projectRoot, f), 'utf8').matchAll(/^import (?!type )[^;]*?from '([^'.][^']*)'/gm)) {
      if (m[1].startsWith('node:')) continue;
      out.add(m[1].startsWith('@') ? m[1].split('/').slice(0, 2).join('/') : m[1].split('/')[0]);
    }
    for (const m of readFileSync(join(projectRoot, f), 'utf8').matchAll(/createRequire\(import\.meta\.url\)\('([^'./][^'/]*)/g)) out.add(m[1]);
  }
  return out;
}

t('prepack builds; bin and files point at what runs', () => {
  assert.match(pkg.scripts.prepack ?? '', 'npm run build');
  assert.is(pkg.bin.i2md, 'dist/train.js');
  for (const f of ['dist', 'kernels', 'scripts', 'README.md']) assert.ok(pkg.files.includes(f), f);
});

t('what runs imports only dependencies, and every dependency is used; test-only packages are devDependencies', () => {
  const shipped = [...files('src').filter((f) => f !== 'src/gpu/host-web.ts'), ...kernelTestFolders.flatMap((d) => files(`test/${d}`)), ...files('test/helpers')];
  const used = runtimeImports(shipped);
  for (const m of used) assert.ok(m in pkg.dependencies, `${m} is imported at run time but is not a dependency`);
  for (const d of Object.keys(pkg.dependencies)) assert.ok(used.has(d), `${d} is a dependency nobody imports`);
  for (const d of Object.keys(pkg.devDependencies)) assert.not.ok(d in pkg.dependencies, d);
});

t('npm pack lists the built CLI, the kernels and the PyTorch scripts', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: projectRoot, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const list = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
  for (const f of ['dist/train.js', 'dist/src/train.js', 'dist/src/cli/export.js', 'kernels/matmul/matmul.wgsl', 'scripts/torch_stgcn.py', 'package.json'])
    assert.ok(list.includes(f) || list.some((p) => p.startsWith(f.replace(/[^/]+$/, ''))), f);
  assert.not.ok(list.some((p) => p.startsWith('src/') || p.startsWith('node_modules/')), 'sources and node_modules stay out');
});

t.run();
