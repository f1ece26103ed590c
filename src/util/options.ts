/**
 * Numeric option rules in one place: whole or real, the range, and one message format that
 * names the option — "--batch-size -8: expected a whole number in 1 … 65536". The pre-training
 * config (src/i2md/config.ts `validateConfig`) and every command's own numbers go through it.
 * Upper bounds are where a value stops being a setting and becomes an allocation that cannot
 * succeed (a batch of 10⁹ sequences), so the user hears it before the engine starts.
 */
import { UserError } from './errors.js';

export interface NumberRule {
  int?: boolean;        // a whole number
  min?: number;         // inclusive unless minOpen
  max?: number;         // inclusive unless maxOpen
  minOpen?: boolean;
  maxOpen?: boolean;
}

const bound = (v: number) => (Math.abs(v) >= 1e6 && Number.isInteger(Math.log2(v)) ? `2^${Math.log2(v)}` : String(v));

/** What the rule expects, in words: "a whole number in 1 … 65536", "a number in [0, 1)". */
export function describeRule(r: NumberRule): string {
  const what = r.int ? 'a whole number' : 'a number';
  if (r.min !== undefined && r.max !== undefined) {
    if (r.int) return `${what} in ${bound(r.min)} … ${bound(r.max)}`;
    return `${what} in ${r.minOpen ? '(' : '['}${bound(r.min)}, ${bound(r.max)}${r.maxOpen ? ')' : ']'}`;
  }
  if (r.min !== undefined) return `${what} ${r.minOpen ? '>' : '≥'} ${bound(r.min)}`;
  if (r.max !== undefined) return `${what} ${r.maxOpen ? '<' : '≤'} ${bound(r.max)}`;
  return `a finite ${r.int ? 'whole number' : 'number'}`;
}

/** The error message for `--flag value` against `rule`, or undefined when the value obeys it. */
export function checkNumber(flag: string, v: unknown, r: NumberRule): string | undefined {
  const ok = typeof v === 'number' && Number.isFinite(v) && (!r.int || Number.isInteger(v))
    && (r.min === undefined || (r.minOpen ? v > r.min : v >= r.min))
    && (r.max === undefined || (r.maxOpen ? v < r.max : v <= r.max));
  return ok ? undefined : `--${flag} ${typeof v === 'string' ? JSON.stringify(v) : String(v)}: expected ${describeRule(r)}`;
}

/** `args[flag]` checked (undefined passes when `optional`); throws a UserError naming the option. */
export function numberOption(args: Record<string, unknown>, flag: string, r: NumberRule): number;
export function numberOption(args: Record<string, unknown>, flag: string, r: NumberRule, optional: true): number | undefined;
export function numberOption(args: Record<string, unknown>, flag: string, r: NumberRule, optional = false): number | undefined {
  const v = args[flag];
  if (v === undefined && optional) return undefined;
  const err = checkNumber(flag, v, r);
  if (err) throw new UserError(err);
  return v as number;
}

/** A comma list of numbers under one rule ("--lr-steps 120,250"). */
export function numberList(flag: string, text: string, r: NumberRule): number[] {
  const parts = text.split(',').map((x) => x.trim()).filter(Boolean);
  return parts.map((p) => {
    const v = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(p) ? Number(p) : NaN;
    if (checkNumber(flag, v, r)) throw new UserError(`--${flag} ${text}: '${p}' is not ${describeRule(r)}`);
    return v;
  });
}

/** Common rules. */
export const rules = {
  count: { int: true, min: 1, max: 2 ** 31 - 1 } as NumberRule,
  countOrZero: { int: true, min: 0, max: 2 ** 31 - 1 } as NumberRule,
  seed: { int: true, min: 0, max: 2 ** 32 - 1 } as NumberRule,
  fraction: { min: 0, max: 1 } as NumberRule,
  positive: { min: 0, minOpen: true } as NumberRule,
  nonNegative: { min: 0 } as NumberRule,
  frames: { int: true, min: 1, max: 10000 } as NumberRule,
};
