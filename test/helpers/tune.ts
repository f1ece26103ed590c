/**
 * Shared by the tuning tests (test/tune/): a private tuning cache file for a suite, and a tune
 * case's candidates run one by one.
 */
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engine, dispatched } from './check.js';
import { tidy, type Tensor } from '../../src/tensor/index.js';
import { forceVariant } from '../../src/gpu/policy.js';
import { resetTuningCache } from '../../src/gpu/tuning.js';
import { relativeError, type TuneCase } from '../../src/tune/tuner.js';

/** Points I2MD_TUNING_FILE into a temporary folder for the suite (restored after it); returns `useFile(name)`. */
export function tuningSandbox(t: Test, prefix: string): (name: string) => void {
  let dir: string;
  const savedEnv = process.env.I2MD_TUNING_FILE;
  const useFile = (name: string) => { process.env.I2MD_TUNING_FILE = join(dir, name); resetTuningCache(); };
  t.before(async () => { await engine(); dir = mkdtempSync(join(tmpdir(), prefix)); useFile('none.json'); });
  t.after(() => {
    if (savedEnv === undefined) delete process.env.I2MD_TUNING_FILE; else process.env.I2MD_TUNING_FILE = savedEnv;
    resetTuningCache();
    rmSync(dir, { recursive: true, force: true });
  });
  return useFile;
}

export async function readAll(ts: Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const x of ts) { out.push(await x.read()); x.dispose(); }
  return out;
}

/** The kernels (pipeline keys, overrides included) the case's run dispatches. */
export async function kernelsOf(c: TuneCase): Promise<{ names: string[]; outs: Float32Array[] }> {
  const { names, result } = await dispatched(() => tidy(() => c.run()));
  return { names, outs: await readAll(result) };
}

/** Forces every candidate of the case: the op must run it (`current()` names it) and match the default's outputs. */
export async function everyCandidate(family: string, c: TuneCase, current: () => string): Promise<void> {
  forceVariant(family, undefined);
  const ref = await readAll(tidy(() => c.run()));
  assert.is(current(), c.defaultName, `${c.shape}: the default without the cache`);
  try {
    for (const v of c.candidates) {
      forceVariant(family, { variant: v.name, overrides: v.overrides });
      assert.is(current(), v.name, `${c.shape}: forced ${v.name} is what the op runs`);
      const err = relativeError(ref, await readAll(tidy(() => c.run())));
      assert.ok(err <= c.tol, `${c.shape} ${v.name}: relative error ${err} > ${c.tol}`);
    }
  } finally { forceVariant(family, undefined); c.dispose(); }
}
