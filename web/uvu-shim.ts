/**
 * uvu's `suite` for the browser doctor (web/build.mjs maps `import … from 'uvu'` here): a test
 * file builds its suite exactly as under uvu, but `t.run()` hands the suite to the page instead
 * of printing, and the page runs it (`runSuite`) and shows pass/fail. Supported: tests, skip,
 * only, before/after and their .each, a context object — what test/ uses.
 */
type Hook = (ctx: Record<string, unknown>) => unknown;
export interface Case { name: string; fn: Hook; skip: boolean; only: boolean }
export interface Suite { name: string; ctx: Record<string, unknown>; cases: Case[]; before: Hook[]; after: Hook[]; beforeEach: Hook[]; afterEach: Hook[] }
export interface SuiteResult { name: string; passed: number; failed: number; skipped: number; failures: { test: string; message: string }[] }

const ready: Suite[] = [];

export function suite(name = '', ctx: Record<string, unknown> = {}) {
  const s: Suite = { name, ctx, cases: [], before: [], after: [], beforeEach: [], afterEach: [] };
  const t = (n: string, fn: Hook) => { s.cases.push({ name: n, fn, skip: false, only: false }); };
  t.skip = (n: string, fn: Hook) => { s.cases.push({ name: n, fn, skip: true, only: false }); };
  t.only = (n: string, fn: Hook) => { s.cases.push({ name: n, fn, skip: false, only: true }); };
  const hook = (list: Hook[]) => Object.assign((fn: Hook) => { list.push(fn); }, {});
  t.before = Object.assign(hook(s.before), { each: hook(s.beforeEach) });
  t.after = Object.assign(hook(s.after), { each: hook(s.afterEach) });
  t.run = () => { ready.push(s); };
  return t;
}
export const test = suite();

/** The suites whose run() was called since the last call (those of the test file just imported). */
export function takeSuites(): Suite[] { return ready.splice(0); }

/** Runs one suite as uvu would: before hooks, each case between its each-hooks, after hooks. */
export async function runSuite(s: Suite): Promise<SuiteResult> {
  const r: SuiteResult = { name: s.name, passed: 0, failed: 0, skipped: 0, failures: [] };
  const anyOnly = s.cases.some((c) => c.only);
  const fail = (test: string, e: unknown) => { r.failed++; r.failures.push({ test, message: (e as Error)?.message ?? String(e) }); };
  try { for (const h of s.before) await h(s.ctx); } catch (e) { fail('(before)', e); return r; }
  for (const c of s.cases) {
    if (c.skip || (anyOnly && !c.only)) { r.skipped++; continue; }
    try {
      for (const h of s.beforeEach) await h(s.ctx);
      await c.fn(s.ctx);
      for (const h of s.afterEach) await h(s.ctx);
      r.passed++;
    } catch (e) { fail(c.name, e); }
  }
  try { for (const h of s.after) await h(s.ctx); } catch (e) { fail('(after)', e); }
  return r;
}
