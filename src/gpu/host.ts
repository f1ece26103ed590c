/**
 * Everything the engine core asks of its surroundings, in one module: the WebGPU adapter, the
 * WGSL text of kernels/, environment variables, files, the console and interrupts. This file is
 * the Node implementation (the `webgpu` package, node:fs, process); the browser build swaps it
 * for src/gpu/host-web.ts (web/build.mjs redirects every import of `host.js`). Rule: no module
 * of src/gpu, tensor, ops, nn, i2md, eval or skeleton imports a `node:` module or reads
 * `process` — it asks `host` — so the core bundles for a browser unchanged
 * (test/integration/web-bundle.test.ts builds it and fails on any Node import).
 */
import { readFileSync, existsSync, readdirSync, statSync, appendFileSync, mkdirSync, writeFileSync, renameSync, linkSync, rmSync } from 'node:fs';
import { dirname, join, relative, basename } from 'node:path';
import { homedir, availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { findAdapter } from './adapter.js';
import type { Found } from './adapter-info.js';
import { writeFileAtomic, makeOutputDir, fsyncDir, ioError } from '../util/atomic.js';

export interface Host {
  /** 'node' here, 'browser' in the page. */
  kind: 'node' | 'browser';
  /** process.platform in Node ('linux', 'darwin', 'win32'); 'browser' in a page. */
  platform: string;
  /** An environment variable (undefined in a browser). */
  env(name: string): string | undefined;
  /** The adapter (src/gpu/adapter.ts in Node, navigator.gpu in a browser); `forced` names a backend. */
  findAdapter(forced?: string): Promise<Found>;
  /** The raw text of kernels/<file>.wgsl (file as `kernel()` takes it, e.g. 'tconv/direct', or 'lib/x.wgsl'). */
  kernelText(file: string): string;
  /** Every kernel file (names as `kernel()` takes them), lib/ excluded, sorted. */
  kernelNames(): string[];
  /** The WebGPU implementation, for the tuning cache's adapter identity. */
  driver(): string;
  /** Where the tuning cache lives ('' = none: disabled, or a browser). */
  tuningFilePath(): string;
  /** Files: in a browser every call throws (the page hands bytes to the parse/encode functions instead). */
  files: {
    exists(path: string): boolean;
    isDir(path: string): boolean;
    read(path: string): Uint8Array;
    readText(path: string): string;
    /**
     * Temp file, fsync, rename, so a crash never leaves half a file; an OS error becomes one line
     * naming the path and `doing`, with `note` ("the previous checkpoint is intact") after it.
     */
    writeAtomic(path: string, data: string | Uint8Array, doing?: string, note?: string): void;
    write(path: string, data: string | Uint8Array): void;
    /** Appends; an OS error becomes one line as in writeAtomic. */
    append(path: string, text: string, doing?: string, note?: string): void;
    mkdirp(path: string): void;
    /** mkdir -p for an output folder, refused under /proc, /sys and /dev, with a one-line error. */
    makeOutputDir(path: string, option?: string): void;
    /** The names in a folder, sorted. */
    list(dir: string): string[];
    rename(from: string, to: string): void;
    /** A hard link `to` → `from` (throws where the file system has none). */
    link(from: string, to: string): void;
    /** Removes a file; nothing when it is absent. */
    remove(path: string): void;
    /** Makes the renames in a folder durable (best effort). */
    fsyncDir(dir: string): void;
  };
  path: { join(...parts: string[]): string; dirname(p: string): string; basename(p: string): string };
  /** A line for the user that is not the program's output (stderr in Node, the console in a page). */
  logLine(line: string): void;
  /** Whether logLine goes to a terminal (progress bars redraw in place only there). */
  isTTY(): boolean;
  /** CPU time of this process so far (ms, all threads), or undefined where it cannot be read (a page). */
  cpuTimeMs(): number | undefined;
  /** Logical CPU cores (software adapters' throughput per core). */
  cores(): number;
  /** Calls fn on SIGINT/SIGTERM until the returned function is called (never in a browser). */
  onInterrupt(fn: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  /** This process's id (temp-file names); 0 in a browser. */
  pid(): number;
  /** Ends the process at once, as a power cut would (SIGKILL: checkpoint fault injection). */
  crash(): never;
}

function findKernelDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'kernels')) && existsSync(join(dir, 'package.json'))) return join(dir, 'kernels');
    dir = dirname(dir);
  }
  throw new Error('kernels/ folder not found next to the installed package');
}

let kernelDir: string | undefined;
const kernels = (): string => (kernelDir ??= findKernelDir());

function listKernels(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'lib') out.push(...listKernels(p)); }
    else if (name.endsWith('.wgsl')) out.push(relative(kernels(), p).replace(/\\/g, '/').replace(/\.wgsl$/, ''));
  }
  return out;
}

let driverName: string | undefined;

export const host: Host = {
  kind: 'node',
  platform: process.platform,
  env: (name) => process.env[name],
  findAdapter: (forced = process.env.I2MD_BACKEND) => findAdapter(forced),
  kernelText: (file) => readFileSync(join(kernels(), file.endsWith('.wgsl') ? file : `${file}.wgsl`), 'utf8'),
  kernelNames: () => listKernels(kernels()),
  driver() {
    if (driverName === undefined) {
      try {
        const pkg = createRequire(import.meta.url)('webgpu/package.json') as { version?: string };
        driverName = `dawn (webgpu@${pkg.version ?? '?'})`;
      } catch { driverName = 'dawn'; }
    }
    return driverName;
  },
  tuningFilePath() {
    const env = process.env.I2MD_TUNING_FILE;
    if (env === 'off') return '';
    if (env) return env;
    const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    return join(base, 'i2md-webgpu', 'tuning.json');
  },
  files: {
    exists: (p) => existsSync(p),
    isDir: (p) => existsSync(p) && statSync(p).isDirectory(),
    read: (p) => readFileSync(p),
    readText: (p) => readFileSync(p, 'utf8'),
    writeAtomic: (p, data, doing, note) => writeFileAtomic(p, data, doing, note),
    write: (p, data) => writeFileSync(p, data),
    append: (p, text, doing = 'appending', note) => { try { appendFileSync(p, text); } catch (e) { throw ioError(e, p, doing, note); } },
    mkdirp: (p) => { mkdirSync(p, { recursive: true }); },
    makeOutputDir: (p, option) => makeOutputDir(p, option),
    list: (dir) => readdirSync(dir).sort(),
    rename: (from, to) => renameSync(from, to),
    link: (from, to) => linkSync(from, to),
    remove: (p) => rmSync(p, { force: true }),
    fsyncDir: (dir) => fsyncDir(dir),
  },
  path: { join, dirname, basename },
  logLine: (line) => { process.stderr.write(`${line}\n`); },
  isTTY: () => process.stderr.isTTY === true,
  cpuTimeMs: () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; },
  cores: () => availableParallelism(),
  onInterrupt(fn) {
    const onInt = () => fn('SIGINT'), onTerm = () => fn('SIGTERM');
    process.once('SIGINT', onInt); process.once('SIGTERM', onTerm);
    return () => { process.off('SIGINT', onInt); process.off('SIGTERM', onTerm); };
  },
  pid: () => process.pid,
  crash: () => { process.kill(process.pid, 'SIGKILL'); throw new Error('SIGKILL did not end the process'); },
};
