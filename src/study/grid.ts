/**
 * The study's grid: named axes of pre-training options, expanded into cells (every combination,
 * plus any cells listed explicitly), each cell a set of overrides on a base recipe. Axis names are
 * PretrainConfig fields (camelCase) or their command-line flags (kebab-case), plus three with a
 * meaning of their own:
 *   variant  moco | cmd | i2md   — which terms train (MoCo only, + CMD, + IMD with DNA);
 *   encoder  stgcn | gru          — the encoder family, at the sizes the base recipe gives it;
 *   blocks   "16,32/2,64/2,128"  — an ST-GCN block plan: output channels, "/2" for stride 2.
 */
import { UserError } from '../util/errors.js';
import { presets, validateConfig, type PretrainConfig } from '../i2md/config.js';

export type CellValue = number | string | boolean | number[] | string[];
export type Overrides = Record<string, CellValue>;

export interface GridSpec {
  preset?: keyof typeof presets;
  base?: Overrides;                     // applied to the preset before any cell
  axes?: Record<string, CellValue[]>;   // every combination becomes a cell
  cells?: Overrides[];                  // and these cells besides
}

export interface Cell { id: string; overrides: Overrides; config: PretrainConfig }

/**
 * Encoder families the study can vary. Each maps its name to the config it needs (the sizes stay
 * the base recipe's: `hidden`/`hidden-dim` for the ST-GCN, `gru-hidden`/`gru-layers` for the GRU);
 * a family added to the engine adds one entry here and the `encoder` axis takes it.
 */
export const ENCODERS: Record<string, (c: PretrainConfig) => PretrainConfig> = {
  stgcn: (c) => ({ ...c, encoder: 'stgcn' }),
  gru: (c) => ({ ...c, encoder: 'gru' }),
};

export const VARIANTS: Record<string, { cmd: boolean; imd: boolean; label: string }> = {
  moco: { cmd: false, imd: false, label: 'MoCo' },
  cmd: { cmd: true, imd: false, label: '+CMD' },
  i2md: { cmd: true, imd: true, label: 'I²MD' },
};

const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** "16,32/2,64/2,128" → [[3,16,1],[16,32,2],[32,64,2],[64,128,1]]: output channels, "/2" for a stride of 2. */
export function parseBlocks(text: string, inChannels = 3): [number, number, number][] {
  const out: [number, number, number][] = [];
  let cin = inChannels;
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\/(\d+))?$/.exec(part);
    if (!m || +m[1] < 1 || (m[2] !== undefined && +m[2] < 1)) throw new UserError(`blocks '${text}': expected output channels with an optional /stride, e.g. 16,32/2,64/2,128`);
    out.push([cin, +m[1], m[2] ? +m[2] : 1]);
    cin = +m[1];
  }
  if (out.length === 0) throw new UserError(`blocks '${text}': no block`);
  return out;
}

/** The inverse of parseBlocks, for names and reports. */
export function formatBlocks(blocks: [number, number, number][]): string {
  return blocks.map(([, c, s]) => (s > 1 ? `${c}/${s}` : `${c}`)).join(',');
}

