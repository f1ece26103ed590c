import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { stepSchedule, cosineSchedule } from '../../src/optim/schedule.js';

const t = suite('optim/schedule');
const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

t('step: × 0.1 at each milestone (the milestone epoch itself already decayed)', () => {
  const s = stepSchedule(0.1, [350, 250]);
  near(s(0), 0.1, 'epoch 0'); near(s(249), 0.1, 'epoch 249');
  near(s(250), 0.01, 'epoch 250'); near(s(349.5), 0.01, 'epoch 349.5');
  near(s(350), 0.001, 'epoch 350'); near(s(400), 0.001, 'epoch 400');
  near(stepSchedule(1, [2], 0.5)(3), 0.5, 'gamma');
});

t('cosine without warm-up: hand-computed points', () => {
  const s = cosineSchedule(0.2, 100);
  near(s(0), 0.2, 'start'); near(s(50), 0.1, 'half way'); near(s(25), 0.1 * (1 + Math.SQRT1_2), 'quarter');
  near(s(100), 0, 'end'); near(s(120), 0, 'past the end');
  near(cosineSchedule(0.2, 100, { minLr: 0.02 })(50), 0.11, 'with a floor');
});

t('cosine with linear warm-up', () => {
  const s = cosineSchedule(0.4, 110, { warmupEpochs: 10 });
  near(s(0), 0.04, 'first warm-up epoch'); near(s(4), 0.2, 'epoch 4'); near(s(9), 0.4, 'last warm-up epoch');
  near(s(10), 0.4, 'cosine start'); near(s(60), 0.2, 'cosine half way'); near(s(110), 0, 'end');
  assert.throws(() => cosineSchedule(0.1, 5, { warmupEpochs: 5 }), /must exceed/);
});

t.run();
