/**
 * ST-GCN's spatial graph convolution: the graph aggregation (./aggregate.ts), then the channel
 * mixing as a 1×1 temporal convolution (src/ops/tconv) with a per-joint bias (./bias.ts).
 *
 * PyTorch computes z = conv1×1(x) (N, K·Cout, T, V), then y = Σ_k z_k · (A_k ∘ M_k). Both steps are
 * linear, so we aggregate first and mix after:
 *   xa[n,k,i,t,w] = Σ_v x[n,i,t,v] · adj[k,v,w]                       (adj = A ∘ M)
 *   y[n,c,t,w]    = Σ_{k,i} W[k·Cout+c, i] · xa[n,k,i,t,w] + Σ_k b[k·Cout+c] · colsum_k[w]
 * with colsum_k[w] = Σ_v adj[k,v,w]. The intermediate has K·Cin channels instead of K·Cout
 * (4× smaller in the last block), and the bias becomes a per-joint bias of the mixing conv
 * (`jointBias`: one dispatch each way). Every step records its own backward, so the gradients
 * reach x, W, b and the mask M.
 */
import type { Tensor } from '../../tensor/tensor.js';
import { mul } from '../elementwise.js';
import { reshape, permute } from '../shape.js';
import { temporalConv } from '../tconv/tconv.js';
import { graphAggregate } from './aggregate.js';
import { jointBias } from './bias.js';
import type { GraphSupport } from './support.js';

/**
 * y[n,c,t,w] = Σ_k Σ_v (Σ_i W[k·Cout+c, i]·x[n,i,t,v] + b[k·Cout+c]) · (A_k ∘ M_k)[v,w].
 * x (N, Cin, T, V); weight (K·Cout, Cin) or (K·Cout, Cin, 1, 1); bias (K·Cout) or undefined;
 * A (K, V, V) a constant; M (K, V, V) the learnable edge importance (or undefined: all ones);
 * support: A's nonzero entries, when the caller knows them (the aggregation then skips the rest).
 */
export function graphConv(x: Tensor, weight: Tensor, bias: Tensor | undefined, A: Tensor, M?: Tensor, support?: GraphSupport): Tensor {
  const [, Cin] = x.shape;
  const K = A.shape[0], V = A.shape[1];
  const KCout = weight.shape[0];
  if (KCout % K !== 0 || weight.size !== KCout * Cin) throw new Error(`graphConv: weight [${weight.shape}] is not (K·Cout, ${Cin}) with K = ${K}`);
  const Cout = KCout / K;
  const adj = M ? mul(A, M) : A;
  const xa = graphAggregate(x, adj, support);
  // W'[c, k·Cin + i] = W[k·Cout + c, i]: the mixing conv's weight
  const w2 = reshape(permute(reshape(weight, [K, Cout, Cin]), [1, 0, 2]), [Cout, K * Cin]);
  const b2 = bias ? jointBias(bias, adj) : undefined;
  return temporalConv(xa, w2, b2, { stride: 1, pad: 0 });
}

