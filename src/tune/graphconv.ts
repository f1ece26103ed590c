/**
 * Tuning the graphconv family (src/ops/graphconv/variants.ts): per pass of the graph aggregation —
 * forward, input gradient, adjacency gradient — the kernels (flat or register-blocked) and their
 * work split, at the aggregations one pre-training step of a preset runs (each block's graph conv
 * aggregates its input: batch × persons samples, C_in channels, the block's T, 25 joints, K = 3).
 * Cases that share a shape class are measured once.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { graphAggregate, aggregateRaw, adjacencyGrad, adjacencySlices } from '../ops/graphconv/aggregate.js';
import { convOutputLength } from '../ops/tconv/tconv.js';
import { graphShapeClass, graphFromOverrides, graphOverrides, defaultGraphVariant, REG, type GraphDims, type GraphPass, type GraphVariant } from '../ops/graphconv/variants.js';
import { Rng } from '../util/random.js';
import { presets } from '../i2md/config.js';
import { defaultBlocks } from '../nn/stgcn.js';
import { firstOfEach, type Candidate, type TuneCase, type TuneFamily } from './tuner.js';

const K = 3, V = 25, PERSONS = 2;

export interface AggCase { label: string; d: GraphDims }

/** The graph aggregations of one pre-training step of a preset, block by block. */
export function presetAggregations(name: 'stgcn-paper' | 'demo'): AggCase[] {
  const c = presets[name];
  const N = c.batchSize * PERSONS;
  let T = c.frames;
  const blocks = c.blocks ?? defaultBlocks(3, c.hidden, c.hiddenDim);
  return blocks.map(([cin, , stride], i) => {
    const a = { label: `${name} block ${i} aggregation (${cin} ch, T ${T})`, d: { N, C: cin, T, V, K } };
    T = convOutputLength(T, 9, stride, 4);
    return a;
  });
}

const flopsOf = (d: GraphDims) => 2 * d.N * d.K * d.C * d.T * d.V * d.V;

/**
 * The candidates of a pass at a shape, the default first; those the kernels or the device's
 * limits do not allow are dropped, and adjacency-gradient variants that slice the work exactly
 * as another one does are measured once.
 */
export function graphCandidates(pass: GraphPass, d: GraphDims, limits: Record<string, number>): GraphVariant[] {
  const out: GraphVariant[] = [defaultGraphVariant(pass)];
  const push = (o: Record<string, number>) => {
    const v = graphFromOverrides(pass, d, o, limits);
    if (v && !out.some((w) => w.name === v.name)) out.push(v);
  };
  const GROUPS = REG.GROUPS;
  if (pass === 'dadj') for (const g of [64, 256, 1024]) push({ PATH: 0, GROUPS: g });
  else for (const WG of [64, 128, 256]) push({ PATH: 0, WG });
  // 8 wide, 4 wide, and the narrowest tile with 8's block count (V 25: 7, so 4 blocks of 28 instead of 32)
  const tight = Math.ceil(d.V / Math.ceil(d.V / 8));
  const lanes = pass === 'dadj' ? REG.ADJ_RWG : REG.RWG;
  for (const [TR, TW] of [[8, 8], [4, 8], [8, 4], [4, 4], [tight, tight]]) push({ PATH: 1, TR, TW, RWG: lanes, GROUPS });
  for (const RWG of pass === 'dadj' ? [16, 32, 64] : [32, 128]) push({ PATH: 1, TR: REG.TR, TW: REG.TW, RWG, GROUPS });
  if (pass === 'dadj') for (const g of [24, 96, 384]) push({ PATH: 1, TR: REG.TR, TW: REG.TW, RWG: lanes, GROUPS: g });
  if (pass !== 'dadj') return out;
  return firstOfEach(out, (v) => `${v.name.replace(/g\d+$/, '')}/${adjacencySlices(v, d).slices}`);
}

function random(shape: number[], rng: Rng, lo = -1): Tensor {
  return Tensor.from(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(lo, 1)), shape).keep();
}

/** One pass of one aggregation as a tuning case. */
export function aggCase(pass: GraphPass, c: AggCase): TuneCase {
  const g = G();
  const { d } = c;
  const { N, C, T } = d;
  const candidates = graphCandidates(pass, d, g.limits);
  let x: Tensor | undefined, adj: Tensor | undefined, dxa: Tensor | undefined;
  // reduction lengths: V (forward), K·V (input grad), N·C·T (adjacency grad)
  const red = pass === 'fwd' ? V : pass === 'dx' ? K * V : N * C * T;
  return {
    label: `${c.label}, ${pass === 'fwd' ? 'forward' : pass === 'dx' ? 'input grad' : 'adjacency grad'}`,
    shape: `${pass} ${N}x${C}x${T}x${V} K${K}`,
    shapeClass: graphShapeClass(pass, d), defaultName: candidates[0].name,
    candidates: candidates.map((v): Candidate => ({ name: v.name, overrides: graphOverrides(pass, v) })),
    run() {
      if (!x) {
        const rng = new Rng(9);
        x = random([N, C, T, V], rng);
        adj = random([K, V, V], rng, 0);   // A ∘ M: non-negative like the partition
        dxa = random([N, K * C, T, V], rng);
      }
      if (pass === 'fwd') return [graphAggregate(x, adj!)];
      if (pass === 'dx') return [aggregateRaw(false, dxa!, adj!, N, K, C, T, V)];
      return [adjacencyGrad(x, dxa!, N, K, C, T, V)];
    },
    tol: 2e-6 * Math.sqrt(red) + 1e-6,
    dispose() { for (const t of [x, adj, dxa]) t?.dispose(); x = adj = dxa = undefined; },
    flops: flopsOf(d),
  };
}

/** Every pass of every distinct aggregation of both presets; `quick` keeps the demo's heaviest, forward and adjacency gradient. */
function cases(quick: boolean): TuneCase[] {
  if (quick) {
    const big = presetAggregations('demo').reduce((a, b) => (flopsOf(b.d) > flopsOf(a.d) ? b : a));
    return [aggCase('fwd', big), aggCase('dadj', big)];
  }
  const all = [...presetAggregations('stgcn-paper'), ...presetAggregations('demo')].flatMap((c) => (['fwd', 'dx', 'dadj'] as const).map((pass) => ({ pass, c })));
  return firstOfEach(all, ({ pass, c }) => graphShapeClass(pass, c.d)).map(({ pass, c }) => aggCase(pass, c));
}

export const graphconvFamily: TuneFamily = { family: 'graphconv', cases };
