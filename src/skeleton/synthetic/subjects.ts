/**
 * Synthetic subjects: each has a body (height, limb proportions) and a movement style
 * (amplitude, tempo, habitual posture) that stays the same across all their samples — the
 * reason cross-subject evaluation is harder than a random split.
 */
import { Random } from './random.js';
import { AVERAGE_SHAPE, type BodyShape, type Pose } from './skeleton.js';

export interface Style {
  amplitude: number;    // scales the size of every movement
  tempo: number;        // scales durations (> 1 is slower)
  lean: number;         // habitual forward lean of the trunk (deg)
  headTilt: number;     // habitual head pitch (deg)
  headTurn: number;     // habitual head yaw (deg)
  armCarry: number;     // arms held away from the body (deg abduction)
  elbowBend: number;    // resting elbow bend (deg)
  stance: number;       // feet apart (deg hip abduction)
  facing: number;       // tends to stand a little turned (deg)
}

export interface Subject { id: number; shape: BodyShape; style: Style }

export function makeSubject(seed: number, id: number): Subject {
  const r = Random.derive(seed, 0x5b1ec7, id);
  const height = r.clippedNormal(1, 0.065);           // ±2.5σ ≈ 1.45–2.0 m
  const arms = height * r.clippedNormal(1, 0.05);
  const legs = height * r.clippedNormal(1, 0.05);
  const trunk = height * r.clippedNormal(1, 0.04);
  const width = height * r.clippedNormal(1, 0.08);
  const b = AVERAGE_SHAPE;
  const shape: BodyShape = {
    spineLower: b.spineLower * trunk, spineUpper: b.spineUpper * trunk, neck: b.neck * trunk, head: b.head * height,
    shoulderHalfWidth: b.shoulderHalfWidth * width, upperArm: b.upperArm * arms, forearm: b.forearm * arms,
    hand: b.hand * arms, handTip: b.handTip * arms,
    hipHalfWidth: b.hipHalfWidth * width, hipDrop: b.hipDrop * trunk, thigh: b.thigh * legs, shin: b.shin * legs,
    footLength: b.footLength * legs, ankleHeight: b.ankleHeight * legs,
  };
  const style: Style = {
    amplitude: r.clippedNormal(1, 0.1),
    tempo: r.clippedNormal(1, 0.12),
    lean: r.clippedNormal(2, 4),
    headTilt: r.clippedNormal(0, 5),
    headTurn: r.clippedNormal(0, 4),
    armCarry: r.clippedNormal(0, 4),
    elbowBend: r.clippedNormal(0, 6),
    stance: r.clippedNormal(2, 2),
    facing: r.clippedNormal(0, 6),
  };
  return { id, shape, style };
}

/** Adds the subject's habitual posture on top of an action's pose. */
export function applyPosture(p: Pose, st: Style): void {
  p.spinePitch += st.lean; p.neckPitch += st.headTilt; p.neckYaw += st.headTurn;
  p.lShAbd += st.armCarry; p.rShAbd += st.armCarry;
  p.lElbow += st.elbowBend; p.rElbow += st.elbowBend;
  p.lHipAbd += st.stance; p.rHipAbd += st.stance;
}
