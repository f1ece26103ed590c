/**
 * The browser doctor: the same kernel test files `node dist/train.js doctor` runs (every kernel
 * family against its float64 TypeScript reference, gradients against finite differences), loaded
 * as lazy chunks and run through web/uvu-shim.ts on this page's adapter. One row per file, as the
 * CLI prints them. Files that need Node are named, not run (web/build.mjs decides which).
 */
import { tests, nodeOnly } from 'virtual:i2md-doctor-tests';
import { takeSuites, runSuite, type Suite } from './uvu-shim.js';

export interface FamilyResult { name: string; ok: boolean; passed: number; failed: number; skipped: number; seconds: number; firstFailure?: string }

const loaded = new Map<string, Suite[]>();

/** Runs every family whose name contains `only` (one of them, if a list; all by default), calling `onRow` after each. */
export async function runDoctor(only: string | string[] = '', onRow: (r: FamilyResult) => void = () => {}): Promise<{ families: FamilyResult[]; nodeOnly: string[] }> {
  const families: FamilyResult[] = [];
  const wanted = (name: string) => (Array.isArray(only) ? only.some((o) => name.includes(o)) : name.includes(only));
  for (const t of tests.filter((x) => wanted(x.name))) {
    const t0 = performance.now();
    const r: FamilyResult = { name: t.name, ok: false, passed: 0, failed: 0, skipped: 0, seconds: 0 };
    try {
      let suites = loaded.get(t.name);
      if (!suites) { takeSuites(); await t.load(); suites = takeSuites(); loaded.set(t.name, suites); }
      for (const s of suites) {
        const sr = await runSuite(s);
        r.passed += sr.passed; r.failed += sr.failed; r.skipped += sr.skipped;
        if (sr.failures.length && !r.firstFailure) r.firstFailure = `${sr.failures[0].test}: ${sr.failures[0].message}`;
      }
      r.ok = r.failed === 0 && r.passed > 0;
      if (r.passed === 0 && r.failed === 0) r.firstFailure = 'no tests ran';
    } catch (e) {
      r.failed++; r.firstFailure = `could not load: ${(e as Error).message}`;
    }
    r.seconds = (performance.now() - t0) / 1000;
    families.push(r);
    onRow(r);
  }
  return { families, nodeOnly };
}
