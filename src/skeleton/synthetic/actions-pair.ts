/**
 * Two-person interactions (M = 2). Person 0 acts, person 1 responds; they stand `gap` metres
 * apart facing each other, and rootZ > 0 walks a person towards the other.
 */
import { type Action, ramp, bump, hold, envelope, osc } from './motion.js';

export const PAIR_ACTIONS: Action[] = [
  {
    name: 'handshake', persons: 2, frames: [60, 100], cycles: [2.5, 4], gap: 1.15,
    pose(p, s, a) { // both step in, right hands meet and shake up and down
      const t = hold(s, 0.1, 0.35, 0.75, 0.95);
      p.rootZ += 0.12 * ramp(s, 0.05, 0.3) * (1 - ramp(s, 0.8, 1));
      p.rShFlex += t * (50 + 10 * a.amp * osc(s, a)); p.rShHoriz += 12 * t; p.rElbow += 35 * t;
    },
  },
  {
    name: 'push', persons: 2, frames: [50, 85], gap: 1.0,
    pose(p, s, a, who) {
      if (who === 0) { // both hands shove forward
        const reach = bump(s, 0.2, 0.75) * a.amp;
        p.lShFlex += 80 * reach; p.rShFlex += 80 * reach;
        p.lElbow += 100 * bump(s, 0.15, 0.45) - 5 * reach; p.rElbow += 100 * bump(s, 0.15, 0.45) - 5 * reach;
        p.rootZ += 0.2 * bump(s, 0.2, 0.9); p.trunkPitch += 15 * reach;
      } else { // pushed back: leans back, stumbles a step, arms fly out
        const hit = ramp(s, 0.4, 0.65);
        p.rootZ -= 0.45 * hit * a.amp; p.trunkPitch -= 20 * bump(s, 0.4, 0.9);
        p.lShAbd += 40 * bump(s, 0.4, 0.9); p.rShAbd += 40 * bump(s, 0.4, 0.9);
        p.rHipFlex -= 25 * bump(s, 0.45, 0.75);
      }
    },
  },
  {
    name: 'hug', persons: 2, frames: [70, 110], gap: 1.2,
    pose(p, s, a, who) { // close in and wrap the arms around each other
      const t = hold(s, 0.2, 0.45, 0.75, 0.95) * a.amp;
      p.rootZ += 0.32 * hold(s, 0.05, 0.35, 0.8, 1);
      const up = who === 0 ? 10 : -10; // one reaches over the shoulders, the other under
      p.lShAbd += (75 + up) * t; p.rShAbd += (75 + up) * t;
      p.lShHoriz += 70 * t; p.rShHoriz += 70 * t; p.lElbow += 60 * t; p.rElbow += 60 * t;
      p.trunkPitch += 10 * t;
    },
  },
  {
    name: 'hand over', persons: 2, frames: [60, 100], gap: 1.25,
    pose(p, s, a, who) { // the actor holds an object out first, the partner reaches and takes it
      const t = who === 0 ? bump(s, 0.05, 0.7) : bump(s, 0.3, 0.95);
      p.rShFlex += 65 * t * a.amp; p.rElbow += 15 * t; p.rShHoriz += 10 * t;
      p.trunkPitch += 8 * t; p.rootZ += 0.08 * t;
    },
  },
  {
    name: 'kick person', persons: 2, frames: [50, 85], gap: 1.05,
    pose(p, s, a, who) {
      if (who === 0) { // a front kick at the partner
        const k = bump(s, 0.2, 0.7) * a.amp;
        p.rHipFlex += 75 * k; p.rKnee += 90 * bump(s, 0.15, 0.45) + 60 * bump(s, 0.5, 0.8);
        p.lShFlex += 30 * envelope(s); p.rShFlex += 30 * envelope(s); p.trunkPitch -= 10 * k;
      } else { // doubles over and steps back
        const h = bump(s, 0.4, 0.95);
        p.trunkPitch += 40 * h; p.rootZ -= 0.25 * ramp(s, 0.4, 0.7);
        p.lShFlex += 35 * h; p.rShFlex += 35 * h; p.lElbow += 70 * h; p.rElbow += 70 * h;
        p.lKnee += 20 * h; p.rKnee += 20 * h;
      }
    },
  },
];
