/**
 * The per-joint bias of the graph convolution's mixing conv — kernels/graphconv/bias.wgsl, one
 * dispatch forward and one for both gradients.
 */
import { Tensor, G } from '../../tensor/tensor.js';
import { record } from '../../tensor/autograd.js';

const BIAS_WG = 64;   // kernels/graphconv/bias.wgsl's default WG

/**
 * The mixing conv's per-joint bias b2[c, w] = Σ_k b[k·Cout + c] · Σ_v adj[k, v, w] (Cout, V), from
 * the 1×1 conv's bias b (K·Cout) and adj (K, V, V): kernels/graphconv/bias.wgsl, one dispatch
 * forward and one for both gradients.
 */
export function jointBias(bias: Tensor, adj: Tensor): Tensor {
  const [K, V] = adj.shape;
  if (adj.rank !== 3 || adj.shape[2] !== V || bias.size % K !== 0) throw new Error(`jointBias: bias [${bias.shape}] and adjacency [${adj.shape}] are not (K·Cout) and (K, V, V)`);
  const Cout = bias.size / K;
  const params = { k: K, cout: Cout, v: V };
  const out = Tensor.empty([Cout, V]);
  G().dispatch(G().kernel('graphconv/bias', 'forward'), { b: bias.buffer, adj: adj.buffer, b2: out.buffer }, params, Math.ceil(out.size / BIAS_WG));
  return record('jointBias', out, [bias, adj], (g) => {
    const db = Tensor.empty(bias.shape), dadj = Tensor.empty(adj.shape);
    G().dispatch(G().kernel('graphconv/bias', 'backward'), { b: bias.buffer, adj: adj.buffer, g: g.buffer, db: db.buffer, dadj: dadj.buffer }, params,
      Math.ceil((db.size + dadj.size) / BIAS_WG));
    if (!bias.requiresGrad) db.dispose();
    if (!adj.requiresGrad) dadj.dispose();
    return [bias.requiresGrad ? db : undefined, adj.requiresGrad ? dadj : undefined];
  });
}

