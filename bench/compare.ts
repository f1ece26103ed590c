/**
 * `bench compare A.json B.json`: two benchmark runs (files written with --json) side by side.
 * Records are matched by name + shape (a name that repeats within a file is matched by its
 * occurrence); for each pair the ratio B/A of the median ms (< 1: B is faster) and of GFLOP/s
 * (> 1: B is faster), and of the CPU time per repetition where both have it (stable across load
 * on a software adapter, docs/bench.md). Records found in only one file are listed, and a note says
 * when the two runs used different adapters (the ratios then compare machines, not code).
 *   npm run bench -- compare A.json B.json      node dist/bench/run.js compare A.json B.json
 */
import { readFileSync } from 'node:fs';
import type { AdapterInfo, BenchRecord } from './harness.js';

export interface Pair { key: string; a?: BenchRecord; b?: BenchRecord; msRatio?: number; gflopsRatio?: number; cpuMsRatio?: number }

export function loadRecords(path: string): BenchRecord[] {
  let data: unknown;
  try { data = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new Error(`${path}: ${(e as Error).message}`); }
  if (!Array.isArray(data)) throw new Error(`${path}: not a benchmark file (expected an array of records, as --json writes)`);
  data.forEach((r, i) => {
    if (typeof r !== 'object' || r === null || typeof r.name !== 'string' || typeof r.medianMs !== 'number') throw new Error(`${path}: record ${i} has no name / medianMs`);
  });
  return data as BenchRecord[];
}

/** name + shape, plus #n for the n-th repeat of the same key in one file. */
function keyed(records: BenchRecord[]): Map<string, BenchRecord> {
  const out = new Map<string, BenchRecord>();
  const seen = new Map<string, number>();
  for (const r of records) {
    const base = `${r.name} [${(r.shape ?? []).join('×')}]`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(n === 1 ? base : `${base} #${n}`, r);
  }
  return out;
}

const ratio = (b?: number, a?: number) => (typeof a === 'number' && typeof b === 'number' && a > 0 && Number.isFinite(b) ? b / a : undefined);

/** Pairs in A's order, then the records only B has. */
export function pairRecords(a: BenchRecord[], b: BenchRecord[]): Pair[] {
  const ka = keyed(a), kb = keyed(b);
  const pairs: Pair[] = [];
  for (const [key, ra] of ka) {
    const rb = kb.get(key);
    pairs.push({ key, a: ra, b: rb, msRatio: ratio(rb?.medianMs, ra.medianMs), gflopsRatio: ratio(rb?.gflops, ra.gflops), cpuMsRatio: ratio(rb?.cpuMs, ra.cpuMs) });
  }
  for (const [key, rb] of kb) if (!ka.has(key)) pairs.push({ key, b: rb });
  return pairs;
}

const adapterName = (x?: AdapterInfo) => (x ? [x.device || x.vendor, x.description, x.backend].filter(Boolean).join(' — ') : 'unknown adapter');

/** The distinct adapters of a file's records. */
function adapters(records: BenchRecord[]): string[] {
  return [...new Set(records.map((r) => adapterName(r.adapter)))];
}

const fmt = (x: number | undefined, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '');

/** The comparison as printable lines. */
export function compareLines(a: BenchRecord[], b: BenchRecord[], nameA = 'A', nameB = 'B'): string[] {
  const lines: string[] = [];
  const adA = adapters(a), adB = adapters(b);
  lines.push(`A: ${nameA} (${a.length} records; ${adA.join('; ')})`);
  lines.push(`B: ${nameB} (${b.length} records; ${adB.join('; ')})`);
  if (adA.join('\n') !== adB.join('\n')) lines.push('note: the adapters differ — the ratios compare machines (or drivers), not only code');
  const pairs = pairRecords(a, b);
  const both = pairs.filter((p) => p.a && p.b);
  const mixed = both.filter((p) => (p.a!.timing ?? 'wall') !== (p.b!.timing ?? 'wall')).length;
  if (mixed) lines.push(`note: ${mixed} matched record(s) are GPU time in one file and wall time in the other (field \`timing\`)`);
  lines.push('');
  lines.push(['case'.padEnd(64), 'A ms'.padStart(10), 'B ms'.padStart(10), 'B/A ms'.padStart(7), 'B/A cpu'.padStart(8), 'A GF/s'.padStart(8), 'B GF/s'.padStart(8), 'B/A GF'.padStart(7)].join(' '));
  for (const p of both) {
    const flag = p.msRatio === undefined ? '' : p.msRatio < 0.9 ? '  faster' : p.msRatio > 1.1 ? '  slower' : '';
    lines.push([p.key.slice(0, 64).padEnd(64), fmt(p.a!.medianMs, 2).padStart(10), fmt(p.b!.medianMs, 2).padStart(10), fmt(p.msRatio, 2).padStart(7),
      fmt(p.cpuMsRatio, 2).padStart(8), fmt(p.a!.gflops, 1).padStart(8), fmt(p.b!.gflops, 1).padStart(8), fmt(p.gflopsRatio, 2).padStart(7)].join(' ') + flag);
  }
  const onlyA = pairs.filter((p) => p.a && !p.b), onlyB = pairs.filter((p) => !p.a && p.b);
  if (onlyA.length) { lines.push('', `only in A (${onlyA.length}):`); for (const p of onlyA) lines.push(`  ${p.key}`); }
  if (onlyB.length) { lines.push('', `only in B (${onlyB.length}):`); for (const p of onlyB) lines.push(`  ${p.key}`); }
  const r = both.map((p) => p.msRatio).filter((x): x is number => x !== undefined && x > 0);
  if (r.length) {
    const geo = Math.exp(r.reduce((s, x) => s + Math.log(x), 0) / r.length);
    lines.push('', `${both.length} matched; geometric mean of B/A ms: ${geo.toFixed(3)} (< 1: B faster)`);
  } else lines.push('', 'no records matched by name and shape');
  return lines;
}

/** Entry from bench/run.ts: `compare A.json B.json`. */
export function compareFiles(pathA: string, pathB: string): void {
  for (const l of compareLines(loadRecords(pathA), loadRecords(pathB), pathA, pathB)) console.log(l);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [a, b] = process.argv.slice(2);
  if (!a || !b) { console.error('usage: node dist/bench/compare.js A.json B.json'); process.exit(2); }
  try { compareFiles(a, b); } catch (e) { console.error((e as Error).message); process.exit(2); }
}
