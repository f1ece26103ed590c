/**
 * Tuning the tconv family (src/ops/tconv/variants.ts): per pass of the temporal convolution —
 * forward, input gradient, weight gradient (with the bias gradient, as training runs it) — the
 * kernel family (tiled GEMM, register-blocked, or im2col + matmul) and its work split, at the convolutions one
 * pre-training step of a preset runs: each block's 9×1 temporal conv, the graph conv's 1×1
 * channel mixing (K·C_in → C_out, per-joint bias) and the strided residual's 1×1 conv. Cases
 * that share a shape class are measured once.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { temporalConv, convInputGrad, convParamGrads, convOutputLength, type ConvDims } from '../ops/tconv/tconv.js';
import { gemmWgradSlices } from '../ops/tconv/gemm.js';
import { tconvShapeClass, tconvFromOverrides, tconvOverrides, defaultTconvVariant, convFlops, rowsPerInvocation, GEMM_TARGET_GROUPS, type ConvPass, type TconvVariant } from '../ops/tconv/variants.js';
import { defaultDirectSplit } from '../ops/tconv/direct.js';
import { defaultWgradSplit, wgradSlices, WGRAD_RED } from '../ops/tconv/wgrad.js';
import { Rng } from '../util/random.js';
import { presets } from '../i2md/config.js';
import { defaultBlocks } from '../nn/stgcn.js';
import { firstOfEach, type Candidate, type TuneCase, type TuneFamily } from './tuner.js';

/** Spatial partitions (docs/method.md#encoder), joints of the NTU layout, persons per sample. */
const K = 3, V = 25, PERSONS = 2;
/**
 * On a software adapter a case over this many GFLOP per run is reported, not tuned: the paper's
 * block-9 convs (the 9×1 at 256 channels, 60 GFLOP; the mixing 192 → 256, 5 GFLOP) take seconds
 * per run there and minutes per pass to tune (the whole family took 18 min at load 4 with them).
 */
const SOFTWARE_GFLOP_CAP = 4;

export interface ConvCase { label: string; d: ConvDims; biasMode: number }

const dims = (N: number, Cin: number, Cout: number, T: number, KT: number, stride: number, pad: number): ConvDims =>
  ({ N, Cin, Cout, T, Tout: convOutputLength(T, KT, stride, pad), V, KT, stride, pad });

/** The convolutions of one pre-training step of a preset (batch × persons samples), block by block. */
export function presetConvs(name: 'stgcn-paper' | 'demo'): ConvCase[] {
  const c = presets[name];
  const N = c.batchSize * PERSONS;
  const out: ConvCase[] = [];
  let T = c.frames;
  const blocks = c.blocks ?? defaultBlocks(3, c.hidden, c.hiddenDim);
  blocks.forEach(([cin, cout, stride], i) => {
    out.push({ label: `${name} block ${i} graph-conv mixing 1×1 (${K}·${cin} → ${cout}, T ${T})`, d: dims(N, K * cin, cout, T, 1, 1, 0), biasMode: 2 });
    out.push({ label: `${name} block ${i} temporal 9×1 (${cout} ch, T ${T}, stride ${stride})`, d: dims(N, cout, cout, T, 9, stride, 4), biasMode: 1 });
    if (i > 0 && (cin !== cout || stride !== 1)) {
      out.push({ label: `${name} block ${i} residual 1×1 (${cin} → ${cout}, stride ${stride})`, d: dims(N, cin, cout, T, 1, stride, 0), biasMode: 1 });
    }
    T = convOutputLength(T, 9, stride, 4);
  });
  return out;
}


const push = (out: TconvVariant[], v: TconvVariant | undefined) => { if (v && !out.some((w) => w.name === v.name)) out.push(v); };

/**
 * The candidates of a pass at a shape, the default first; those the kernels or the device's
 * limits do not allow are dropped, and weight-gradient variants that slice the work exactly as
 * another one does are measured once.
 */
