/**
 * Our pre-training step against PyTorch's on the same CPU (docs/bench.md#against-pytorch): rounds
 * of two child processes, interleaved, the first of each round alternating —
 *   ours     node dist/bench/pretrain.js --cases cmd (MoCo + CMD, src/i2md/step.ts);
 *   PyTorch  scripts/torch/stgcn_step.py, the same step at the same sizes (Debian's python3-torch),
 *            with torch's intra-op threads = this machine's cores (its default here is 1);
 * each one warm-up step, then `reps` timed steps. Each side runs in a process of its own, so each
 * peak resident set (a lifetime maximum) is its own. Records: each side's best samples/s over the
 * rounds and its largest peak RSS, and one record with the ratios ours / PyTorch (speed: > 1 is
 * faster; memory: < 1 is smaller).
 * The preset: `--preset` (default stgcn-paper; ST-GCN presets only: the GRU has its own
 * comparison, scripts/torch/gru_bench.py), `--set field=value,…` applies to both sides. A
 * background load (`--load N`: N spinning processes, bench/load.ts) runs through every round.
 *   npm run bench -- --only torch [--preset demo] [--load 2]          (minutes: opt-in)
 *   node dist/bench/torch.js [--preset NAME] [--rounds 2] [--reps 1] [--threads C] [--load N] [--set …]
 * Where torch is missing the module says so and records nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { presets, presetNames, type PretrainConfig, type PresetName } from '../src/i2md/config.js';
import { parseSet } from './pretrain.js';
import { startLoad } from './load.js';

const here = dirname(fileURLToPath(import.meta.url));            // dist/bench
const root = join(here, '..', '..');
const python = process.env.I2MD_PYTHON ?? '/usr/bin/python3';

export interface TorchBenchCtx {
  preset?: string; rounds?: number; reps?: number; threads?: number; load?: number;
  set?: Partial<PretrainConfig>; log?(line: string): void;
}

interface Side { samplesPerS: number; secondsPerStep: number; cpuSecondsPerStep: number; peakRssBytes: number; loss: number }

function runChild(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', () => {});
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${err.slice(-2000)}`))));
  });
}

/** The PyTorch script's size options for a config. */
export function torchArgs(c: PretrainConfig): string[] {
  return ['--batch', c.batchSize, '--frames', c.frames, '--hidden', c.hidden, '--hidden-dim', c.hiddenDim, '--head-dim', c.headDim,
    '--queue', c.queueSize, '--topk', c.topk, '--dropout', c.dropout].map(String);
}

