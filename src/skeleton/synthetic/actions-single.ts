/**
 * One-person actions as joint-angle trajectories. Each is chosen to differ from the others in
 * how it moves (which limbs, which direction, how often), not only in a held pose, so a model
 * that sees motion can tell them apart whatever the camera.
 */
import { type Action, ramp, bump, hold, envelope, activePhase, osc, reps, repFrac, guard } from './motion.js';

export const SINGLE_ACTIONS: Action[] = [
  {
    name: 'wave hand', persons: 1, frames: [60, 90], cycles: [2.5, 4],
    pose(p, s, a) { // right arm up and to the side, forearm swinging in the frontal plane
      const e = hold(s, 0, 0.2, 0.8, 1);
      p.rShAbd += e * a.amp * (130 + 10 * a.v[0]); p.rShFlex += e * 15; p.rShTwist += e * 80;
      p.rElbow += e * (35 + 25 * a.amp * osc(s, a));
    },
  },
  {
    name: 'punch', persons: 1, frames: [55, 85], cycles: [3, 5],
    pose(p, s, a) { // alternating straight punches from a guard
      const e = envelope(s);
      guard(p, e);
      const k = a.cycles * activePhase(s), i = Math.floor(k), f = k - i;
      const hit = e * bump(f, 0, 1) ** 2 * a.amp;
      if (i % 2 === 0) { p.rShFlex += 50 * hit; p.rElbow -= 105 * hit; p.spineYaw += 15 * hit; }
      else { p.lShFlex += 50 * hit; p.lElbow -= 105 * hit; p.spineYaw -= 15 * hit; }
    },
  },
  {
    name: 'kick forward', persons: 1, frames: [45, 75],
    pose(p, s, a) { // chamber the knee, snap the right leg forward, return
      const t = bump(s, 0.2, 0.8) * a.amp;
      p.rHipFlex += 80 * t;
      p.rKnee += 90 * bump(s, 0.15, 0.5) + 70 * bump(s, 0.55, 0.85);
      guard(p, 0.6 * envelope(s));
      p.trunkPitch -= 10 * t;
    },
  },
  {
    name: 'squat', persons: 1, frames: [70, 110], cycles: [2, 3],
    pose(p, s, a) { // repeated deep knee bends, arms forward for balance
      const u = reps(s, a) * envelope(s) * a.amp;
      p.lHipFlex += 95 * u; p.rHipFlex += 95 * u; p.lKnee += 115 * u; p.rKnee += 115 * u;
      p.trunkPitch += 25 * u; p.lShFlex += 80 * u; p.rShFlex += 80 * u;
    },
  },
  {
    name: 'jump', persons: 1, frames: [60, 95], cycles: [2, 3],
    pose(p, s, a) { // crouch, take off with arms swinging up, land
      const e = envelope(s), f = repFrac(s, a);
      const crouch = e * (bump(f, 0, 0.45) + bump(f, 0.8, 1.2) + bump(f + 1, 0.8, 1.2));
      const air = e * bump(f, 0.4, 0.85);
      p.lHipFlex += 55 * crouch; p.rHipFlex += 55 * crouch; p.lKnee += 70 * crouch; p.rKnee += 70 * crouch;
      p.trunkPitch += 20 * crouch;
      p.lShFlex += -35 * crouch + 120 * air * a.amp; p.rShFlex += -35 * crouch + 120 * air * a.amp;
      p.lift += 0.28 * a.amp * air; p.lAnkle -= 30 * air; p.rAnkle -= 30 * air;
    },
  },
  {
    name: 'bow', persons: 1, frames: [50, 80],
    pose(p, s, a) { // bend forward at the hips, hold, come back
      const t = hold(s, 0.1, 0.4, 0.6, 0.9) * a.amp;
      p.trunkPitch += (60 + 10 * a.v[0]) * t; p.neckPitch += 15 * t;
      p.lShFlex += 10 * t; p.rShFlex += 10 * t;
    },
  },
  {
    name: 'arm circles', persons: 1, frames: [70, 110], cycles: [3, 4],
    pose(p, s, a) { // both arms out to the sides drawing circles
      const e = envelope(s);
      const c = osc(s, a), d = osc(s, a, 0.25);
      p.lShAbd += e * (80 + 25 * a.amp * c); p.rShAbd += e * (80 + 25 * a.amp * c);
      p.lShHoriz += e * 25 * a.amp * d; p.rShHoriz += e * 25 * a.amp * d;
      p.lElbow -= 8 * e; p.rElbow -= 8 * e;
    },
  },
  {
    name: 'clap', persons: 1, frames: [55, 85], cycles: [4, 6],
    pose(p, s, a) { // hands meet in front of the chest and part again
      const e = envelope(s), c = e * reps(s, a);
      p.lShAbd += 65 * e; p.rShAbd += 65 * e;
      p.lShHoriz += e * 40 + 45 * c * a.amp; p.rShHoriz += e * 40 + 45 * c * a.amp;
      p.lElbow += 30 * e + 25 * c; p.rElbow += 30 * e + 25 * c;
    },
  },
  {
    name: 'side step', persons: 1, frames: [70, 110], cycles: [1.5, 2.5],
    pose(p, s, a) { // step left and right, legs opening to the side
      const e = envelope(s), x = osc(s, a) * e, dx = osc(s, a, 0.25) * e;
      p.rootX += 0.35 * a.amp * x;
      p.lHipAbd += 16 * Math.max(0, dx); p.rHipAbd += 16 * Math.max(0, -dx);
      p.lShAbd += 10 * e; p.rShAbd += 10 * e;
    },
  },
  {
    name: 'turn around', persons: 1, frames: [60, 100],
    pose(p, s, a) { // turn on the spot by about half a circle, stepping
      const r = ramp(s, 0.15, 0.85);
      p.rootYaw += (170 + 20 * a.v[0]) * r;
      const step = Math.sin(2 * Math.PI * 3 * r) * bump(s, 0.1, 0.9);
      p.lHipFlex += 25 * Math.max(0, step); p.lKnee += 40 * Math.max(0, step);
      p.rHipFlex += 25 * Math.max(0, -step); p.rKnee += 40 * Math.max(0, -step);
      p.spineYaw += 20 * bump(s, 0.1, 0.6);
    },
  },
  {
    name: 'reach up', persons: 1, frames: [60, 95], cycles: [1, 2],
    pose(p, s, a) { // both arms overhead, up on the toes, look up
      const u = reps(s, a) * a.amp;
      p.lShFlex += 165 * u; p.rShFlex += 165 * u; p.lElbow -= 8 * u; p.rElbow -= 8 * u;
      p.lAnkle -= 30 * u; p.rAnkle -= 30 * u; p.neckPitch -= 20 * u;
    },
  },
  {
    name: 'pick up', persons: 1, frames: [60, 100],
    pose(p, s, a) { // bend down, right hand to the floor, straighten up
      const t = hold(s, 0.1, 0.45, 0.55, 0.9) * a.amp;
      p.trunkPitch += 70 * t; p.lKnee += 45 * t; p.rKnee += 45 * t; p.lHipFlex += 25 * t; p.rHipFlex += 25 * t;
      p.rShFlex += 70 * t; p.rElbow -= 5 * t; p.lShFlex += 35 * t; p.lElbow += 30 * t;
    },
  },
  {
    name: 'throw', persons: 1, frames: [50, 80],
    pose(p, s, a) { // overarm throw with the right arm: wind up, release, follow through
      const w = bump(s, 0.1, 0.55), r = bump(s, 0.45, 0.85) * a.amp;
      p.rShAbd += 95 * w; p.rShTwist -= 70 * w; p.rElbow += 90 * w; p.spineYaw -= 30 * w;
      p.lShFlex += 60 * (w + r);
      p.rShFlex += 130 * r; p.rElbow += 20 * r; p.spineYaw += 35 * r; p.trunkPitch += 25 * r;
      p.lHipFlex += 20 * r;
    },
  },
  {
    name: 'drink', persons: 1, frames: [60, 100],
    pose(p, s, a) { // cup to the mouth, head tilts back while drinking
      const t = hold(s, 0.1, 0.35, 0.65, 0.9);
      p.rShFlex += 45 * t; p.rShAbd += 10 * t; p.rShHoriz += 25 * t; p.rElbow += 125 * t * a.amp;
      p.neckPitch -= 20 * bump(s, 0.3, 0.7); p.rWrist += 20 * t;
    },
  },
  {
    name: 'phone call', persons: 1, frames: [70, 110],
    pose(p, s, a) { // phone to the right ear, talk with small head movements
      const t = hold(s, 0.05, 0.25, 0.85, 1);
      p.rShAbd += 50 * t * a.amp; p.rShFlex += 20 * t; p.rShTwist += 40 * t; p.rElbow += 140 * t;
      p.neckRoll -= 12 * t; p.neckYaw += 8 * Math.sin(2 * Math.PI * 2.5 * s) * t;
      p.lShFlex += 15 * t; p.lElbow += 70 * t; // the other arm folds in front
    },
  },
  {
    name: 'walk in place', persons: 1, frames: [60, 100], cycles: [2, 3.5],
    pose(p, s, a) { // knees lift alternately, arms swing opposite
      const e = envelope(s), c = osc(s, a) * e * a.amp;
      p.lHipFlex += 45 * Math.max(0, c); p.lKnee += 70 * Math.max(0, c);
      p.rHipFlex += 45 * Math.max(0, -c); p.rKnee += 70 * Math.max(0, -c);
      p.lShFlex -= 25 * c; p.rShFlex += 25 * c; p.lElbow += 20 * e; p.rElbow += 20 * e;
    },
  },
  {
    name: 'sit down', persons: 1, frames: [50, 85],
    pose(p, s, a) { // lower onto a chair, leaning forward on the way, then rest the hands
      const r = ramp(s, 0.15, 0.7), lean = bump(s, 0.15, 0.8);
      p.lHipFlex += 90 * r; p.rHipFlex += 90 * r; p.lKnee += 95 * r; p.rKnee += 95 * r;
      p.trunkPitch += 35 * lean * a.amp; p.lShFlex += 40 * lean + 20 * r; p.rShFlex += 40 * lean + 20 * r;
      p.lElbow += 50 * r; p.rElbow += 50 * r;
    },
  },
  {
    name: 'stand up', persons: 1, frames: [50, 85],
    pose(p, s, a) { // the reverse: from sitting, lean forward and rise
      const r = 1 - ramp(s, 0.3, 0.85), lean = bump(s, 0.2, 0.85);
      p.lHipFlex += 90 * r; p.rHipFlex += 90 * r; p.lKnee += 95 * r; p.rKnee += 95 * r;
      p.trunkPitch += 35 * lean * a.amp; p.lShFlex += 40 * lean + 20 * r; p.rShFlex += 40 * lean + 20 * r;
      p.lElbow += 50 * r; p.rElbow += 50 * r;
    },
  },
  {
    name: 'nod', persons: 1, frames: [45, 75], cycles: [3, 5],
    pose(p, s, a) { // repeated nods, the rest of the body still
      p.neckPitch += 28 * a.amp * reps(s, a) * envelope(s);
      p.spinePitch += 4 * envelope(s);
    },
  },
  {
    name: 'side stretch', persons: 1, frames: [75, 115], cycles: [1, 2],
    pose(p, s, a) { // arms overhead, bending the trunk to one side then the other
      const e = envelope(s);
      p.lShFlex += 160 * e; p.rShFlex += 160 * e;
      p.spineRoll += 35 * a.amp * osc(s, a) * e; p.trunkRoll += 8 * osc(s, a) * e;
    },
  },
  {
    name: 'crouch', persons: 1, frames: [60, 100],
    pose(p, s, a) { // go down low, hold with hands on the knees, come back up
      const t = hold(s, 0.1, 0.35, 0.7, 0.9) * a.amp;
      p.lHipFlex += 115 * t; p.rHipFlex += 115 * t; p.lKnee += 135 * t; p.rKnee += 135 * t;
      p.trunkPitch += 40 * t; p.lShFlex += 55 * t; p.rShFlex += 55 * t; p.lElbow += 15 * t; p.rElbow += 15 * t;
    },
  },
  {
    name: 'jumping jacks', persons: 1, frames: [60, 100], cycles: [2, 4],
    pose(p, s, a) { // arms and legs open and close with small hops
      const e = envelope(s), o = reps(s, a) * e;
      p.lShAbd += 140 * o * a.amp; p.rShAbd += 140 * o * a.amp;
      p.lHipAbd += 15 * o; p.rHipAbd += 15 * o;
      p.lift += 0.07 * Math.abs(osc(s, a)) * e;
    },
  },
];
