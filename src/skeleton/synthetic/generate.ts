/**
 * Assembles the embedded synthetic dataset: for each sample, an action performed by a subject
 * (and a partner for interactions), posed frame by frame with forward kinematics, seen by one
 * of the cameras, with sensor noise, padded to T frames, in the NTU (N, 3, T, 25, 2) layout.
 * Every sample draws from its own seeded stream, so a sample depends only on (seed, index).
 */
import { ArrayDataset } from '../../data/dataset.js';
import { UserError } from '../../util/errors.js';
import { ACTIONS } from './actions.js';
import type { Action, ActionParams } from './motion.js';
import { Random } from './random.js';
import { Kinematics, NUM_JOINTS, Pose } from './skeleton.js';
import { makeSubject, applyPosture, type Subject } from './subjects.js';
import { makeCamera, toCamera, viewSpecs, type Camera } from './camera.js';
import { addSensorNoise, dropJoints, DEFAULT_NOISE } from './noise.js';

export interface SyntheticOptions {
  seed?: number;            // default 1
  samplesPerClass?: number; // default 40 (ignored when size is given)
  size?: number;            // total samples, spread round-robin over the classes
  classes?: number;         // the first `classes` actions of the library (default all, 27)
  subjects?: number;        // default 40
  views?: number;           // default 3 (−45°, 0°, +45°)
  T?: number;               // padded length, default 128
  noise?: number;           // scale of all sensor noise, default 1 (0 = clean)
}

export interface Split { train: Int32Array; test: Int32Array }

export interface SyntheticResult {
  dataset: ArrayDataset;    // (N, 3, T, 25, 2), layout 'ntu25'
  subject: Int32Array;      // actor's subject id per sample
  view: Int32Array;         // camera view per sample
  classNames: string[];
  splits: { xsub: Split; xview: Split };
}

const V = NUM_JOINTS, M = 2;
const MIN_FRAMES = 40, MAX_FRAMES = 120;
const LEFT_HANDED = 0.25;

function checkInt(name: string, x: number, lo: number, hi = Infinity): number {
  if (!Number.isInteger(x) || x < lo || x > hi) throw new UserError(`synthetic: ${name} must be an integer in ${lo}..${hi}, got ${x}`);
  return x;
}

export function generateSynthetic(opts: SyntheticOptions = {}): SyntheticResult {
  const seed = checkInt('seed', opts.seed ?? 1, 0, 0xffffffff);
  const C = checkInt('classes', opts.classes ?? ACTIONS.length, 1, ACTIONS.length);
  const S = checkInt('subjects', opts.subjects ?? 40, 2);
  const nViews = checkInt('views', opts.views ?? 3, 1);
  const T = checkInt('T', opts.T ?? 128, 8);
  const N = checkInt('size', opts.size ?? C * (opts.samplesPerClass ?? 40), 1);
  const noise = opts.noise ?? 1;

  const subjects = Array.from({ length: S }, (_, id) => makeSubject(seed, id));
  const views = viewSpecs(nViews);
  // Each class walks through its own shuffled list of (subject, view) pairs, so every class has
  // every subject and view and the splits stay balanced.
  const combos = (c: number): number[] => Random.derive(seed, 0xc0b0, c).shuffle(Array.from({ length: S * nViews }, (_, i) => i));
  const order = Array.from({ length: C }, (_, c) => combos(c));

  const per = 3 * T * V * M;
  const data = new Float32Array(N * per);
  const frameCounts = new Int32Array(N), labels = new Int32Array(N);
  const subjectOf = new Int32Array(N), viewOf = new Int32Array(N);
  const g = new SampleGenerator(T);

  for (let i = 0; i < N; i++) {
    const c = i % C, k = Math.floor(i / C);
    const combo = order[c][k % (S * nViews)];
    const sid = Math.floor(combo / nViews), vid = combo % nViews;
    const r = Random.derive(seed, 0x5a3, i);
    const partner = subjects[(sid + 1 + (k % (S - 1))) % S];
    frameCounts[i] = g.generate(data.subarray(i * per, (i + 1) * per), ACTIONS[c], subjects[sid], partner,
      makeCamera(views[vid], r), r, noise);
    labels[i] = c; subjectOf[i] = sid; viewOf[i] = vid;
  }

  const rows = (keep: (i: number) => boolean): Int32Array => Int32Array.from({ length: N }, (_, i) => i).filter(keep);
  // Cross-subject: even subject ids (1-based odd, as MSR's protocol) train. Cross-view: the last
  // view (+45°) is never seen in training.
  const xsubTrain = (i: number): boolean => subjectOf[i] % 2 === 0;
  const xviewTrain = (i: number): boolean => nViews === 1 || viewOf[i] !== nViews - 1;
  return {
    dataset: new ArrayDataset(data, frameCounts, labels, T, V, M, C, 'ntu25'),
    subject: subjectOf, view: viewOf,
    classNames: ACTIONS.slice(0, C).map((a) => a.name),
    splits: {
      xsub: { train: rows(xsubTrain), test: rows((i) => !xsubTrain(i)) },
      xview: { train: rows(xviewTrain), test: rows((i) => !xviewTrain(i)) },
    },
  };
}

