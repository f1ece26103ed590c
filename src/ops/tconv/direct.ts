/**
 * The register-blocked temporal convolution for CPU-like adapters — kernels/tconv/direct.wgsl
 * entry `direct`: the forward, and the input gradient (at stride 1 a forward conv with flipped
 * weights, at stride s by s output phases, grid z). The weights are first packed in reading order
 * (entry `wpack`). Its weight gradient is ./wgrad.ts.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import type { ConvDims } from './dims.js';

const WG = 64;
const MAX_GROUPS = 65535;

/** How `direct` splits its work (./variants.ts: a tuned split, else `defaultDirectSplit`). */
export interface DirectSplit { TO: number; TT: number; WG: number }

/** The kernel mode of `direct` for a pass (0 forward, 1 flipped stride-1 input grad, 2 by phases). */
const directMode = (fwd: boolean, d: ConvDims): number => (fwd ? 0 : d.stride === 1 && d.pad <= d.KT - 1 ? 1 : 2);

/**
 * 16 rows × 8 times per invocation where the rows fill it, fewer where rows or times are few; a
 * stride-1 pass of a KT > 1 conv over more than 8 times takes 8 rows × 16 times instead. Every lane
 * loads the packed weights of its tile (the same for all lanes, but llvmpipe gathers them lane by
 * lane), and those loads are about half the kernel's time: 16 times share each one twice as long
 * as 8, for the same 128 accumulators (the sliding frames make the extra input loads cheap). On
 * Mesa 25's llvmpipe and lavapipe 8 × 16 runs 1.1–1.2× 16 × 8 there; at stride 2 (fresh frames
 * every tap), at 1×1 and on Mesa 26 it does not (docs/bench.md#temporal-convs-on-llvmpipe).
 * TO is a multiple of 4: the packed weights are vec4s.
 */
export function defaultDirectSplit(fwd: boolean, d: ConvDims): DirectSplit {
  const rows = fwd ? d.Cout : d.Cin, tout = fwd ? d.Tout : d.T;
  if (d.KT > 1 && d.stride === 1 && rows >= 8 && tout > 8) return { TO: 8, TT: 16, WG };
  const phases = directMode(fwd, d) === 2 ? d.stride : 1;
  return { TO: rows <= 4 ? 4 : rows < 16 ? 8 : 16, TT: Math.ceil(tout / phases) <= 4 ? 4 : 8, WG };
}

/**
 * fwd: out (N, Cout, T', V) = conv of x (N, Cin, T, V) (+ bias: biasMode 1 per channel, 2 per
 * (channel, joint)); else out = dx (N, Cin, T, V) from dy (N, Cout, T', V) — kernel mode 1 (stride 1,
 * flipped taps) or mode 2 (by output phases).
 */
export function direct(fwd: boolean, d: ConvDims, src: Tensor, weight: Tensor, bias: Tensor | undefined, biasMode: number, out: Tensor,
  split: DirectSplit = defaultDirectSplit(fwd, d)): void {
  const g = G();
  // the input gradient: a flipped forward conv at stride 1 (pad ≤ KT − 1), else by phases
  const mode = directMode(fwd, d);
  const rows = fwd ? d.Cout : d.Cin, cred = fwd ? d.Cin : d.Cout;
  const tin = fwd ? d.T : d.Tout, tout = fwd ? d.Tout : d.T;
  const stride = mode === 1 ? 1 : d.stride, pad = mode === 1 ? d.KT - 1 - d.pad : d.pad;
  const phases = mode === 2 ? d.stride : 1;
  const { TO, TT, WG: wg } = split;
  const ntb = Math.ceil(tout / (phases * TT));
  const cols = d.N * ntb * d.V;
  const cinKt = d.Cin * d.KT;
  const rs = fwd ? cinKt : d.KT, cs = fwd ? d.KT : cinKt;
  const params = (c0: number) => ({
    mode, rows, cred, cols, tin, tout, v: d.V, kt: d.KT, stride, pad, ntb, flags: biasMode,
    rs, cs, col0: c0 * wg, row_begin: 0, row_end: rows, c_begin: 0, c_end: cred,
  });
  // the weights in reading order (kernel entry `wpack`): TO/4 vec4 loads per (channel, tap)
  const packed = Tensor.empty([Math.ceil(rows / TO) * TO * cred * d.KT]);
  g.dispatch(g.kernel('tconv/direct', 'wpack', { TO, TT, WG: wg }), { weight: weight.buffer, packed: packed.buffer }, params(0), Math.ceil(packed.size / wg));
  const kernel = g.kernel('tconv/direct', 'direct', { TO, TT, WG: wg });
  const colGroups = Math.ceil(cols / wg);
  for (let c0 = 0; c0 < colGroups; c0 += MAX_GROUPS) {
    g.dispatch(kernel, { src: src.buffer, packed: packed.buffer, bias: bias?.buffer ?? g.placeholder, out: out.buffer }, params(c0),
      [Math.min(MAX_GROUPS, colGroups - c0), Math.ceil(rows / TO), phases]);
  }
  packed.dispose();
}

