/**
 * Where a pre-training recipe comes from, and what may change it: `--config FILE.json|.yaml` (the
 * flags' own kebab-case names as keys, as in the run's config.json), which flags the user typed,
 * the provenance of every hyperparameter (preset, config file, flag, or derived — the queue fitted
 * to a small dataset, the normalisation of the data), what `--resume` may change (only a longer
 * run under the step schedule; anything else is refused, never ignored), and the refusal to
 * overwrite an existing run folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { presets, presetNames, type PretrainConfig, type PresetName } from '../i2md/config.js';
import { UserError } from '../util/errors.js';

import type { Argv } from 'yargs';

/** `--config FILE` of pretrain and the main job (the commands that apply it). */
export function configFileOption(y: Argv): Argv {
  return y.option('config', { type: 'string', describe: 'a recipe file (.json, or flat .yaml) whose keys are the options\' names (kebab-case, as in a run\'s config.json); flags given override it' });
}

/** hiddenDim → hidden-dim: a config field's flag and file key. */
export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The config with kebab-case keys, as config.json and --config files hold it. */
export function kebabConfig(c: PretrainConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [kebab(k), v]));
}

/** The option names the user typed (`--epochs 2`, `--epochs=2`, `--no-cmd` → epochs, cmd), kebab-case. */
export function typedFlags(argv: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const a of argv) {
    if (a === '--') break;
    if (!a.startsWith('--')) continue;
    const name = kebab(a.slice(2).split('=')[0]);
    out.add(name.startsWith('no-') ? name.slice(3) : name);
  }
  return out;
}

/** Keys a --config file may not set: they name where and how to run, not the recipe. */
const NOT_RECIPE = new Set(['run', 'resume', 'data', 'config', 'help']);

/** A flat `key: value` YAML mapping (numbers, booleans, strings, [a, b] lists); anything nested is refused. */
function parseFlatYaml(text: string, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const scalar = (s: string): unknown => {
    const v = s.trim().replace(/^(['"])(.*)\1$/, '$2');
    if (/^(true|false)$/.test(v)) return v === 'true';
    if (v !== '' && Number.isFinite(Number(v))) return Number(v);
    return v;
  };
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').replace(/^#.*$/, '');
    if (!line.trim() || line.trim() === '---') return;
    const m = /^([A-Za-z][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!m || /^\s/.test(line) || m[2].trim() === '') throw new UserError(`${file}: line ${i + 1}: expected "key: value" (a flat mapping of the pretrain options; nested YAML is not read — use JSON)`);
    const v = m[2].trim();
    out[m[1]] = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1).split(',').map(scalar).filter((x) => x !== '') : scalar(v);
  });
  return out;
}

/** Reads a --config file: an object whose keys are pretrain options (kebab-case). */
export function readConfigFile(path: string, known: readonly string[]): Record<string, unknown> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`--config ${path}: no such file`);
  const text = readFileSync(path, 'utf8');
  let obj: unknown;
  if (/\.ya?ml$/i.test(path)) obj = parseFlatYaml(text, path);
  else {
    try { obj = JSON.parse(text); } catch (e) { throw new UserError(`--config ${path}: not valid JSON (${(e as Error).message})`); }
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new UserError(`--config ${path}: expected an object of option: value`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = kebab(k);
    if (NOT_RECIPE.has(key)) throw new UserError(`--config ${path}: "${k}" is not part of a recipe; give it on the command line`);
    if (!known.includes(key)) throw new UserError(`--config ${path}: unknown key "${k}" (the keys are the pretrain options: ${known.filter((x) => !NOT_RECIPE.has(x)).join(', ')})`);
    // list options take comma-separated strings on the command line; a file may give arrays
    out[key] = Array.isArray(v) ? v.join(',') : v;
  }
  return out;
}

export interface Recipe {
  args: Record<string, unknown>;
  /** where a config field's value came from */
  provenance(key: keyof PretrainConfig, effective: PretrainConfig): string;
  typed: Set<string>;
  file?: string;
  fileKeys: Set<string>;
}

/**
 * The arguments with a --config file's values filled in where no flag was typed (flags win), and
 * the provenance of each field.
 */
