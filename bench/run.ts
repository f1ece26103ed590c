/**
 * Runs the benchmark modules, prints one table, optionally writes the records as JSON:
 *   node dist/bench/run.js [--json FILE] [--only SUBSTR] [--reps N] [--all] [--preset demo|stgcn-paper|cmd-paper|paper|cpu-gru]
 *                          [--set field=value,…] [--memory] [--load N]
 *   node dist/bench/run.js compare A.json B.json      (bench/compare.ts: two runs side by side)
 *   npm run bench -- --json FILE
 * `--only` keeps the cases whose "module: name" contains SUBSTR (modules that do not use the
 * harness's `measure` run whole when their module name matches). The peak module always runs
 * first: the other records' fractionOfPeak refers to it. Slow modules (every kernel family at the
 * preset shapes, the encoder, the pre-training step: minutes on llvmpipe) run only when named by
 * --only or with --all;
 * `--preset` picks the pre-training step's preset (env I2MD_BENCH_PRESET), `--set` changes its fields
 * (I2MD_BENCH_SET), `--memory` prints its memory report (I2MD_BENCH_MEMORY); `--load N` runs N
 * spinning processes beside every module (bench/load.ts; records get `load: N`). The JSON file is rewritten
 * after every module, so an interrupted run keeps what it measured. To add a benchmark, export
 * `async function run(ctx): Promise<Record[]>` from a file in bench/ and list it below.
 */
import { writeFileSync } from 'node:fs';
import { initEngine } from '../src/tensor/index.js';
import { configure, context, adapterInfo, normalise, type BenchRecord } from './harness.js';
import { startLoad } from './load.js';
import { planThreadsForPreset } from './pretrain.js';

interface BenchModule { run(ctx: ReturnType<typeof context>): Promise<unknown[]> }
/** name, whether it times its cases with harness.measure (so --only can pick single cases), slow, loader */
const modules: [string, boolean, boolean, () => Promise<BenchModule>][] = [
  ['peak', true, false, () => import('./peak.js')],
  ['dispatch', true, false, () => import('./dispatch.js')],   // before matmul's big buffers churn the heap
  ['matmul', true, false, () => import('./matmul.js')],
  ['losses', false, false, () => import('./losses.js') as Promise<unknown> as Promise<BenchModule>],
  ['kernels', true, true, () => import('./kernels.js') as Promise<unknown> as Promise<BenchModule>],
  ['encoder', false, true, () => import('./encoder.js') as Promise<unknown> as Promise<BenchModule>],
  ['pretrain', false, true, () => import('./pretrain.js') as Promise<unknown> as Promise<BenchModule>],
  ['gru', false, true, () => import('./gru.js') as Promise<unknown> as Promise<BenchModule>],
  ['torch', false, true, () => import('./torch.js') as Promise<unknown> as Promise<BenchModule>],
];

