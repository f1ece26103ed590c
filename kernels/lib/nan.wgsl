// NaN-keeping max for ReLU-like ops. WGSL leaves max(NaN, y) to the implementation and llvmpipe
// returns y, so a ReLU would turn a NaN into 0 and hide a broken step from the finite guard;
// these return NaN when either input is one. NaN is found by its bits, because a compiler may
// assume x == x and fold a comparison away.
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_nan4(v: vec4<f32>) -> vec4<bool> { return (bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u); }
fn max_nan(a: f32, b: f32) -> f32 { return select(max(a, b), a + b, is_nan(a) || is_nan(b)); }
fn max_nan4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> { return select(max(a, b), a + b, is_nan4(a) | is_nan4(b)); }
