// The uniform parameters of a matrix product (kernels/matmul/matmul.wgsl, regk.wgsl and
// tiled4.wgsl); the header of kernels/matmul/matmul.wgsl describes the strides. tiled4 reads kc as
// the k per slice and ldu as C's slice stride when it splits k.
struct Params {
  M: u32, N: u32, K: u32, flags: u32,       // flags: 1 add bias, 2 accumulate into c
  sam: u32, sak: u32, sbk: u32, sbn: u32,   // strides of op(A) along m, k and of op(B) along k, n
  scm: u32, scn: u32, sab: u32, sbb: u32,   // strides of C along m, n; batch strides of A, B (0 = broadcast)
  scb: u32, sxm: u32, sxn: u32, zb: u32,    // batch stride of C; bias strides; first batch of this dispatch
  wm0: u32, k0: u32, kc: u32, ldu: u32,     // rows from wm0; k in [k0, k0 + kc); window row stride (AV = 1)
}
