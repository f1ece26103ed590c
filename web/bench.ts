/**
 * The microbenchmarks in the page: the fast modules of bench/run.ts through the same harness
 * (bench/harness.ts), so the records — and the JSON the page downloads — have the shape
 * `npm run bench -- --json` writes; the peak module runs first so fractionOfPeak refers to it.
 * No process CPU clock in a page: records have no cpuMs.
 */
import { configure, context, adapterInfo, normalise, type BenchRecord } from '../bench/harness.js';
import { G } from '../src/index.js';

interface BenchModule { run(ctx: ReturnType<typeof context>): Promise<unknown[]> }
/** As bench/run.ts lists them: name, whether it times its cases with harness.measure, loader. */
const modules: [string, boolean, () => Promise<BenchModule>][] = [
  ['peak', true, () => import('../bench/peak.js')],
  ['dispatch', true, () => import('../bench/dispatch.js')],
  ['matmul', true, () => import('../bench/matmul.js')],
  ['losses', false, () => import('../bench/losses.js') as Promise<unknown> as Promise<BenchModule>],
];

export async function runBench(opts: { only?: string; reps?: number } = {}, onRecord: (r: BenchRecord) => void = () => {}): Promise<BenchRecord[]> {
  const g = G();
  const adapter = adapterInfo(g);
  const records: BenchRecord[] = [];
  for (const [name, usesMeasure, load] of modules) {
    const matches = !opts.only || name.includes(opts.only);
    if (name !== 'peak' && !usesMeasure && !matches) continue;
    const seen = new Set<BenchRecord>();
    configure({ module: name, only: name === 'peak' || matches ? undefined : opts.only, reps: opts.reps, log: () => {},
      report: (r) => { if (usesMeasure) { seen.add(r); onRecord(r); } } });
    const rows = await (await load()).run(context(g));
    for (const raw of rows) {
      const r = normalise(raw as Record<string, unknown>, adapter);
      if (!seen.has(r)) onRecord(r);
      records.push(r);
    }
  }
  return records;
}
