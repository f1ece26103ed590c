// Shapes and strides of up to 8 dimensions packed as two vec4 (uniform arrays need 16-byte
// elements). `offset_of` maps a flat index of the output to an element offset of an input whose
// strides are 0 along broadcast dimensions.
fn dim_of(v: array<vec4<u32>, 2>, k: u32) -> u32 {
  return v[k / 4u][k % 4u];
}
fn offset_of(i: u32, rank: u32, shape: array<vec4<u32>, 2>, strides: array<vec4<u32>, 2>) -> u32 {
  var rest = i;
  var off = 0u;
  for (var k = i32(rank) - 1; k >= 0; k--) {
    let d = dim_of(shape, u32(k));
    off += (rest % d) * dim_of(strides, u32(k));
    rest /= d;
  }
  return off;
}