export async function run(ctx: TorchBenchCtx = {}): Promise<Record<string, unknown>[]> {
  const log = ctx.log ?? console.log;
  const name = ctx.preset ?? process.env.I2MD_BENCH_PRESET ?? 'stgcn-paper';
  if (!(presetNames as string[]).includes(name)) throw new Error(`bench torch: unknown preset '${name}' (${presetNames.join(', ')})`);
  const setText = process.env.I2MD_BENCH_SET;
  const config: PretrainConfig = { ...presets[name as PresetName], ...(ctx.set ?? parseSet(setText)) };
  if (config.encoder !== 'stgcn') throw new Error(`bench torch: preset '${name}' uses the ${config.encoder} encoder; this comparison is the ST-GCN step (the GRU's is scripts/torch/gru_bench.py)`);
  if (spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0) {
    log(`bench torch: ${python} cannot import torch (Debian: apt-get install python3-torch; or set I2MD_PYTHON): nothing measured`);
    return [];
  }
  const rounds = ctx.rounds ?? 2, reps = ctx.reps ?? 1, threads = ctx.threads ?? cpus().length;
  const dir = mkdtempSync(join(tmpdir(), 'i2md-vs-torch-'));
  const set = ctx.set ? Object.entries(ctx.set).map(([k, v]) => `${k}=${v}`).join(',') : setText;
  const oursArgs = [join(here, 'pretrain.js'), '--preset', name, '--cases', 'cmd', '--reps', String(reps), '--warmup', '1', ...(set ? ['--set', set] : [])];
  const theirsArgs = [join(root, 'scripts', 'torch', 'stgcn_step.py'), ...torchArgs(config), '--steps', String(reps), '--warmup', '1', '--threads', String(threads)];
  const ours: Side[] = [], theirs: Side[] = [];
  const load = ctx.load ? await startLoad(ctx.load) : undefined;
  try {
    for (let r = 0; r < rounds; r++) {
      const runOurs = async () => {
        const file = join(dir, `ours-${r}.json`);
        await runChild(process.execPath, [...oursArgs, '--json', file]);
        const [rec] = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>[];
        ours.push({ samplesPerS: rec.samplesPerS, secondsPerStep: rec.medianMs / 1000, cpuSecondsPerStep: (rec.cpuMs ?? NaN) / 1000, peakRssBytes: rec.peakRssBytes, loss: rec.loss });
        log(`round ${r + 1} ours:    ${rec.samplesPerS.toFixed(2)} samples/s, peak RSS ${(rec.peakRssBytes / 2 ** 30).toFixed(2)} GiB`);
      };
      const runTheirs = async () => {
        const file = join(dir, `torch-${r}.json`);
        await runChild(python, [...theirsArgs, '--json', file]);
        const rec = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>;
        theirs.push({ samplesPerS: rec.samplesPerS, secondsPerStep: rec.bestSecondsPerStep, cpuSecondsPerStep: rec.cpuSecondsPerStep, peakRssBytes: rec.peakRssBytes, loss: rec.loss });
        log(`round ${r + 1} PyTorch: ${rec.samplesPerS.toFixed(2)} samples/s, peak RSS ${(rec.peakRssBytes / 2 ** 30).toFixed(2)} GiB`);
      };
      if (r % 2 === 0) { await runOurs(); await runTheirs(); } else { await runTheirs(); await runOurs(); }
    }
  } finally {
    await load?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const best = (s: Side[]) => s.reduce((a, b) => (b.samplesPerS > a.samplesPerS ? b : a));
  const rss = (s: Side[]) => Math.max(...s.map((x) => x.peakRssBytes));
  const o = best(ours), t = best(theirs);
  const detail = `${name}, MoCo + CMD, B=${config.batchSize} T=${config.frames} K=${config.queueSize} top-k=${config.topk}; ${rounds} rounds × (1 + ${reps} steps), PyTorch ${threads} threads${ctx.load ? `, load ${ctx.load}` : ''}`;
  const record = (who: string, s: Side, peak: number) => ({
    name: `pretrain step vs PyTorch (${name}): ${who}`, shape: [config.batchSize, 3, config.frames, 25, 2],
    medianMs: s.secondsPerStep * 1000, spreadMs: 0, minMs: s.secondsPerStep * 1000, maxMs: s.secondsPerStep * 1000, reps: rounds,
    cpuMs: s.cpuSecondsPerStep * 1000, timing: 'wall', samplesPerS: s.samplesPerS, peakRssBytes: peak, loss: s.loss, preset: name, detail,
  });
  const oursRss = rss(ours), theirsRss = rss(theirs);
  const speed = o.samplesPerS / t.samplesPerS, memory = oursRss / theirsRss;
  log(`ours / PyTorch: speed ${speed.toFixed(2)}× (best of ${rounds} each), peak RSS ${memory.toFixed(2)}× (${(oursRss / 2 ** 30).toFixed(2)} / ${(theirsRss / 2 ** 30).toFixed(2)} GiB)`);
  return [
    record('ours', o, oursRss),
    record(`PyTorch ${threads} threads`, t, theirsRss),
    { ...record(`ours / PyTorch speed ${speed.toFixed(2)}×, peak RSS ${memory.toFixed(2)}×`, o, oursRss), speedRatio: speed, peakRssRatio: memory },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k: string) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : undefined; };
  const num = (k: string) => (arg(k) === undefined ? undefined : Number(arg(k)));
  try {
    await run({ preset: arg('preset'), rounds: num('rounds'), reps: num('reps'), threads: num('threads'), load: num('load'), set: arg('set') ? parseSet(arg('set')) : undefined });
  } catch (e) { console.error((e as Error).message); process.exit(1); }
  process.exit(0);
}
