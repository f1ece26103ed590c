/** `info`: which adapter the engine picked, its feature level, the limits that matter, features. */
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';
import { kernelReport, adapterClass, type KernelReport } from '../gpu/policy.js';

const command: Command = {
  name: 'info',
  describe: 'print the WebGPU adapter the engine uses: backend, vendor, limits, features',
  options: (y) => y.option('json', { type: 'boolean', describe: 'print JSON' })
    .option('kernels', { type: 'boolean', describe: 'print what each kernel family runs on this adapter and why (default / forced / tuned shapes)' }),
  async run(args) {
    const g = await initEngine();
    const s = g.summary;
    if (args.kernels) { printKernels(g.name, kernelReport(s), Boolean(args.json)); return; }
    if (args.json) { console.log(JSON.stringify(s, null, 2)); return; }
    const row = (k: string, v: unknown) => console.log(`${k.padEnd(34)} ${v}`);
    row('adapter', g.name);
    row('backend', s.backend);
    row('feature level', s.featureLevel);
    row('software adapter', s.software ? 'yes' : 'no');
    if (s.softwareThreads) row('threads per dispatch', s.softwareThreads.threads ? `${s.softwareThreads.threads} (${s.softwareThreads.source})` : s.softwareThreads.source);
    row('vendor / architecture', `${s.vendor || '-'} / ${s.architecture || '-'}`);
    row('device', s.device || '-');
    row('description', s.description || '-');
    for (const [k, v] of Object.entries(s.limits)) row(k, v);
    const optional = ['shader-f16', 'subgroups', 'timestamp-query'];
    row('optional features', optional.map((f) => `${f}: ${s.features.includes(f) ? 'yes' : 'no'}`).join(', '));
  },
};
/** The kernel policy's view of this adapter (src/gpu/policy.ts), one family a row. */
function printKernels(adapter: string, rows: KernelReport[], json: boolean): void {
  if (json) { console.log(JSON.stringify({ adapter, class: adapterClass(), families: rows }, null, 2)); return; }
  console.log(`adapter: ${adapter} — ${adapterClass()} class`);
  console.log(`${'family'.padEnd(12)} ${'runs'.padEnd(8)} ${'why'.padEnd(34)} tuned shapes`);
  for (const r of rows) {
    const tuned = r.tunedShapes === undefined ? '-' : `${r.tunedShapes}${r.tunedShapes ? ' (the cache wins for those shapes)' : ''}`;
    console.log(`${r.family.padEnd(12)} ${r.value.padEnd(8)} ${r.source.padEnd(34)} ${tuned}`);
    console.log(`${''.padEnd(12)} ${r.what}; choices: ${r.choices}`);
    if (r.byShape) console.log(`${''.padEnd(12)} by shape: ${r.byShape}`);
  }
  console.log('\nForce a family with --kernel family=value (repeatable) or I2MD_KERNELS=family=value,…; `tune` fills the cache.');
}

export default command;
