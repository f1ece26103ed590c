/**
 * `doctor`: the port check for a GPU we have never seen. Runs every kernel family's tests —
 * each kernel against its plain TypeScript reference at several shapes, edge sizes included, and
 * every gradient against finite differences — on the adapter this machine gives, one process per
 * family, and prints pass/fail per family with the first error found. Exits 1 on any mismatch.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';

const distDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The folders under test/ whose files test kernels (searched recursively: op families have folders). */
export const kernelTestFolders = ['gpu', 'ops', 'i2md', 'optim', 'tune', 'bench'];

/** Every `*.test.js` under the kernel test folders of a built test tree, in a stable order. */
export function kernelTestFiles(testDir = join(distDir, 'test')): string[] {
  const walk = (dir: string): string[] => readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return name.endsWith('.test.js') ? [p] : [];
  });
  return kernelTestFolders.map((f) => join(testDir, f)).filter((d) => existsSync(d)).flatMap(walk);
}

const command: Command = {
  name: 'doctor',
  describe: 'check every kernel against its TypeScript reference on this adapter (exit 1 on any mismatch)',
  options: (y) => y.option('only', { type: 'string', describe: 'only families whose file name contains this' }),
  async run(args) {
    const g = await initEngine();
    const s = g.summary;
    console.log(`adapter: ${g.name}`);
    console.log(`limits: ${Object.entries(s.limits).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    console.log(`features: ${s.features.join(', ') || '(none)'}`);
    console.log(`WGSL language features: ${s.wgslFeatures.join(', ') || '(none)'}\n`);
    const files = kernelTestFiles().filter((f) => !args.only || f.includes(args.only as string));
    if (files.length === 0) { console.log('no kernel tests found next to the build (dist/test)'); process.exitCode = 1; return; }
    let failed = 0;
    for (const file of files) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [join(distDir, 'test', 'run.js'), relative(join(distDir, 'test'), file)], {
        env: { ...process.env, I2MD_BACKEND: process.env.I2MD_BACKEND ?? s.backend, FORCE_COLOR: '0' }, encoding: 'utf8', maxBuffer: 64 << 20,
      });
      const out = `${r.stdout}\n${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      const summary = /(\d+) passed, (\d+) failed/.exec(out);
      const ok = r.status === 0 && summary !== null && summary[2] === '0';
      const name = relative(join(distDir, 'test'), file).replace(/\.test\.js$/, '');
      console.log(`${ok ? 'PASS' : 'FAIL'}  ${name.padEnd(28)} ${summary ? `${summary[1]} passed, ${summary[2]} failed` : `exit ${r.status}`}  ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (!ok) {
        failed++;
        const firstFail = out.split('\n').findIndex((l) => l.includes('FAIL'));
        const excerpt = firstFail >= 0 ? out.split('\n').slice(firstFail, firstFail + 4) : out.trim().split('\n').slice(-6);
        for (const l of excerpt) console.log(`      ${l.trim()}`);
      }
    }
    console.log(`\n${failed === 0 ? 'all kernel families match their references' : `${failed} kernel families differ from their references`} on ${g.name}`);
    if (failed) process.exitCode = 1;
  },
};
export default command;
