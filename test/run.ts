/**
 * Runs every compiled `*.test.js` under dist/test with uvu, in one process (one GPU device for
 * all), then exits explicitly: a live Dawn instance would keep Node running. Prints the seconds
 * each file took (slowest first) and the total, so a slow suite is seen at once.
 *   node dist/test/run.js [substring …]   — only files whose path contains one of the substrings
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = findTests(here).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
const { run } = await import('uvu/run' as string) as { run(s: { name: string; file: string }[], o?: object): Promise<void> };

// uvu prints Total/Passed/Skipped; we add the time per file and the plain closing line CI reads.
// uvu prints each file's name as its suites start: that line starts the file's clock.
let total = 0, passed = 0, skipped = 0;
const names = new Set(files.map((file) => relative(here, file)));
const seconds = new Map<string, number>();
let current: { name: string; t0: number } | undefined;
const stopClock = () => { if (current) seconds.set(current.name, (performance.now() - current.t0) / 1000); current = undefined; };
const t0 = performance.now();
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  const clean = s.replace(/\x1b\[[0-9;]*m/g, '');
  const line = clean.trim();
  if (names.has(line)) { stopClock(); current = { name: line, t0: performance.now() }; }
  if (/Total:/.test(clean)) stopClock();
  const m = /Total:\s+(\d+)/.exec(clean); if (m) total = +m[1];
  const p = /Passed:\s+(\d+)/.exec(clean); if (p) passed = +p[1];
  const k = /Skipped:\s+(\d+)/.exec(clean); if (k) skipped = +k[1];
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

await run(files.map((file) => ({ name: relative(here, file), file })));
stopClock();
process.stdout.write = write;
const failed = total - passed;
const code = Number(process.exitCode ?? 0) || (failed > 0 ? 1 : 0);
const byTime = [...seconds].sort((a, b) => b[1] - a[1]);
console.log('seconds per file (slowest first):');
for (const [name, s] of byTime) console.log(`  ${s.toFixed(1).padStart(6)}  ${name}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exit(code);