/** One override applied to a config (validated by the caller). */
function apply(c: PretrainConfig, key: string, value: CellValue): PretrainConfig {
  if (key === 'variant') {
    const v = VARIANTS[String(value)];
    if (!v) throw new UserError(`variant '${String(value)}': expected ${Object.keys(VARIANTS).join(', ')}`);
    return { ...c, cmd: v.cmd && c.modalities.length > 1, imd: v.imd };
  }
  if (key === 'encoder') {
    const f = ENCODERS[String(value)];
    if (!f) throw new UserError(`encoder '${String(value)}': this build has ${Object.keys(ENCODERS).join(', ')}`);
    return f(c);
  }
  if (key === 'preset') throw new UserError('preset: give it as the grid\'s preset, not as an axis');
  const k = camel(key);
  if (k === 'blocks') {
    if (value === 'default' || value === '') { const { blocks: _b, ...rest } = c; return rest as PretrainConfig; }
    const blocks = parseBlocks(String(value));
    return { ...c, blocks, hiddenDim: blocks[blocks.length - 1][1] };
  }
  if (!(k in presets.paper) && !OPTIONAL_KEYS.includes(k)) throw new UserError(`grid axis '${key}': not a pre-training option`);
  const listOf = (v: CellValue) => (Array.isArray(v) ? v : String(v) === 'none' || String(v) === '' ? [] : String(v).split('+'));
  if (k === 'lrSteps') return { ...c, lrSteps: listOf(value).map(Number) };
  if (k === 'corruptions' || k === 'modalities') return { ...c, [k]: listOf(value).map(String) } as PretrainConfig;
  return { ...c, [k]: value } as PretrainConfig;
}

const OPTIONAL_KEYS = ['jointFraction', 'cropScaleMin', 'corruptions', 'shearAmplitude', 'cmdStart', 'imdStart', 'lrSchedule', 'warmupEpochs', 'normalize', 'blocks'];

/** A value typed on the command line: numbers and booleans as such, the rest as strings. */
export function parseValue(s: string): CellValue {
  const t = s.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && Number.isFinite(Number(t))) return Number(t);
  return t;
}

/** "lr=0.01,0.05" → ['lr', [0.01, 0.05]] (the --axis option). */
export function parseAxis(text: string): [string, CellValue[]] {
  const m = /^\s*([A-Za-z][\w-]*)\s*=(.*)$/.exec(text);
  if (!m) throw new UserError(`--axis ${text}: expected NAME=v1,v2,… (e.g. lr=0.01,0.05)`);
  const values = m[2].split(',').map(parseValue);
  if (m[1] === 'blocks') return [m[1], m[2].split(';').map((s) => s.trim())];  // plans contain commas: separate them by ';'
  if (values.length === 0 || values.some((v) => v === '')) throw new UserError(`--axis ${text}: empty value`);
  return [m[1], values];
}

const show = (v: CellValue) => (Array.isArray(v) ? v.join('+') : String(v));

/**
 * Expands a grid into its cells, each validated; ids are "axis=value,…" in axis order ("base" for
 * none). `start` replaces the preset as the starting config (the command line's recipe).
 */
export function expandGrid(spec: GridSpec, start?: PretrainConfig): Cell[] {
  const preset = spec.preset ?? 'demo';
  if (!presets[preset]) throw new UserError(`grid preset '${String(preset)}': expected ${Object.keys(presets).join(', ')}`);
  let base: PretrainConfig = { ...(start ?? presets[preset]) };
  for (const [k, v] of Object.entries(spec.base ?? {})) base = apply(base, k, v);
  const axes = Object.entries(spec.axes ?? {});
  for (const [k, vs] of axes) if (!Array.isArray(vs) || vs.length === 0) throw new UserError(`grid axis '${k}': expected a non-empty list of values`);
  let combos: Overrides[] = [{}];
  for (const [k, vs] of axes) combos = combos.flatMap((o) => vs.map((v) => ({ ...o, [k]: v })));
  if (axes.length === 0 && spec.cells?.length) combos = [];
  const all = [...combos, ...(spec.cells ?? [])];
  const seen = new Set<string>();
  const cells: Cell[] = [];
  for (const o of all) {
    const id = Object.entries(o).map(([k, v]) => `${k}=${show(v)}`).join(',') || 'base';
    if (seen.has(id)) continue;
    seen.add(id);
    let config = base;
    for (const [k, v] of Object.entries(o)) config = apply(config, k, v);
    const errs = validateConfig(config);
    if (errs.length) throw new UserError(`grid cell ${id}: ${errs.join('; ')}`);
    cells.push({ id, overrides: o, config });
  }
  return cells;
}
