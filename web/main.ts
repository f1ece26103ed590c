/**
 * The page: wires the sections of index.html to the engine. On load it starts the engine on
 * navigator.gpu and shows the adapter; the buttons run doctor (web/doctor.ts), the benchmarks
 * (web/bench.ts), the demo (web/demo.ts) and the neighbour viewer (web/viewer.ts). The same
 * functions are on `window.i2md` for test/integration/browser.test.ts, which drives the page.
 */
import * as engine from '../src/index.js';
import { initEngine, type Encoder } from '../src/index.js';
import type { BenchRecord } from '../bench/harness.js';
import { runDoctor, type FamilyResult } from './doctor.js';
import { runBench } from './bench.js';
import { runDemo, drawLoss, encoderBytes, type DemoOptions, type DemoResult } from './demo.js';

const $ = <T extends Element = HTMLElement>(sel: string) => document.querySelector(sel) as T;
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x?: number) => (typeof x === 'number' && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '');
const num = (x: unknown, d: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '');

function download(name: string, bytes: Uint8Array | string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Runs a button's job once at a time, its status line showing progress, time and errors. */
function job<A extends unknown[], R>(section: string, fn: (status: (s: string) => void, ...a: A) => Promise<R>) {
  return async (...a: A): Promise<R> => {
    const st = $(`#${section} .status`);
    // the status line is also logged, so a headless run (test/integration/browser.test.ts) shows progress
    const status = (s: string) => { st.textContent = s; console.log(`${section}: ${s}`); };
    const buttons = [...document.querySelectorAll<HTMLButtonElement>(`#${section} button`)];
    buttons.forEach((b) => { b.disabled = true; });
    const t0 = performance.now();
    try {
      const r = await fn(status, ...a);
      status(`${st.textContent ? `${st.textContent} — ` : ''}done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return r;
    } catch (e) {
      status(`error: ${(e as Error).message}`);
      throw e;
    } finally { buttons.forEach((b) => { b.disabled = false; }); }
  };
}

const doctor = job('doctor', async (status, only: string | string[] = '') => {
  const body = $('#doctor tbody'); body.innerHTML = '';
  status('running…');
  const r = await runDoctor(only, (f: FamilyResult) => {
    body.insertAdjacentHTML('beforeend', `<tr><td>${esc(f.name)}</td><td class="${f.ok ? 'pass' : 'fail'}">${f.ok ? 'PASS' : 'FAIL'}</td>` +
      `<td>${f.passed} passed, ${f.failed} failed${f.skipped ? `, ${f.skipped} skipped` : ''}</td><td class="num">${f.seconds.toFixed(1)}</td><td>${esc(f.firstFailure ?? '')}</td></tr>`);
    status(`${f.name}…`);
    console.log(`doctor: ${f.ok ? 'PASS' : 'FAIL'} ${f.name} ${f.passed} passed, ${f.failed} failed, ${f.seconds.toFixed(1)} s${f.firstFailure ? ` — ${f.firstFailure}` : ''}`);
  });
  const failed = r.families.filter((f) => !f.ok).length;
  $('#doctor .note').textContent = `Node-only (run them with node dist/train.js doctor): ${r.nodeOnly.join(', ') || 'none'}.`;
  status(failed ? `${failed} of ${r.families.length} kernel families differ from their references` : `all ${r.families.length} kernel families match their references`);
  return r;
});

let benchRecords: BenchRecord[] = [];
const bench = job('bench', async (status, opts: { only?: string; reps?: number } = {}) => {
  const body = $('#bench tbody'); body.innerHTML = '';
  status('running…');
  benchRecords = await runBench(opts, (r) => {
    body.insertAdjacentHTML('beforeend', `<tr><td>${esc(r.name)}</td><td class="num">${num(r.medianMs, 3)}</td><td class="num">${num(r.gflops, 1)}</td>` +
      `<td class="num">${num(r.gbps, 2)}</td><td class="num">${pct(r.fractionOfPeak)}</td><td>${r.timing ?? ''}</td></tr>`);
  });
  ($('#bench [data-action="bench-json"]') as HTMLButtonElement).disabled = false;
  status(`${benchRecords.length} records`);
  return benchRecords;
});

let lastDemo: DemoResult | undefined;
const demo = job('demo', async (status, o: DemoOptions = {}) => {
  const canvas = $<HTMLCanvasElement>('#loss'), points: { step: number; total: number }[] = [];
  drawLoss(canvas, points);
  $('#demo .knn tbody').innerHTML = '';
  const r = await runDemo(o, (step, total) => { points.push({ step, total }); drawLoss(canvas, points); status(`step ${step}: loss ${total.toFixed(3)}`); }, status);
  lastDemo?.encoder.dispose();
  lastDemo = r;
  $('#demo .knn tbody').innerHTML = r.knn.map((k) => `<tr><td>${k.stream}</td><td class="num">${pct(k.knn1)}</td><td class="num">${pct(k.knnK)}</td></tr>`).join('');
  status(`${r.steps} steps, ${r.msPerStep.toFixed(0)} ms/step, loss ${r.losses[0]?.total.toFixed(3)} → ${r.losses.at(-1)?.total.toFixed(3)}`);
  return { losses: r.losses, knn: r.knn, msPerStep: r.msPerStep, steps: r.steps };
});

async function start(): Promise<void> {
  const g = await initEngine();
  const s = g.summary;
  $('#adapter .status').textContent = g.name;
  const rows: [string, string][] = [
    ['vendor', s.vendor], ['architecture', s.architecture], ['device', s.device], ['description', s.description],
    ['software', String(s.software)], ['features', s.features.join(', ') || '(none)'], ['WGSL language features', s.wgslFeatures.join(', ') || '(none)'],
    ...Object.entries(s.limits).map(([k, v]) => [k, String(v)] as [string, string]),
  ];
  $('#adapter dl').innerHTML = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
  for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-action]')) if (b.dataset.action !== 'bench-json' && b.dataset.action !== 'demo-weights') b.disabled = false;
}

const input = (name: string) => Number(($(`#demo input[name="${name}"]`) as HTMLInputElement).value);
document.addEventListener('click', (ev) => {
  const action = (ev.target as HTMLElement).closest('button')?.dataset.action;
  if (action === 'doctor') void doctor();
  if (action === 'bench') void bench();
  if (action === 'bench-json') download('bench.json', JSON.stringify(benchRecords, null, 2) + '\n', 'application/json');
  if (action === 'demo') void demo({ size: input('size'), steps: input('steps') }).then(() => { ($('#demo [data-action="demo-weights"]') as HTMLButtonElement).disabled = false; });
  if (action === 'demo-weights' && lastDemo) void encoderBytes(lastDemo.encoder).then((b) => download('encoder.safetensors', b, 'application/octet-stream'));
  if (action === 'viewer') void import('./viewer.js').then((v) => v.runViewer(lastDemo));
});

const ready = start().then(() => true, (e: Error) => { $('#adapter .status').textContent = `no engine: ${e.message}`; throw e; });
(window as unknown as { i2md: unknown }).i2md = {
  ready, doctor, bench, demo, demoEncoder: (): Encoder | undefined => lastDemo?.encoder,
  /** The library (src/index.ts), for the console and for timing pieces from a test. */
  engine,
};
