/**
 * WGSL reflection (src/gpu/reflect.ts): uniform struct layouts under the uniform address space
 * rules, which bindings an entry uses (directly and through the functions it calls, shadowing by
 * locals left out), and the one-name-per-binding rule with its vec4 views.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { reflectModule, stripComments } from '../../src/gpu/reflect.js';

const t = suite('gpu/reflect');

const src = `
// a comment naming y, which is not a use
struct Params { n: u32, shift: i32, scale: f32, shape: array<vec4<u32>, 2>, v: vec2<f32>, w: vec3<u32>, last: u32 }
struct Other { k: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(0) var<uniform> q: Other;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> x4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read> z: array<f32>;
@group(0) @binding(4) var<uniform> window: array<vec4<f32>, 16>;

fn helper(i: u32) -> f32 { return z[i] * p.scale; }
fn shadow(y: u32) -> u32 { let z = y + 1u; return z; }

@compute @workgroup_size(64)
fn first(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x >= p.n) { return; }
  y[id.x] = x[id.x] + helper(id.x) + f32(shadow(id.x));
}

@compute @workgroup_size(64)
fn second(@builtin(global_invocation_id) id: vec3<u32>) {
  let v = x4[id.x];
  y[id.x] = v.x + window[0].x + f32(q.k);
}

@compute @workgroup_size(1)
fn bare() {}
`;

t('struct layout: scalars packed, vec2 / vec3 / vec4 arrays aligned, size rounded to 16', () => {
  const m = reflectModule('test', src);
  const p = m.entries.get('first')!.params!;
  assert.is(p.struct, 'Params');
  const at = Object.fromEntries(p.fields.map((f) => [f.name, [f.kind, f.offset, f.count]]));
  assert.equal(at.n, ['u32', 0, 1]);
  assert.equal(at.shift, ['i32', 1, 1]);
  assert.equal(at.scale, ['f32', 2, 1]);
  assert.equal(at.shape, ['u32', 4, 8], 'array<vec4<u32>, 2>: aligned to 16 bytes, 8 words');
  assert.equal(at.v, ['f32', 12, 2], 'vec2: 8-byte alignment');
  assert.equal(at.w, ['u32', 16, 3], 'vec3: 16-byte alignment');
  assert.equal(at.last, ['u32', 19, 1], 'a scalar fills the vec3 tail');
  assert.is(p.bytes, 80);
});

t('an array of scalars in a uniform struct takes a 16-byte slot per element', () => {
  const m = reflectModule('test', 'struct Params { a: array<u32, 3>, b: u32 }\n@group(0) @binding(0) var<uniform> p: Params;\n@compute @workgroup_size(1) fn e() { _ = p.b; }');
  const [a, b] = m.entries.get('e')!.params!.fields;
  assert.equal([a.offset, a.count, a.stride], [0, 3, 4]);
  assert.is(b.offset, 12);
});

t('an entry uses what it and the functions it calls name; locals and parameters shadow; views share a name', () => {
  const m = reflectModule('test', src);
  const first = m.entries.get('first')!, second = m.entries.get('second')!;
  assert.equal(first.bindings.map((b) => [b.binding, b.name]), [[1, 'x'], [2, 'y'], [3, 'z']], 'z through helper; shadow() uses no global');
  assert.equal(second.bindings.map((b) => [b.binding, b.name, b.uniform]), [[1, 'x', false], [2, 'y', false], [4, 'window', true]], 'x4 is bound as x');
  assert.is(second.params?.struct, 'Other', 'each entry reads its own binding-0 struct');
  assert.is(m.entries.get('bare')!.params, undefined);
  assert.equal(m.entries.get('bare')!.bindings, []);
  assert.equal([...m.names].sort(), ['window', 'x', 'y', 'z']);
  assert.equal(m.errors, []);
});

t('two names on one binding (other than a vec4 view) is reported, naming the file and binding', () => {
  const m = reflectModule('bad.wgsl', '@group(0) @binding(1) var<storage, read> a: array<f32>;\n@group(0) @binding(1) var<storage, read> b: array<f32>;\n@compute @workgroup_size(1) fn e() { _ = a[0]; }');
  assert.is(m.errors.length, 1);
  assert.match(m.errors[0], /bad\.wgsl: binding 1 has the names a, b/);
});

t('unsupported uniform field types and groups other than 0 are errors naming the file', () => {
  assert.throws(() => reflectModule('m.wgsl', 'struct Params { a: mat4x4<f32> }\n@group(0) @binding(0) var<uniform> p: Params;\n@compute @workgroup_size(1) fn e() { _ = p.a; }').entries,
    /m\.wgsl: unsupported uniform field type 'mat4x4<f32>'/);
  assert.throws(() => reflectModule('g.wgsl', '@group(1) @binding(0) var<storage, read> a: array<f32>;'), /g\.wgsl: binding a is in group 1/);
});

t('comments are not code', () => {
  assert.is(stripComments('a // b\n/* c\nd */ e').replace(/\s+/g, ' ').trim(), 'a e');
});

t.run();
