// This invocation's share of the InfoNCE row's logsumexp, online: (max, Σ exp(z − max)) over the
// unmasked negatives j = lid, lid + WG, … of row n in units of logits/τ, starting from max = z0
// (the positive); invocation 0 also counts the positive. Needs p, logits, mask and WG from the
// including file (kernels/contrastive.wgsl, contrastive_sg.wgsl).
fn online_lse(n: u32, lid: u32, z0: f32) -> vec2<f32> {
  var m = z0;
  var sum = select(0.0, 1.0, lid == 0u);
  let masked = (p.flags & 1u) != 0u;
  let base = n * p.ld + p.off;
  for (var j = lid; j < p.k; j += WG) {
    if (masked && mask[n * p.k + j] > 0.5) { continue; }
    let v = logits[base + j] * p.inv_tau;
    if (v > m) { sum = sum * exp(m - v) + 1.0; m = v; } else { sum += exp(v - m); }
  }
  return vec2<f32>(m, sum);
}