interface Args { json?: string; only?: string; reps?: number; all?: boolean; load?: number }
function parseArgs(argv: string[]): Args {
  const out: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--json') out.json = value();
    else if (flag === '--only') out.only = value();
    else if (flag === '--reps') out.reps = Number(value());
    else if (flag === '--all') out.all = true;
    else if (flag === '--load') out.load = Number(value());
    else if (flag === '--preset') process.env.I2MD_BENCH_PRESET = value();
    else if (flag === '--memory') process.env.I2MD_BENCH_MEMORY = '1';
    else if (flag === '--set') process.env.I2MD_BENCH_SET = value();
    else if (flag === '--help' || flag === '-h') {
      console.log('usage: node dist/bench/run.js [--json FILE] [--only SUBSTR] [--reps N] [--all] [--preset demo|stgcn-paper|cmd-paper|paper|cpu-gru]\n' +
        '         [--set field=value,…] (pretrain: change preset fields) [--memory] (pretrain: the memory report) [--load N] (N spinning processes beside each module)\n' +
        '       node dist/bench/run.js compare A.json B.json');
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]} (try --help)`);
  }
  if (out.reps !== undefined && !(out.reps >= 1)) throw new Error('--reps needs a positive number');
  if (out.load !== undefined && !(Number.isInteger(out.load) && out.load >= 0)) throw new Error('--load needs a whole number of processes');
  return out;
}

const fmt = (x: unknown, digits: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '');

function row(r: BenchRecord): string {
  return [
    r.name.slice(0, 70).padEnd(70), fmt(r.medianMs, 2).padStart(10), fmt(r.spreadMs, 2).padStart(8),
    fmt(r.cpuMs, 1).padStart(9), fmt(r.gflops, 1).padStart(8), fmt(r.cpuGflops, 1).padStart(8), fmt(r.gbps, 2).padStart(7),
    (typeof r.fractionOfPeak === 'number' ? `${(100 * r.fractionOfPeak).toFixed(1)}%` : '').padStart(7),
  ].join(' ') + (typeof r.samplesPerS === 'number' ? `  ${r.samplesPerS.toFixed(2)} samples/s` : '')
    + (typeof r.dispatches === 'number' && typeof r.samplesPerS === 'number' ? `, ${r.dispatches} dispatches` : '');
}

if (process.argv[2] === 'compare') {
  const [a, b, ...rest] = process.argv.slice(3);
  if (!a || !b || rest.length) { console.error('usage: node dist/bench/run.js compare A.json B.json'); process.exit(2); }
  const { compareFiles } = await import('./compare.js');
  try { compareFiles(a, b); } catch (e) { console.error((e as Error).message); process.exit(2); }
  process.exit(0);
}

let args: ReturnType<typeof parseArgs>;
try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error((e as Error).message); process.exit(2); }
// a run of the pre-training step gets the software adapter's threads `pretrain` would pick for its
// preset (src/gpu/threads.ts); every other module keeps the driver's default unless told
if (args.only && 'pretrain'.includes(args.only)) {
  try { planThreadsForPreset(process.env.I2MD_BENCH_PRESET ?? 'demo', process.env.I2MD_BENCH_SET); } catch (e) { console.error((e as Error).message); process.exit(2); }
}
const g = await initEngine();
const adapter = adapterInfo(g);
console.log(`adapter: ${g.name} — ${adapter.description}`);
console.log(['case'.padEnd(70), 'median ms'.padStart(10), 'IQR ms'.padStart(8), 'cpu ms'.padStart(9), 'GFLOP/s'.padStart(8), 'cpu-basis'.padStart(8), 'GB/s'.padStart(7), 'of peak'.padStart(7)].join(' '));
const records: BenchRecord[] = [];
const save = () => { if (args.json) writeFileSync(args.json, JSON.stringify(records, null, 2) + '\n'); };
for (const [name, usesMeasure, slow, load] of modules) {
  const matches = !args.only || name.includes(args.only);
  if (name !== 'peak' && !usesMeasure && !matches) continue;
  if (slow && !args.all && !(args.only && name.includes(args.only))) continue;
  const only = name === 'peak' || matches ? undefined : args.only;
  const seen = new Set<BenchRecord>();
  // modules that print their own lines are quiet here: their rows appear in the table
  configure({ module: name, only, reps: args.reps, log: () => {},
    report: (r) => { if (usesMeasure) { seen.add(r); console.log(row(r)); } } });
  // the background load runs for the whole module (its warm-ups too), then stops before the next
  const background = args.load ? await startLoad(args.load) : undefined;
  try {
    const mod = await load();
    const rows = await mod.run(context(g));
    for (const raw of rows) {
      const r = normalise(raw as Record<string, unknown>, adapter);
      if (args.load) r.load = args.load;
      if (!usesMeasure && !seen.has(r)) console.log(row(r));
      records.push(r);
    }
  } catch (e) {
    console.error(`bench module ${name} failed: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  } finally {
    await background?.stop();
  }
  save();
}
if (args.json) console.log(`${records.length} records written to ${args.json}`);
process.exit(process.exitCode ?? 0);
