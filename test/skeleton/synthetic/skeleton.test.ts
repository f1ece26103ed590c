import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Kinematics, Pose, AVERAGE_SHAPE, J } from '../../../src/skeleton/synthetic/skeleton.js';

const t = suite('skeleton/synthetic/skeleton');

t('forward kinematics: rest pose proportions and limb directions', () => {
  const k = new Kinematics(), out = new Float64Array(75), p = new Pose().rest();
  p.lShAbd = 0; p.rShAbd = 0; p.lElbow = 0; p.rElbow = 0; p.lKnee = 0; p.rKnee = 0;
  k.pose(out, AVERAGE_SHAPE, p, 0, 0, 0);
  const y = (j: number): number => out[j * 3 + 1], x = (j: number): number => out[j * 3], z = (j: number): number => out[j * 3 + 2];
  assert.ok(Math.abs(Math.min(y(J.footL), y(J.footR))) < 1e-9, 'feet on the floor');
  assert.ok(y(J.head) > 1.5 && y(J.head) < 1.8, `head height ${y(J.head)}`);
  assert.ok(x(J.shoulderL) > 0 && x(J.shoulderR) < 0, 'left is +x');
  assert.ok(Math.abs(x(J.handL) - x(J.shoulderL)) < 1e-9 && y(J.handL) < y(J.elbowL), 'arm hangs straight down');
  // arm raised forward 90°: hand in front (+z) at shoulder height
  p.rShFlex = 90; k.pose(out, AVERAGE_SHAPE, p, 0, 0, 0);
  assert.ok(z(J.handR) > 0.5 && Math.abs(y(J.handR) - y(J.shoulderR)) < 1e-6);
  // abducted 90°: hand out to the right (−x)
  p.rShFlex = 0; p.rShAbd = 90; k.pose(out, AVERAGE_SHAPE, p, 0, 0, 0);
  assert.ok(x(J.handR) < x(J.shoulderR) - 0.5 && Math.abs(z(J.handR)) < 1e-6);
  // knees bent with hips flexed lower the pelvis (feet stay grounded)
  const standing = out[J.spineBase * 3 + 1];
  p.lHipFlex = p.rHipFlex = 90; p.lKnee = p.rKnee = 90; k.pose(out, AVERAGE_SHAPE, p, 0, 0, 0);
  assert.ok(out[J.spineBase * 3 + 1] < standing - 0.3, 'sitting lowers the pelvis');
  // facing 90° turns the body's forward (+z) to +x
  p.lHipFlex = p.rHipFlex = 0; p.lKnee = p.rKnee = 0; p.rShAbd = 0; p.rShFlex = 90;
  k.pose(out, AVERAGE_SHAPE, p, 0, 0, 90);
  assert.ok(x(J.handR) > 0.5);
});

t.run();
