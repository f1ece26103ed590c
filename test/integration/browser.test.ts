/**
 * The page in a real browser: builds dist/web (web/build.mjs), serves it, opens it in headless
 * Chromium on SwiftShader (Chromium's software WebGPU adapter, no GPU needed) through
 * puppeteer-core, runs the doctor — kernel families against their TypeScript references — and a
 * short demo pre-training, and checks that every family run passes and that the loss is finite and
 * falls. A software adapter in a shared CI box is slow (a kernel family takes 1–30 s), so by
 * default the doctor runs a fixed sample of families covering every op group; I2MD_BROWSER_DOCTOR=all
 * runs every family the page has. Without Chromium (or puppeteer-core) the suite is skipped with
 * a printed note saying what to install — never silently.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { projectRoot } from '../helpers/shared-data.js';

const t = suite('integration/browser');

// I2MD_CHROMIUM names the browser (and only it: an empty or wrong path shows the skip note)
const chromium = (process.env.I2MD_CHROMIUM !== undefined ? [process.env.I2MD_CHROMIUM] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'])
  .find((p): p is string => !!p && existsSync(p));
const puppeteerPath = join(projectRoot, 'node_modules', 'puppeteer-core');
const missing = !chromium ? 'no Chromium (apt-get install chromium, or set I2MD_CHROMIUM)' : !existsSync(puppeteerPath) ? 'no puppeteer-core (npm ci)' : '';

/** Families the default run checks: one or more per op group, each a few seconds on SwiftShader (≈ 45 s together). */
export const sampleFamilies = ['gpu/kernels', 'gpu/reflect', 'gpu/pool', 'ops/matmul/gemm', 'ops/gather', 'ops/dna', 'ops/dropout',
  'ops/softmax', 'ops/topk', 'ops/shape', 'ops/random', 'ops/reduce', 'ops/pool', 'ops/modalities', 'optim/', 'i2md/queue', 'bench/peak'];

interface Family { name: string; ok: boolean; passed: number; failed: number; firstFailure?: string }
interface Page { evaluate<R, A>(fn: (a: A) => Promise<R> | R, a: A): Promise<R>; goto(u: string): Promise<unknown>; on(e: string, f: (x: { text?: () => string; message?: string }) => void): void; waitForFunction(f: string, o: object): Promise<unknown> }
interface Browser { newPage(): Promise<Page>; close(): Promise<void> }

let browser: Browser | undefined, server: Server | undefined, page: Page | undefined;
const errors: string[] = [], lines: string[] = [];
/** The page's last console lines (its status lines: which family, which step), for a failure message. */
const lastLines = () => lines.slice(-6).join(' | ');

if (missing) {
  console.log(`note: integration/browser skipped — ${missing}`);
  t.skip('the page runs doctor and a demo in headless Chromium', () => {});
} else {
  t.before(async () => {
    const web = await import(pathToFileURL(join(projectRoot, 'web', 'build.mjs')).href) as { buildWeb(o: object): Promise<string>; serve(d: string, p: number): Promise<Server> };
    const dir = await web.buildWeb({ quiet: true });
    server = await web.serve(dir, 0);
    const { default: puppeteer } = await import('puppeteer-core') as unknown as { default: { launch(o: object): Promise<Browser> } };
    browser = await puppeteer.launch({
      executablePath: chromium, headless: true, protocolTimeout: 900_000,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader'],
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message ?? String(e)));
    page.on('console', (m) => lines.push(m.text?.() ?? ''));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction('window.i2md !== undefined', { timeout: 60_000 });
  });
  t.after(async () => { await browser?.close(); server?.close(); });

  t('the page finds a WebGPU adapter (SwiftShader) and starts the engine', async () => {
    const name = await page!.evaluate(async () => {
      const w = globalThis as unknown as { i2md: { ready: Promise<boolean> }; document: { querySelector(s: string): { textContent: string | null } } };
      await w.i2md.ready;
      return w.document.querySelector('#adapter .status').textContent ?? '';
    }, undefined);
    assert.match(name, /software/, `adapter line: ${name}`);
    assert.equal(errors, [], 'page errors');
  });

  t('doctor: every kernel family run in the page matches its TypeScript reference', async () => {
    const only = process.env.I2MD_BROWSER_DOCTOR === 'all' ? '' : sampleFamilies;
    const r = await page!.evaluate(async (o) => (globalThis as unknown as { i2md: { doctor(o: string | string[]): Promise<{ families: Family[] }> } }).i2md.doctor(o), only);
    assert.ok(r.families.length >= (only ? only.length : 30), `${r.families.length} families ran`);
    const failed = r.families.filter((f) => !f.ok).map((f) => `${f.name}: ${f.firstFailure}`);
    assert.equal(failed, [], `families that differ from their references (page: ${lastLines()})`);
    assert.ok(r.families.every((f) => f.passed > 0));
  });

  t('demo: a short pre-training on the synthetic set has a finite loss that falls once the queue is full, then k-NN runs', async () => {
    // The demo preset (three streams, CMD, IMD, DNA) on 63 training sequences, batch 16, queue ≤ 32:
    // the queue holds real keys from step 3 on; before that its negatives are the initial keys and
    // the loss differs for that reason alone, so "falls" is measured from step 3. (MoCo alone on so
    // few sequences rises within a few steps: the queue soon holds keys of the query's own sequence.)
    const r = await page!.evaluate(async (o) => (globalThis as unknown as { i2md: { demo(o: object): Promise<{ losses: { step: number; total: number }[]; knn: { knn1: number }[] }> } }).i2md.demo(o),
      { size: 96, steps: 6, queueSize: 32, logEvery: 1 });
    const totals = r.losses.map((l) => l.total);
    assert.is(totals.length, 6, `${totals.length} logged losses`);
    assert.ok(totals.every(Number.isFinite), `losses ${totals}; page: ${lastLines()}`);
    const full = r.losses.findIndex((l) => l.step === 3);
    assert.ok(Math.min(...totals.slice(full + 1)) < totals[full], `the loss falls below its value at step 3: ${totals.map((x) => x.toFixed(3))}`);
    assert.is(r.knn.length, 3, 'k-NN per stream');
    assert.ok(r.knn.every((k) => k.knn1 >= 0 && k.knn1 <= 1));
  });
}

t.run();
