/**
 * Dispatch overhead: a chain of 2000 adds on a 256-element tensor with one readback at the end,
 * through the engine (ops, pool, tape-free tidy, batched submits) and as raw Dawn — the same
 * kernel and the same number of dispatches recorded directly on the GPUDevice, in one pass and
 * one submit: once with two prebuilt bind groups (the floor) and once with a bind group made per
 * dispatch (what any engine whose buffers change must do). Reports time per op and the ratios.
 * Also runnable alone: `node dist/bench/dispatch.js`.
 */
import { initEngine, Tensor, tidy, G } from '../src/tensor/index.js';
import { add } from '../src/ops/elementwise.js';
import { measure, context, type BenchContext, type BenchRecord } from './harness.js';

const OPS = 2000, N = 256;

/** The 28 parameter words binaryRaw writes for a same-shape add of N elements. */
function addParams(): Uint32Array<ArrayBuffer> {
  const p = new Uint32Array(28);
  p.set([N, 1, 0, 1]);          // n, rank, op = add, same shape
  p.fill(1, 4, 12);             // shape (padded with 1)
  p[4] = N;
  p[12] = 1; p[20] = 1;         // strides of a and b along the one dim
  return p;
}

async function rawChain(fresh: boolean, x0: GPUBuffer, y: GPUBuffer): Promise<void> {
  const g = G(), dev = g.device;
  const kernel = g.kernel('binary');
  const bytes = N * 4;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const ping = [dev.createBuffer({ size: bytes, usage }), dev.createBuffer({ size: bytes, usage })];
  const params = dev.createBuffer({ size: 112, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  dev.queue.writeBuffer(params, 0, addParams());
  const stage = dev.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const group = (src: GPUBuffer, dst: GPUBuffer) => dev.createBindGroup({ layout: kernel.layout, entries: [
    { binding: 0, resource: { buffer: params } }, { binding: 1, resource: { buffer: src } },
    { binding: 2, resource: { buffer: y } }, { binding: 3, resource: { buffer: dst } }] });
  const prebuilt = [group(ping[0], ping[1]), group(ping[1], ping[0])];
  const enc = dev.createCommandEncoder();
  enc.copyBufferToBuffer(x0, 0, ping[0], 0, bytes);
  const pass = enc.beginComputePass();
  pass.setPipeline(kernel.pipeline);
  for (let i = 0; i < OPS; i++) {
    pass.setBindGroup(0, fresh ? group(ping[i % 2], ping[(i + 1) % 2]) : prebuilt[i % 2]);
    pass.dispatchWorkgroups(1);
  }
  pass.end();
  enc.copyBufferToBuffer(ping[OPS % 2], 0, stage, 0, bytes);
  dev.queue.submit([enc.finish()]);
  await stage.mapAsync(GPUMapMode.READ);
  stage.unmap();
  for (const b of [...ping, params, stage]) b.destroy();
}

export async function run(ctx: BenchContext = context()): Promise<BenchRecord[]> {
  const out: BenchRecord[] = [];
  const x0 = Tensor.from(new Float32Array(N).fill(1)).keep(), y = Tensor.from(new Float32Array(N).fill(0.5)).keep();
  const reps = ctx.reps ?? 7;
  const engine = await measure(`${OPS} adds on ${N} elements, one readback: engine`, [OPS, N], async () => {
    const r = tidy(() => { let x = x0; for (let i = 0; i < OPS; i++) x = add(x, y); return x; });
    await r.read();
    r.dispose();
  }, { reps });
  const raw = await measure(`${OPS} adds on ${N} elements, one readback: raw Dawn, prebuilt bind groups`, [OPS, N],
    async () => rawChain(false, x0.buffer, y.buffer), { reps });
  const fresh = await measure(`${OPS} adds on ${N} elements, one readback: raw Dawn, bind group per dispatch`, [OPS, N],
    async () => rawChain(true, x0.buffer, y.buffer), { reps });
  for (const r of [engine, raw, fresh]) if (r) { r.perOpUs = (r.medianMs * 1000) / OPS; out.push(r); }
  // ratios of medians, and of the fastest repetitions (less sensitive to a busy machine)
  if (engine && raw) { engine.ratioToRaw = engine.medianMs / raw.medianMs; engine.ratioToRawMin = engine.minMs / raw.minMs; }
  if (engine && fresh) { engine.ratioToRawFreshBindGroups = engine.medianMs / fresh.medianMs; engine.ratioToRawFreshBindGroupsMin = engine.minMs / fresh.minMs; }
  x0.dispose(); y.dispose();
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initEngine();
  for (const r of await run()) {
    console.log(`${r.name.padEnd(72)} ${r.medianMs.toFixed(1).padStart(8)} ms  ${(r.perOpUs as number).toFixed(1)} µs/op  cpu ${r.cpuMs?.toFixed(0)} ms${r.ratioToRaw ? `  ×${(r.ratioToRaw as number).toFixed(2)} raw, ×${(r.ratioToRawFreshBindGroups as number).toFixed(2)} raw-fresh` : ''}`);
  }
  process.exit(0);
}
