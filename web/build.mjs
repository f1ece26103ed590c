/**
 * `npm run web`: builds the browser page into dist/web/ (index.html, app.js and its chunks) with
 * esbuild; `npm run web -- --serve [--port N]` then serves that folder on http://localhost:8080.
 *
 * What the bundle changes against the Node build, and why:
 *  - every import of src/gpu/host.js becomes src/gpu/host-web.ts (navigator.gpu, no files): the
 *    engine core asks `host` for everything outside itself, so this one swap ports it;
 *  - `virtual:i2md-kernels` is generated from kernels/ (every .wgsl by its relative path): a page
 *    cannot read the folder, so the WGSL travels inside the bundle as strings;
 *  - `virtual:i2md-doctor-tests` lists the kernel test files of `doctor` (src/cli/doctor.ts
 *    kernelTestFolders) as lazy chunks, `uvu` becomes web/uvu-shim.ts (collects suites instead of
 *    printing), so the page runs the same checks as `node dist/train.js doctor`; test files that
 *    need Node (they read process.env or node: modules) are listed as Node-only, not run;
 *  - `process.argv` is defined as [] so the bench modules' "run me directly" guard is false.
 * Any other `node:` import reachable from the page fails the build (platform 'browser').
 */
import { build } from 'esbuild';
import { readFileSync, readdirSync, statSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');

function walk(dir, keep) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p, keep) : keep(p) ? [p] : [];
  });
}

// the folders `doctor` runs (src/cli/doctor.ts kernelTestFolders; read from its source so the two cannot drift)
const doctorSource = readFileSync(join(root, 'src', 'cli', 'doctor.ts'), 'utf8');
const folders = JSON.parse(/kernelTestFolders = (\[[^\]]*\])/.exec(doctorSource)[1].replace(/'/g, '"'));

/**
 * Whether a test file, or a test helper or bench module it imports, needs Node: such files cannot
 * run in a page. (The engine's own sources reach Node only through the host, which the page swaps.)
 */
function needsNode(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  if (/from 'node:|\bprocess\./.test(text)) return true;
  for (const m of text.matchAll(/^import (?!type )[^;]*?from '(\.[^']*)\.js'/gm)) {
    const dep = resolve(dirname(file), `${m[1]}.ts`);
    const rel = relative(root, dep).replace(/\\/g, '/');
    if ((rel.startsWith('test/') || rel.startsWith('bench/')) && needsNode(dep, seen)) return true;
  }
  return false;
}

export function doctorTests() {
  const files = folders.flatMap((f) => existsSync(join(root, 'test', f)) ? walk(join(root, 'test', f), (p) => p.endsWith('.test.ts')) : []);
  const name = (p) => relative(join(root, 'test'), p).replace(/\\/g, '/').replace(/\.test\.ts$/, '');
  return { browser: files.filter((f) => !needsNode(f)).map((f) => ({ name: name(f), file: f })), nodeOnly: files.filter((f) => needsNode(f)).map(name) };
}

const webPlugin = {
  name: 'i2md-web',
  setup(b) {
    const hostWeb = join(root, 'src', 'gpu', 'host-web.ts');
    b.onResolve({ filter: /(^|\/)host\.js$/ }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      if (target === join(root, 'src', 'gpu', 'host.js')) return { path: hostWeb };
      return undefined;
    });
    b.onResolve({ filter: /^uvu$/ }, () => ({ path: join(root, 'web', 'uvu-shim.ts') }));
    b.onResolve({ filter: /^virtual:i2md-/ }, (args) => ({ path: args.path, namespace: 'i2md' }));
    b.onLoad({ filter: /.*/, namespace: 'i2md' }, (args) => {
      if (args.path === 'virtual:i2md-kernels') {
        const dir = join(root, 'kernels');
        const texts = Object.fromEntries(walk(dir, (p) => p.endsWith('.wgsl')).map((p) => [relative(dir, p).replace(/\\/g, '/'), readFileSync(p, 'utf8')]));
        return { contents: `export default ${JSON.stringify(texts)};`, loader: 'js', watchFiles: Object.keys(texts).map((f) => join(dir, f)) };
      }
      if (args.path === 'virtual:i2md-doctor-tests') {
        const { browser, nodeOnly } = doctorTests();
        const list = browser.map((t) => `{ name: ${JSON.stringify(t.name)}, load: () => import(${JSON.stringify(t.file)}) }`).join(',\n');
        return { contents: `export const tests = [${list}];\nexport const nodeOnly = ${JSON.stringify(nodeOnly)};`, loader: 'js', resolveDir: root };
      }
      return undefined;
    });
  },
};

let meta;
/** The esbuild metafile of the last build (which sources went in; test/integration/web-bundle.test.ts). */
export const lastMeta = () => meta;

export async function buildWeb({ quiet = false } = {}) {
  mkdirSync(out, { recursive: true });
  const t0 = performance.now();
  const r = await build({
    entryPoints: [join(root, 'web', 'main.ts')],
    bundle: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
    outdir: out, entryNames: 'app', chunkNames: 'chunks/[name]-[hash]', sourcemap: true,
    define: { 'process.argv': '[]' },
    plugins: [webPlugin], logLevel: quiet ? 'error' : 'warning', metafile: true,
  });
  meta = r.metafile;
  for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'web', f), join(out, f));
  const bytes = Object.values(r.metafile.outputs).reduce((a, o) => a + o.bytes, 0);
  if (!quiet) console.log(`web: ${out} (${(bytes / 1e6).toFixed(1)} MB in ${Object.keys(r.metafile.outputs).length} files, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return out;
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.json': 'application/json' };

/** A static server for dist/web (a page loading modules needs http://, not file://). */
export function serve(dir = out, port = 8080) {
  return new Promise((ok) => {
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const file = resolve(dir, `.${path === '/' ? '/index.html' : path}`);
      if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  await buildWeb();
  if (args.includes('--serve')) {
    const i = args.indexOf('--port');
    const port = i >= 0 ? Number(args[i + 1]) : 8080;
    await serve(out, port);
    console.log(`serving ${out} on http://localhost:${port}/ (Ctrl-C stops)`);
  }
}
