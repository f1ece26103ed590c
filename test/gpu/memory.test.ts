import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { labelFromStack, formatMemoryReport, type PeakInfo } from '../../src/gpu/memory.js';

const t = suite('gpu/memory');

t('a label names the first frame outside the tensor and GPU plumbing, relative to the build', () => {
  const e = new Error('x');
  e.stack = ['Error: x',
    '    at BufferPool.acquire (file:///w/dist/src/gpu/pool.js:80:20)',
    '    at Tensor.empty (file:///w/dist/src/tensor/tensor.js:75:35)',
    '    at batchNorm (file:///w/dist/src/ops/batchnorm.js:81:21)',
    '    at BatchNorm.forward (file:///w/dist/src/nn/layers.js:40:16)'].join('\n');
  assert.is(labelFromStack(e), 'batchNorm (src/ops/batchnorm.ts:81)');
  e.stack = 'Error: x\n    at file:///w/dist/src/i2md/step.js:10:5';
  assert.is(labelFromStack(e), '<anonymous> (src/i2md/step.ts:10)');
});

t('the report gives the totals, the size classes, the live bytes by label and the largest tensors', () => {
  const MiB = 2 ** 20;
  const peak: PeakInfo = {
    liveBytes: 10 * MiB, cachedBytes: 2 * MiB, wastedBytes: MiB, buffers: 3,
    byClass: [{ size: 4 * MiB, live: 2, liveBytes: 8 * MiB, cached: 0, cachedBytes: 0, wastedBytes: MiB }, { size: 2 * MiB, live: 1, liveBytes: 2 * MiB, cached: 1, cachedBytes: 2 * MiB, wastedBytes: 0 }],
    byLabel: [{ label: 'conv', count: 2, bytes: 8 * MiB }],
    largest: [{ bytes: 3 * MiB, size: 4 * MiB, label: 'conv' }],
  };
  const text = formatMemoryReport(peak, { peakTotalBytes: 12 * MiB, maxRssBytes: 100 * MiB });
  assert.match(text, 'live 10.0 MiB in 3 buffers, cached 2.0 MiB, wasted by size classes 1.0 MiB (10.0 % of live)');
  assert.match(text, 'pool footprint (live + cached) at most 12.0 MiB');
  assert.match(text, 'process peak resident set 100.0 MiB');
  assert.match(text, /4,194,304 +2 +8\.0 +0 +0\.0 +1\.0/);
  assert.match(text, /8\.0 MiB +2 × +conv/);
  assert.match(text, /largest tensors alive at the peak:\n +3\.0 MiB +conv/);
});

t.run();
