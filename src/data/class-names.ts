/**
 * The action names of the public datasets, in label order (0-based), so reports, `linear --out`
 * classifier files and `predict` say "drink water" rather than "class 0". The tables follow each
 * dataset's published list (NTU RGB+D 60 / 120: A1…A120; NW-UCLA: actions 1–6, 8, 9, 11, 12 as
 * labels 0–9; MSR Action3D: a01…a20). A dataset without a table (PKU-MMD, user arrays of another
 * size) keeps "class i".
 */
import type { DataFormat } from './open.js';

const NTU60 = [
  'drink water', 'eat meal/snack', 'brushing teeth', 'brushing hair', 'drop', 'pickup', 'throw', 'sitting down',
  'standing up', 'clapping', 'reading', 'writing', 'tear up paper', 'wear jacket', 'take off jacket', 'wear a shoe',
  'take off a shoe', 'wear on glasses', 'take off glasses', 'put on a hat/cap', 'take off a hat/cap', 'cheer up',
  'hand waving', 'kicking something', 'reach into pocket', 'hopping (one foot jumping)', 'jump up',
  'make a phone call/answer phone', 'playing with phone/tablet', 'typing on a keyboard', 'pointing to something with finger',
  'taking a selfie', 'check time (from watch)', 'rub two hands together', 'nod head/bow', 'shake head', 'wipe face',
  'salute', 'put the palms together', 'cross hands in front (say stop)', 'sneeze/cough', 'staggering', 'falling',
  'touch head (headache)', 'touch chest (stomachache/heart pain)', 'touch back (backache)', 'touch neck (neckache)',
  'nausea or vomiting condition', 'use a fan (with hand or paper)/feeling warm', 'punching/slapping other person',
  'kicking other person', 'pushing other person', 'pat on back of other person', 'point finger at the other person',
  'hugging other person', 'giving something to other person', 'touch other person\'s pocket', 'handshaking',
  'walking towards each other', 'walking apart from each other',
];

const NTU120_MORE = [
  'put on headphone', 'take off headphone', 'shoot at the basket', 'bounce ball', 'tennis bat swing',
  'juggling table tennis balls', 'hush (quite)', 'flick hair', 'thumb up', 'thumb down', 'make ok sign',
  'make victory sign', 'staple book', 'counting money', 'cutting nails', 'cutting paper (using scissors)',
  'snapping fingers', 'open bottle', 'sniff (smell)', 'squat down', 'toss a coin', 'fold paper', 'ball up paper',
  'play magic cube', 'apply cream on face', 'apply cream on hand back', 'put on bag', 'take off bag',
  'put something into a bag', 'take something out of a bag', 'open a box', 'move heavy objects', 'shake fist',
  'throw up cap/hat', 'hands up (both hands)', 'cross arms', 'arm circles', 'arm swings', 'running on the spot',
  'butt kicks (kick backward)', 'cross toe touch', 'side kick', 'yawn', 'stretch oneself', 'blow nose',
  'hit other person with something', 'wield knife towards other person', 'knock over other person (hit with body)',
  'grab other person\'s stuff', 'shoot at other person with a gun', 'step on foot', 'high-five', 'cheers and drink',
  'carry something with other person', 'take a photo of other person', 'follow other person',
  'whisper in other person\'s ear', 'exchange things with other person', 'support somebody with hand',
  'finger-guessing game (playing rock-paper-scissors)',
];

const UCLA = ['pick up with one hand', 'pick up with two hands', 'drop trash', 'walk around', 'sit down', 'stand up', 'donning', 'doffing', 'throw', 'carry'];

const MSR = [
  'high arm wave', 'horizontal arm wave', 'hammer', 'hand catch', 'forward punch', 'high throw', 'draw x', 'draw tick',
  'draw circle', 'hand clap', 'two hand wave', 'side-boxing', 'bend', 'forward kick', 'side kick', 'jogging',
  'tennis swing', 'tennis serve', 'golf swing', 'pick up & throw',
];

/**
 * The class names of a dataset, when it is one with a published list: by format (raw NTU, NW-UCLA,
 * MSR), or — for arrays from other pipelines (.npy, .npz, PYSKL) — by its 25-joint NTU skeleton
 * with 60 or 120 classes, the only public sets of that shape.
 */
export function classNamesFor(format: Exclude<DataFormat, 'auto'>, numClasses: number, layout: string): string[] | undefined {
  const ntu = numClasses <= 60 ? NTU60 : numClasses <= 120 ? [...NTU60, ...NTU120_MORE] : undefined;
  if (format === 'ntu' && ntu) return ntu.slice(0, numClasses === 60 || numClasses === 120 ? numClasses : ntu.length);
  if (format === 'ucla' && numClasses <= UCLA.length) return UCLA;
  if (format === 'msr' && numClasses <= MSR.length) return MSR;
  if (['npy', 'npz', 'pyskl'].includes(format) && layout === 'ntu25' && (numClasses === 60 || numClasses === 120)) return [...NTU60, ...NTU120_MORE].slice(0, numClasses);
  return undefined;
}
