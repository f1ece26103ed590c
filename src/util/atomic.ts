/**
 * Writing files so that a crash never leaves a half-written one (temp file, fsync, rename, fsync
 * of the folder), and turning the OS's errors on the way into one-line messages.
 */
import { openSync, writeSync, fsyncSync, closeSync, renameSync, mkdirSync, rmSync, existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.js';

/** What an errno means to the user; anything else keeps Node's own words. */
const meanings: Record<string, string> = {
  ENOSPC: 'disk full', EDQUOT: 'disk quota exceeded', EROFS: 'read-only file system', ENOENT: 'no such file or folder',
  EISDIR: 'is a folder', ENOTDIR: 'a part of the path is not a folder', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EEXIST: 'already exists', EIO: 'input/output error', EMFILE: 'too many open files', ENAMETOOLONG: 'name too long',
};

/** Node's system errors carry `code`, `syscall` and usually `path`. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * One line for a failed file operation: "<path>: disk full while writing checkpoint (ENOSPC)",
 * and `note` after it ("the previous checkpoint is intact") where the caller knows that holds.
 */
export function ioError(e: unknown, path: string, doing: string, note?: string): Error {
  if (!isSystemError(e)) return e as Error;
  const what = meanings[e.code!] ?? e.message.replace(/^\w+: /, '').replace(/,.*$/, '');
  return new UserError(`${path}: ${what} while ${doing} (${e.code})${note ? `; ${note}` : ''}`);
}

/** Pseudo file systems where a recursive mkdir never succeeds and never fails either. */
const refusedRoots = ['/proc', '/sys', '/dev'];

/** Refuses an output path under /proc, /sys or /dev (the real path of its nearest existing folder). */
export function checkOutputPath(path: string, option = 'output'): void {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  let real = p;
  try { real = realpathSync(p); } catch { /* the check below on the resolved name still applies */ }
  for (const name of [resolve(path), real]) {
    const root = refusedRoots.find((r) => name === r || name.startsWith(`${r}/`));
    if (root) throw new UserError(`${path}: ${option} cannot be under ${root} (a pseudo file system, not storage)`);
  }
}

/** mkdir -p for an output folder, refused under /proc and /sys, with a one-line error. */
export function makeOutputDir(path: string, option = 'output'): void {
  checkOutputPath(path, option);
  try { mkdirSync(path, { recursive: true }); } catch (e) { throw ioError(e, path, 'creating the folder'); }
}

/** fsync of a folder makes the renames in it durable; file systems that refuse it are skipped. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try { fd = openSync(dir, 'r'); fsyncSync(fd); } catch { /* not supported here (e.g. some network file systems) */ } finally { if (fd !== undefined) closeSync(fd); }
}

/** Hooks the tests use to fail a write on purpose (a full disk); never set by the engine. */
export const writeFaults: { before?: (path: string) => void } = {};

/**
 * Writes `data` to `path` through a temp file: on success the file is whole and durable, on
 * failure the old file (if any) is untouched and the temp file removed. `doing` names the job in
 * the error ("writing checkpoint"), `note` is added to it when the old state is known intact.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, doing = 'writing', note?: string): void {
  const dir = dirname(path);
  checkOutputPath(path);
  try { mkdirSync(dir, { recursive: true }); } catch (e) { throw ioError(e, dir, `creating the folder for ${path}`, note); }
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFaults.before?.(path);
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* the error below is the one to report */ }
    throw ioError(e, path, doing, note);
  }
  fsyncDir(dir);
}