export function tconvCandidates(pass: ConvPass, d: ConvDims, limits: Record<string, number>): TconvVariant[] {
  const out: TconvVariant[] = [defaultTconvVariant(pass, d)];
  const make = (o: Record<string, number>) => tconvFromOverrides(pass, d, o, limits);
  push(out, make({ PATH: 2 }));   // im2col + matmul, where its buffers fit one binding
  // the GEMM: the tile the default picks for the rows and half of it (more workgroups)
  const tm = rowsPerInvocation(pass === 'dx' ? d.Cin : d.Cout), tms = [tm, Math.max(1, tm / 2)];
  if (pass !== 'dw') {
    for (const TM of tms) push(out, make({ PATH: 0, TM }));
    for (const TO of [16, 8, 4]) for (const TT of [16, 8, 4]) push(out, make({ PATH: 1, TO, TT, WG: 64 }));
    const base = defaultDirectSplit(pass === 'fwd', d);
    for (const WG of [32, 128, 256]) push(out, make({ PATH: 1, TO: base.TO, TT: base.TT, WG }));
    return out;
  }
  for (const TM of tms) push(out, make({ PATH: 0, TM, GROUPS: GEMM_TARGET_GROUPS }));
  for (const GROUPS of [64, 1024]) push(out, make({ PATH: 0, TM: tm, GROUPS }));
  const base = defaultWgradSplit(d);
  if (d.KT > 1) {
    for (const TO of [16, 8, 4]) for (const TK of [base.TK, 3]) {
      push(out, make({ PATH: 1, ...base, TO, TK, WG: TO * TK * 64 <= WGRAD_RED ? 64 : 32 }));
    }
  } else {
    for (const TO of [8, 4]) for (const TI of [8, 4]) push(out, make({ PATH: 1, ...base, TO, TI, WG: 64 }));
    for (const [TO, TI] of [[8, 16], [16, 8]]) push(out, make({ PATH: 1, ...base, TO, TI, WG: 32 }));
  }
  for (const GROUPS of [16, 256]) push(out, make({ PATH: 1, ...base, GROUPS }));
  for (const WG of [8, 16, 32, 64, 128]) push(out, make({ PATH: 1, ...base, WG }));
  // a different GROUPS that gives the same slices is the same work
  return firstOfEach(out, (v) => v.path === 'gemm' ? `gemm${v.TM}/${gemmWgradSlices(d, v.TM, v.GROUPS ?? GEMM_TARGET_GROUPS).used}`
    : v.path === 'reg' ? `${v.name.replace(/g\d+$/, '')}/${wgradSlices(d, v.split).slices}` : v.name);
}

function random(shape: number[], rng: Rng): Tensor {
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)), shape).keep();
}

/** One pass of one convolution as a tuning case. */
export function convCase(pass: ConvPass, c: ConvCase): TuneCase {
  const g = G();
  const { d, biasMode } = c;
  const candidates = tconvCandidates(pass, d, g.limits);
  let x: Tensor | undefined, w: Tensor | undefined, b: Tensor | undefined, dy: Tensor | undefined;
  const gflops = convFlops(d) / 1e9;
  const floats = Math.max(d.N * d.Cin * d.T * d.V, d.N * d.Cout * d.Tout * d.V);
  const maxFloats = g.limits.maxStorageBufferBindingSize / 4;
  const red = pass === 'fwd' ? d.Cin * d.KT : pass === 'dx' ? d.Cout * d.KT : d.N * d.Tout * d.V;
  return {
    skip: floats > maxFloats ? `a ${(floats * 4 / 2 ** 20).toFixed(0)} MiB tensor is over the storage binding limit`
      : g.summary.software && gflops > SOFTWARE_GFLOP_CAP ? `${gflops.toFixed(0)} GFLOP per run: too slow to tune on a software adapter (cap ${SOFTWARE_GFLOP_CAP})` : undefined,
    label: `${c.label}, ${pass === 'fwd' ? 'forward' : pass === 'dx' ? 'input grad' : 'weight + bias grad'}`,
    shape: `${pass} ${d.N}x${d.Cin}x${d.T}x${d.V}→${d.Cout} k${d.KT}s${d.stride}`,
    shapeClass: tconvShapeClass(pass, d), defaultName: candidates[0].name,
    candidates: candidates.map((v): Candidate => ({ name: v.name, overrides: tconvOverrides(v) })),
    run() {
      if (!x) {
        const rng = new Rng(7);
        x = random([d.N, d.Cin, d.T, d.V], rng);
        w = random([d.Cout, d.Cin, d.KT, 1], rng);
        b = random(biasMode === 2 ? [d.Cout, d.V] : [d.Cout], rng);
        dy = random([d.N, d.Cout, d.Tout, d.V], rng);
      }
      if (pass === 'fwd') return [temporalConv(x, w!, b, { stride: d.stride, pad: d.pad })];
      if (pass === 'dx') return [convInputGrad(d, dy!, w!)];
      const { dw, db } = convParamGrads(d, dy!, x, true, biasMode);
      return [dw!, db!];
    },
    // reordered sums: f32 rounding grows like the square root of the reduction's length
    tol: 2e-6 * Math.sqrt(red) + 1e-6,
    dispose() { for (const t of [x, w, b, dy]) t?.dispose(); x = w = b = dy = undefined; },
    flops: convFlops(d),
  };
}

/**
 * Every pass of every convolution of both presets, one case per shape class; `quick` keeps the
 * demo's heaviest 9×1 conv, forward and weight gradient.
 */
function cases(quick: boolean): TuneCase[] {
  const convs = [...presetConvs('stgcn-paper'), ...presetConvs('demo')];
  if (quick) {
    const demo = presetConvs('demo').filter((c) => c.d.KT > 1);
    const big = demo.reduce((a, b) => (convFlops(b.d) > convFlops(a.d) ? b : a));
    return [convCase('fwd', big), convCase('dw', big)];
  }
  const all = convs.flatMap((c) => (['fwd', 'dx', 'dw'] as const).map((pass) => ({ pass, c })));
  return firstOfEach(all, ({ pass, c }) => tconvShapeClass(pass, c.d)).map(({ pass, c }) => convCase(pass, c));
}

export const tconvFamily: TuneFamily = { family: 'tconv', cases };
