import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { initEngine } from '../../src/tensor/index.js';
import { pipelineKey, kernelFiles, kernelInterface, defineKernel } from '../../src/gpu/kernels.js';
import type { Gpu } from '../../src/gpu/device.js';

const t = suite('gpu/kernels');
let g: Gpu;
t.before(async () => { g = await initEngine(); });

t('pipeline cache: the second request of a kernel is a hit', () => {
  const k1 = g.kernel('binary');
  const hits = g.pipelines.hits;
  const k2 = g.kernel('binary');
  assert.is(k1, k2);
  assert.is(g.pipelines.hits, hits + 1);
  const k3 = g.kernel('binary', 'main', { WG: 64 });
  assert.is.not(k3, k1, 'overrides make another pipeline');
  assert.is(g.kernel('binary', 'same4', { WG: 64, RV: 2 }), g.kernel('binary', 'same4', { RV: 2, WG: 64 }), 'override order does not matter');
  assert.is(pipelineKey('binary', 'same4', { WG: 64, RV: 2 }), 'binary:same4{RV=2,WG=64}');
  assert.is(pipelineKey('binary', 'main', {}), 'binary:main');
});

t('every kernel file follows the binding rules (one name per binding, a vec4 view adds 4) and every entry reflects', () => {
  const files = kernelFiles();
  assert.ok(files.length > 20, `${files.length} kernel files`);
  for (const f of files) {
    const m = kernelInterface(f);
    assert.equal(m.errors, [], f);
    assert.ok(m.entries.size > 0, `${f}: no entry point found`);
  }
});

t('a kernel made at run time loads by its name; a name keeps its first text', () => {
  const text = (c: number) => `// #include "lib/flat_id.wgsl"
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() { out[0] = ${c}.0; }`;
  defineKernel('test/generated#1', text(1));
  defineKernel('test/generated#1', text(1));
  assert.throws(() => defineKernel('test/generated#1', text(2)), /already defined/);
  const k = g.kernel('test/generated#1');
  assert.equal(k.iface.bindings.map((b) => b.name), ['out']);
  assert.ok(kernelInterface('test/generated#1').errors.length === 0);
});

t.run();
