/**
 * The kinematic skeleton behind the synthetic data: a tree of rigid bones rooted at the pelvis
 * (NTU joint 1, SpineBase), joint angles per bone, and forward kinematics producing the 25
 * NTU / Kinect v2 joints. Body frame: metres, y up, x the person's left, z the way they face;
 * the feet are put on the floor (y = 0) after posing, so bending the knees lowers the pelvis.
 */
import { quat, identity, rotateLocal, placeChild, type Quat } from './rotation.js';

export const NUM_JOINTS = 25;

// 0-based NTU joint indices, named for readability of the kinematics below.
export const J = {
  spineBase: 0, spineMid: 1, neck: 2, head: 3,
  shoulderL: 4, elbowL: 5, wristL: 6, handL: 7, shoulderR: 8, elbowR: 9, wristR: 10, handR: 11,
  hipL: 12, kneeL: 13, ankleL: 14, footL: 15, hipR: 16, kneeR: 17, ankleR: 18, footR: 19,
  spineShoulder: 20, handTipL: 21, thumbL: 22, handTipR: 23, thumbR: 24,
} as const;

/** Bone lengths of one person (metres). */
export interface BodyShape {
  spineLower: number; spineUpper: number; neck: number; head: number;
  shoulderHalfWidth: number; upperArm: number; forearm: number; hand: number; handTip: number;
  hipHalfWidth: number; hipDrop: number; thigh: number; shin: number; footLength: number; ankleHeight: number;
}

/** An average adult of about 1.72 m; subjects scale and perturb it. */
export const AVERAGE_SHAPE: Readonly<BodyShape> = {
  spineLower: 0.22, spineUpper: 0.25, neck: 0.08, head: 0.14,
  shoulderHalfWidth: 0.17, upperArm: 0.28, forearm: 0.25, hand: 0.07, handTip: 0.07,
  hipHalfWidth: 0.09, hipDrop: 0.06, thigh: 0.43, shin: 0.41, footLength: 0.13, ankleHeight: 0.07,
};

/**
 * Joint angles (degrees) and root motion (metres) for one frame of one person. Signs are chosen
 * to read naturally: positive flexion raises a limb forwards, positive abduction moves it away
 * from the body's midline, positive knee/elbow bends the joint the way it bends.
 */
export class Pose {
  rootYaw = 0; trunkPitch = 0; trunkRoll = 0;     // whole upper body about the hips (bow, lean)
  rootX = 0; rootZ = 0; lift = 0;                 // translation in the person's own frame; lift off the floor
  spinePitch = 0; spineRoll = 0; spineYaw = 0;    // spread over the two spine joints
  neckPitch = 0; neckYaw = 0; neckRoll = 0;
  lShFlex = 0; lShAbd = 0; lShHoriz = 0; lShTwist = 0; lElbow = 0; lWrist = 0;
  rShFlex = 0; rShAbd = 0; rShHoriz = 0; rShTwist = 0; rElbow = 0; rWrist = 0;
  lHipFlex = 0; lHipAbd = 0; lKnee = 0; lAnkle = 0;
  rHipFlex = 0; rHipAbd = 0; rKnee = 0; rAnkle = 0;
  /** When false the feet are not grounded (the pose says where the pelvis is via lift). */
  grounded = true;

  /** Relaxed standing: arms slightly away from the body, elbows and knees a little soft. */
  rest(): this {
    for (const k of Object.keys(this) as (keyof Pose)[]) if (typeof this[k] === 'number') (this as unknown as Record<string, number>)[k] = 0;
    this.grounded = true;
    this.lShAbd = 8; this.rShAbd = 8; this.lElbow = 10; this.rElbow = 10; this.lKnee = 3; this.rKnee = 3;
    return this;
  }

  /** Swap left and right (a left-handed performance of the same action). */
  mirror(): this {
    const swap = (a: keyof Pose, b: keyof Pose): void => {
      const r = this as unknown as Record<string, number>; const t = r[a]; r[a] = r[b]; r[b] = t;
    };
    swap('lShFlex', 'rShFlex'); swap('lShAbd', 'rShAbd'); swap('lShHoriz', 'rShHoriz'); swap('lShTwist', 'rShTwist');
    swap('lElbow', 'rElbow'); swap('lWrist', 'rWrist');
    swap('lHipFlex', 'rHipFlex'); swap('lHipAbd', 'rHipAbd'); swap('lKnee', 'rKnee'); swap('lAnkle', 'rAnkle');
    this.rootYaw = -this.rootYaw; this.trunkRoll = -this.trunkRoll; this.rootX = -this.rootX;
    this.spineRoll = -this.spineRoll; this.spineYaw = -this.spineYaw; this.neckYaw = -this.neckYaw; this.neckRoll = -this.neckRoll;
    return this;
  }
}

/** Scratch state for forward kinematics, reused across frames so posing allocates nothing. */
export class Kinematics {
  private readonly root: Quat = quat();
  private readonly spine: Quat = quat();
  private readonly chest: Quat = quat();
  private readonly q1: Quat = quat();
  private readonly q2: Quat = quat();
  private readonly q3: Quat = quat();
  private readonly face: Quat = quat();
  private readonly origin = new Float64Array(3);