/** Reusable buffers for generating one sample at a time. */
class SampleGenerator {
  private readonly kin = new Kinematics();
  private readonly pose = new Pose();
  private readonly world = new Float64Array(V * 3);
  private readonly seq: Float64Array[];
  private readonly params: ActionParams = { amp: 1, cycles: 1, phase: 0, v: new Float64Array(4) };

  constructor(private readonly T: number) {
    this.seq = [new Float64Array(T * V * 3), new Float64Array(T * V * 3)];
  }

  /** Writes one (3, T, V, M) sample into out (zeroed beforehand); returns its frame count. */
  generate(out: Float32Array, action: Action, actor: Subject, partner: Subject, cam: Camera, r: Random, noise: number): number {
    const T = this.T;
    const lo = Math.min(MIN_FRAMES, T), hi = Math.min(MAX_FRAMES, T);
    const base = r.uniform(action.frames[0], action.frames[1]);
    const frames = Math.max(lo, Math.min(hi, Math.round(base * actor.style.tempo * r.uniform(0.9, 1.1))));
    const cycles = action.cycles ? r.uniform(action.cycles[0], action.cycles[1]) : 1;
    const phase = r.uniform(0, 0.15);
    const warp = r.uniform(-0.3, 0.3); // uneven speed within the sequence, still monotonic
    const v = Float64Array.from({ length: 4 }, () => r.uniform(-1, 1));
    const leftHanded = r.chance(LEFT_HANDED); // the whole performance mirrored, both people

    // Where the people stand and face (world: y up, the cameras look in from around +z).
    const cx = r.uniform(-0.3, 0.3), cz = r.uniform(-0.3, 0.3);
    const people: { who: Subject; x: number; z: number; facing: number; amp: number }[] = [];
    if (action.persons === 1) {
      people.push({ who: actor, x: cx, z: cz, facing: actor.style.facing + r.normal(0, 8), amp: actor.style.amplitude * r.uniform(0.85, 1.15) });
    } else {
      // A pair side by side as seen from the front camera; either may stand on the left.
      const facing = (r.chance(0.5) ? 90 : -90) + r.uniform(-20, 20);
      const gap = (action.gap ?? 1.1) * r.uniform(0.92, 1.08);
      const dx = Math.sin(facing * Math.PI / 180) * gap / 2, dz = Math.cos(facing * Math.PI / 180) * gap / 2;
      people.push({ who: actor, x: cx - dx, z: cz - dz, facing, amp: actor.style.amplitude * r.uniform(0.85, 1.15) });
      people.push({ who: partner, x: cx + dx, z: cz + dz, facing: facing + 180 + r.normal(0, 5), amp: partner.style.amplitude * r.uniform(0.85, 1.15) });
    }

    for (let m = 0; m < people.length; m++) {
      const person = people[m], seq = this.seq[m];
      const a = this.params;
      a.amp = person.amp; a.cycles = cycles; a.phase = phase; a.v.set(v);
      for (let t = 0; t < frames; t++) {
        const u = frames === 1 ? 0 : t / (frames - 1);
        const s = u + warp * Math.sin(2 * Math.PI * u) / (2 * Math.PI);
        const p = this.pose.rest();
        action.pose(p, s, a, m as 0 | 1);
        if (leftHanded) p.mirror();
        applyPosture(p, person.who.style);
        this.kin.pose(this.world, person.who.shape, p, person.x, person.z, person.facing);
        toCamera(cam, this.world, seq.subarray(t * V * 3, (t + 1) * V * 3), V);
      }
      addSensorNoise(seq, frames, V, r, DEFAULT_NOISE, noise);
      dropJoints(seq, frames, V, r, DEFAULT_NOISE, noise);
      // (3, T, V, M): index ((c·T + t)·V + v)·M + m
      for (let t = 0; t < frames; t++) for (let j = 0; j < V; j++) for (let c = 0; c < 3; c++)
        out[((c * T + t) * V + j) * M + m] = seq[(t * V + j) * 3 + c];
    }
    return frames;
  }
}
