// The uniform parameters of the contrastive kernels (kernels/contrastive.wgsl, contrastive_sg.wgsl).
struct Params {
  n: u32,        // batch rows N
  d: u32,        // feature dim
  k: u32,        // queue slots K
  ld: u32,       // row stride of the similarity / logits matrix
  off: u32,      // column of slot 0 in that matrix (1 for InfoNCE logits, 0 for plain similarities)
  flags: u32,    // bit 0: a negative mask is bound; bit 1 (gradq): src is an explicit gradient
  chunk: u32,    // gradq: slots per split-K chunk
  nchunks: u32,  // gradq / finish: number of chunks
  inv_tau: f32,
  scale: f32,    // finish: 1/(N·τ)
}
@group(0) @binding(0) var<uniform> p: Params;