  /**
   * Writes the 25 joints (x, y, z interleaved, 75 numbers) of `pose` for a person standing at
   * (x0, z0) on the floor and facing `facingDeg` about the vertical (0 = +z).
   */
  pose(out: Float64Array, s: BodyShape, p: Pose, x0: number, z0: number, facingDeg: number): void {
    const { root, spine, chest, q1, q2, q3 } = this;
    // Root: facing and whole-body yaw, then the trunk's pitch/roll about the hips.
    identity(root);
    rotateLocal(root, 1, facingDeg + p.rootYaw);
    const face = this.face;
    face.set(root);
    rotateLocal(root, 0, p.trunkPitch);
    rotateLocal(root, 2, p.trunkRoll);
    // Root translation is in the person's facing frame (a side step is sideways for them).
    const o = J.spineBase * 3;
    const origin = this.origin; origin[0] = x0; origin[1] = 0; origin[2] = z0;
    placeChild(out, o, origin, 0, face, p.rootX, 0, p.rootZ);

    // Spine: the bend is shared by the two spine joints, as a real spine curves.
    spine.set(root);
    rotateLocal(spine, 1, p.spineYaw * 0.5); rotateLocal(spine, 0, p.spinePitch * 0.5); rotateLocal(spine, 2, p.spineRoll * 0.5);
    placeChild(out, J.spineMid * 3, out, o, root, 0, s.spineLower, 0);
    chest.set(spine);
    rotateLocal(chest, 1, p.spineYaw * 0.5); rotateLocal(chest, 0, p.spinePitch * 0.5); rotateLocal(chest, 2, p.spineRoll * 0.5);
    placeChild(out, J.spineShoulder * 3, out, J.spineMid * 3, spine, 0, s.spineUpper, 0);
    placeChild(out, J.neck * 3, out, J.spineShoulder * 3, chest, 0, s.neck, 0);
    q1.set(chest);
    rotateLocal(q1, 1, p.neckYaw); rotateLocal(q1, 0, p.neckPitch); rotateLocal(q1, 2, p.neckRoll);
    placeChild(out, J.head * 3, out, J.neck * 3, q1, 0, s.head, 0);

    // Arms: side +1 is the left (x > 0), −1 the right; the angles are mirrored accordingly.
    this.arm(out, s, chest, +1, p.lShFlex, p.lShAbd, p.lShHoriz, p.lShTwist, p.lElbow, p.lWrist,
      J.shoulderL, J.elbowL, J.wristL, J.handL, J.handTipL, J.thumbL, q1, q2, q3);
    this.arm(out, s, chest, -1, p.rShFlex, p.rShAbd, p.rShHoriz, p.rShTwist, p.rElbow, p.rWrist,
      J.shoulderR, J.elbowR, J.wristR, J.handR, J.handTipR, J.thumbR, q1, q2, q3);

    // Legs hang from the root but do not follow the trunk's pitch/roll (bowing bends at the hips).
    this.leg(out, s, root, +1, p.lHipFlex + p.trunkPitch, p.lHipAbd - p.trunkRoll, p.lKnee, p.lAnkle,
      J.hipL, J.kneeL, J.ankleL, J.footL, q1, q2);
    this.leg(out, s, root, -1, p.rHipFlex + p.trunkPitch, p.rHipAbd + p.trunkRoll, p.rKnee, p.rAnkle,
      J.hipR, J.kneeR, J.ankleR, J.footR, q1, q2);

    // Floor contact: the lowest foot point touches y = 0, then any lift (jumps).
    let dy = p.lift;
    if (p.grounded) {
      const lowest = Math.min(out[J.footL * 3 + 1], out[J.footR * 3 + 1],
        out[J.ankleL * 3 + 1] - s.ankleHeight, out[J.ankleR * 3 + 1] - s.ankleHeight);
      dy -= lowest;
    }
    for (let j = 0; j < NUM_JOINTS; j++) out[j * 3 + 1] += dy;
  }

  private arm(out: Float64Array, s: BodyShape, chest: Quat, side: 1 | -1,
    flex: number, abd: number, horiz: number, twist: number, elbow: number, wrist: number,
    sh: number, el: number, wr: number, ha: number, tip: number, th: number, q1: Quat, q2: Quat, q3: Quat): void {
    placeChild(out, sh * 3, out, J.spineShoulder * 3, chest, side * s.shoulderHalfWidth, -0.03, 0);
    // Horizontal swing outermost so it moves an abducted arm to the front; twist innermost sets
    // the plane the elbow bends in.
    q1.set(chest);
    rotateLocal(q1, 1, -side * horiz); rotateLocal(q1, 0, -flex); rotateLocal(q1, 2, side * abd); rotateLocal(q1, 1, side * twist);
    placeChild(out, el * 3, out, sh * 3, q1, 0, -s.upperArm, 0);
    q2.set(q1); rotateLocal(q2, 0, -elbow);
    placeChild(out, wr * 3, out, el * 3, q2, 0, -s.forearm, 0);
    q3.set(q2); rotateLocal(q3, 0, -wrist);
    placeChild(out, ha * 3, out, wr * 3, q3, 0, -s.hand, 0);
    placeChild(out, tip * 3, out, ha * 3, q3, 0, -s.handTip, 0);
    placeChild(out, th * 3, out, ha * 3, q3, -side * 0.025, -0.02, 0.035);
  }

  private leg(out: Float64Array, s: BodyShape, root: Quat, side: 1 | -1, flex: number, abd: number, knee: number, ankle: number,
    hip: number, kn: number, an: number, ft: number, q1: Quat, q2: Quat): void {
    placeChild(out, hip * 3, out, J.spineBase * 3, root, side * s.hipHalfWidth, -s.hipDrop, 0);
    q1.set(root);
    rotateLocal(q1, 0, -flex); rotateLocal(q1, 2, side * abd);
    placeChild(out, kn * 3, out, hip * 3, q1, 0, -s.thigh, 0);
    q2.set(q1); rotateLocal(q2, 0, knee);
    placeChild(out, an * 3, out, kn * 3, q2, 0, -s.shin, 0);
    rotateLocal(q2, 0, -ankle);
    placeChild(out, ft * 3, out, an * 3, q2, 0, -s.ankleHeight, s.footLength);
  }
}
