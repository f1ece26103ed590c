/**
 * `tune`: measures every variant of the tunable kernel families at the presets' shapes on this
 * adapter, keeps the fastest whose output equals the default's, and stores the choices in the
 * tuning cache (src/gpu/tuning.ts), which the ops consult from then on. docs/tuning.md.
 */
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import { storeTuned, saveTuning, tuningFilePath, tunedEntries } from '../gpu/tuning.js';
import { kernelFamilies, familyNames as policyFamilies, adapterClass, type FamilyDecl } from '../gpu/policy.js';
import type { Gpu } from '../gpu/device.js';
import type { CaseResult } from '../tune/tuner.js';

/** The families `tune` measures: those the kernel policy marks tuned (src/tune/families.ts has their cases). */
export const familyNames: string[] = policyFamilies.filter((f) => kernelFamilies[f].tuned);

const fmtMs = (x?: number) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));

function printCase(r: CaseResult): void {
  console.log(`\n${r.family} ${r.shape} — ${r.label} (class ${r.shapeClass}${(r.runsPerSample ?? 1) > 1 ? `; ${r.runsPerSample} runs per sample` : ''})`);
  if (r.error) console.log(`  skipped: ${r.error}`);
  for (const v of [...r.variants].sort((a, b) => (a.ms ?? Infinity) - (b.ms ?? Infinity))) {
    const tags = [v.name === r.defaultName ? 'default' : '', v.name === r.winner ? 'winner' : ''].filter(Boolean).join(', ');
    const gflops = v.ms !== undefined && r.flops ? `${(r.flops / v.ms / 1e6).toFixed(1).padStart(7)} GFLOP/s` : '';
    const rel = v.ms !== undefined && r.defaultMs !== undefined ? `${(r.defaultMs / v.ms).toFixed(2)}×` : '';
    const full = Math.max(...r.variants.map((w) => w.samples ?? 0));
    const once = v.samples === 1 && full > 1 ? '  (1 run: over 10× the best, not timed further)'
      : v.samples !== undefined && v.samples < full ? `  (${v.samples} samples: over 3× the best, not timed further)` : '';
    console.log(`  ${v.name.padEnd(12)} ${v.error ? `rejected: ${v.error}` : `${fmtMs(v.ms).padStart(9)} ms ${rel.padStart(6)} ${gflops}`}${tags ? `  (${tags})` : ''}${once}`);
  }
}

function printSummary(results: CaseResult[]): void {
  console.log('\n' + ['family'.padEnd(12), 'shape'.padEnd(20), 'default'.padEnd(12), 'ms'.padStart(9), 'winner'.padEnd(12), 'ms'.padStart(9), 'speed-up'.padStart(8)].join(' '));
  for (const r of results) {
    console.log([r.family.padEnd(12), r.shape.padEnd(20), r.defaultName.padEnd(12), fmtMs(r.defaultMs).padStart(9),
      (r.winner ?? 'none').padEnd(12), fmtMs(r.winnerMs).padStart(9), (r.speedup ? `${r.speedup.toFixed(2)}×` : '-').padStart(8)].join(' '));
  }
}

const command: Command = {
  name: 'tune',
  describe: 'measure the kernel variants on this adapter and store the fastest in the tuning cache',
  options: (y) => y
    .option('only', { type: 'string', choices: familyNames, describe: 'tune one kernel family' })
    .option('quick', { type: 'boolean', default: false, describe: 'fewer shapes and repetitions (about a minute on a software adapter)' })
    .option('reps', { type: 'number', describe: 'timed repetitions per variant (default 3 with --quick, else 5 on a software adapter, 10 otherwise)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'measure and print, do not write the cache' })
    .option('markdown', { type: 'boolean', default: false, describe: 'measure nothing: print the kernel families and this adapter\'s tuning cache as Markdown (docs/tuning.md is made with it)' }),
  async run(args) {
    const { tuneFamilies } = await import('../tune/families.js');
    const { tune } = await import('../tune/tuner.js');
    const families = tuneFamilies.filter((f) => !args.only || f.family === args.only);
    const reps = args.reps as number | undefined;
    if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1)) throw new UserError('--reps needs a positive integer');
    const g = await initEngine();
    if (args.markdown) { console.log(cacheMarkdown(g)); return; }
    const quick = Boolean(args.quick);
    const path = tuningFilePath();
    console.log(`adapter: ${g.name} — ${g.summary.description}`);
    console.log(`tuning ${families.map((f) => f.family).join(', ')}${quick ? ' (quick)' : ''}; cache: ${path || 'disabled (I2MD_TUNING_FILE=off)'}`);
    const t0 = performance.now();
    const results = await tune(families, quick, {
      reps: reps ?? (quick ? 3 : g.summary.software ? 5 : 10),
      log: (l) => console.log(l),
    }, (r) => {
      printCase(r);
      // saved after every shape, so an interrupted run keeps what it measured
      if (r.entry && !args['dry-run'] && path) { storeTuned(r.family, r.shapeClass, r.entry, g.summary); saveTuning(g.summary); }
    });
    printSummary(results);
    console.log(`\n${results.length} shapes in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (args['dry-run']) console.log('dry run: the cache was not written');
    else if (path) console.log(`tuning cache: ${path}`);
  },
};
/**
 * The families of the kernel policy (with this adapter class's defaults) and every entry the
 * tuning cache holds for this adapter, as Markdown: what docs/tuning.md shows is generated, not typed.
 */
export function cacheMarkdown(g: Gpu): string {
  const s = g.summary;
  const cls = adapterClass(s);
  const lines = [`Adapter: ${g.name} — ${s.description || s.device}; ${cls} class. Cache: ${tuningFilePath() || 'disabled'}.`, '',
    '| family | what | choices | default here | tuned per shape |', '| --- | --- | --- | --- | --- |'];
  for (const f of policyFamilies) {
    const d = kernelFamilies[f] as FamilyDecl;
    lines.push(`| \`${f}\` | ${d.what} | ${d.choices === '*' ? 'auto or a variant name' : d.choices.join(', ')} | ${d.default(cls, s.limits)}${d.byShape ? ` (${d.byShape})` : ''} | ${d.tuned ? 'yes' : 'no'} |`);
  }
  const entries = tunedEntries(s);
  const rows = Object.entries(entries).flatMap(([family, shapes]) => Object.entries(shapes).map(([cls2, e]) => ({ family, cls: cls2, e })));
  lines.push('');
  if (rows.length === 0) { lines.push('The cache holds no entry for this adapter: every family runs its default.'); return lines.join('\n'); }
  lines.push('| family | shape class | shape measured | default | ms | winner | ms | speed-up | measured |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const { family, cls: c, e } of rows) {
    const ms = (name?: string) => (name && e.ms?.[name] !== undefined ? fmtMs(e.ms[name]) : '-');
    lines.push(`| ${family} | ${c} | ${e.shape ?? '-'} | ${e.defaultVariant ?? '-'} | ${ms(e.defaultVariant)} | ${e.variant} | ${ms(e.variant)} | ${e.speedup ? `${e.speedup.toFixed(2)}×` : '-'} | ${e.at?.slice(0, 10) ?? '-'} |`);
  }
  return lines.join('\n');
}

export default command;
