/** `info`: which adapter the engine picked, its feature level, the limits that matter, features. */
import type { Command } from './command.js';
import { initEngine } from '../tensor/index.js';

const command: Command = {
  name: 'info',
  describe: 'print the WebGPU adapter the engine uses: backend, vendor, limits, features',
  options: (y) => y.option('json', { type: 'boolean', describe: 'print JSON' }),
  async run(args) {
    const g = await initEngine();
    const s = g.summary;
    if (args.json) { console.log(JSON.stringify(s, null, 2)); return; }
    const row = (k: string, v: unknown) => console.log(`${k.padEnd(34)} ${v}`);
    row('adapter', g.name);
    row('backend', s.backend);
    row('feature level', s.featureLevel);
    row('software adapter', s.software ? 'yes' : 'no');
    row('vendor / architecture', `${s.vendor || '-'} / ${s.architecture || '-'}`);
    row('device', s.device || '-');
    row('description', s.description || '-');
    for (const [k, v] of Object.entries(s.limits)) row(k, v);
    const optional = ['shader-f16', 'subgroups', 'timestamp-query'];
    row('optional features', optional.map((f) => `${f}: ${s.features.includes(f) ? 'yes' : 'no'}`).join(', '));
  },
};
export default command;