export function applyConfigFile(args: Record<string, unknown>, argv: readonly string[], known: readonly string[]): Recipe {
  const typed = typedFlags(argv);
  const file = typeof args.config === 'string' ? args.config : undefined;
  const fromFile = file ? readConfigFile(file, known) : {};
  const merged = { ...args };
  for (const [k, v] of Object.entries(fromFile)) if (!typed.has(k)) merged[k] = v;
  if (fromFile.preset !== undefined && !typed.has('preset') && !presetNames.includes(fromFile.preset as PresetName)) {
    throw new UserError(`--config ${file}: preset "${String(fromFile.preset)}" is not one of ${presetNames.join(', ')}`);
  }
  const fileKeys = new Set(Object.keys(fromFile).filter((k) => !typed.has(k)));
  const presetName = merged.preset as PresetName;
  return {
    args: merged, typed, file, fileKeys,
    provenance(key, effective) {
      const flag = kebab(key);
      if (typed.has(flag)) return 'flag';
      if (fileKeys.has(flag)) return `config file`;
      const p = (presets[presetName] as unknown as Record<string, unknown>)[key];
      if (JSON.stringify(p) === JSON.stringify(effective[key])) return `preset ${presetName}`;
      return p === undefined ? 'default' : 'derived';
    },
  };
}

/** "  epochs            2          flag" lines: every field of the effective config, where it came from. */
export function describeConfig(c: PretrainConfig, provenance: (key: keyof PretrainConfig) => string): string {
  const keys = Object.keys(c) as (keyof PretrainConfig)[];
  const show = (v: unknown) => (Array.isArray(v) ? (v.length ? JSON.stringify(v).replace(/"/g, '') : '[]') : String(v));
  return keys.map((k) => `  ${kebab(k).padEnd(18)} ${show(c[k]).padEnd(16)} ${provenance(k)}`).join('\n');
}

/** A run folder that already holds a run: refused unless resumed (it would lose its metrics and checkpoint). */
export function refuseExistingRun(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UserError(`--run ${dir}: is a file; expected a run folder`);
  const held = ['checkpoint.json', 'checkpoint.safetensors', 'metrics.jsonl', 'results.json'].filter((f) => existsSync(join(dir, f)));
  if (held.length) throw new UserError(`--run ${dir}: already holds a run (${held.join(', ')}); continue it with --resume ${dir}, or choose another folder`);
}

/**
 * The config a resumed run continues with: the saved one, with the typed recipe options applied
 * where they may change — `--epochs` beyond the epochs done, under the step schedule (a cosine
 * schedule's rates depend on the run's length, so a longer cosine run is another recipe). Any
 * other option that differs from the run's is refused with its saved value.
 */
export function resumeConfig(saved: PretrainConfig, requested: PretrainConfig, changed: (keyof PretrainConfig)[], epochsDone: number, run: string): { config: PretrainConfig; notes: string[] } {
  const config = { ...saved };
  const notes: string[] = [];
  const refused: string[] = [];
  for (const key of changed) {
    const want = requested[key], had = saved[key];
    if (JSON.stringify(want) === JSON.stringify(had)) continue;
    if (key === 'epochs' && (saved.lrSchedule ?? 'step') === 'step' && (want as number) > epochsDone) {
      config.epochs = want as number;
      notes.push(`--epochs ${String(want)}: the run continues to epoch ${String(want)} (was ${String(had)})`);
      continue;
    }
    const why = key === 'epochs'
      ? ((want as number) <= epochsDone ? ` (the run has done ${epochsDone} epochs already)` : ' (the cosine schedule\'s rates depend on the run\'s length)')
      : '';
    refused.push(`--${kebab(key)} ${JSON.stringify(want)} (the run has ${JSON.stringify(had)})${why}`);
  }
  if (refused.length) {
    throw new UserError(`--resume ${run}: these options would change the run's recipe: ${refused.join('; ')}. Only --epochs (more, step schedule) can change on resume; drop the others, or start a new run with --run`);
  }
  return { config, notes };
}

/** " (demo 4 · paper 16 · …)": a field's value in every preset, for --help. */
export function presetValues(key: keyof PretrainConfig): string {
  const vals = presetNames.map((p) => [p, (presets[p] as unknown as Record<string, unknown>)[key]] as const).filter(([, v]) => v !== undefined);
  if (!vals.length) return '';
  return ` [${vals.map(([p, v]) => `${p} ${Array.isArray(v) ? v.join(',') || '–' : String(v)}`).join(' · ')}]`;
}
