/**
 * Skeleton layouts: which joints a dataset has, how they connect, which one is the centre, and
 * each joint's bone (child, parent) for the bone modality. Layouts are data, not code paths: the
 * encoder and the modalities take any layout, and a JSON file can add a new one.
 */
import { host } from '../gpu/host.js';
import { FormatError, UserError } from '../util/errors.js';
import type { BodyAnchors } from './normalize.js';

export interface Layout {
  name: string;
  V: number;
  edges: [number, number][];   // 0-based, undirected
  centre: number;              // 0-based
  bones: [number, number][];   // (child, parent) 0-based, one per joint in joint order; centre → itself
  jointNames?: string[];
  /** Body centre, hip, spine and shoulders (0-based), for centring and view alignment (normalize.ts). */
  anchors?: BodyAnchors;
}

type Pair = [number, number];
const toZeroBased = (pairs: Pair[]): Pair[] => pairs.map(([a, b]) => [a - 1, b - 1]);

/** Bones listed (child, parent) in any order → one per joint, sorted by child. */
function bonesByChild(V: number, pairs: Pair[]): Pair[] {
  const out: Pair[] = new Array(V);
  for (const [c, p] of pairs) out[c] = [c, p];
  for (let v = 0; v < V; v++) if (!out[v]) throw new Error(`layout: joint ${v} has no bone`);
  return out;
}

// NTU RGB+D (Kinect v2) — docs/method.md#layouts, 1-based as in the paper and the official code.
const NTU_EDGES_1: Pair[] = [
  [1, 2], [2, 21], [3, 21], [4, 3], [5, 21], [6, 5], [7, 6], [8, 7], [9, 21], [10, 9], [11, 10], [12, 11],
  [13, 1], [14, 13], [15, 14], [16, 15], [17, 1], [18, 17], [19, 18], [20, 19], [22, 23], [23, 8], [24, 25], [25, 12],
];
const NTU_NAMES = [
  'SpineBase', 'SpineMid', 'Neck', 'Head', 'ShoulderLeft', 'ElbowLeft', 'WristLeft', 'HandLeft',
  'ShoulderRight', 'ElbowRight', 'WristRight', 'HandRight', 'HipLeft', 'KneeLeft', 'AnkleLeft', 'FootLeft',
  'HipRight', 'KneeRight', 'AnkleRight', 'FootRight', 'SpineShoulder', 'HandTipLeft', 'ThumbLeft',
  'HandTipRight', 'ThumbRight',
];

// NW-UCLA (Kinect v1) — docs/method.md#layouts.
const UCLA_EDGES_1: Pair[] = [
  [1, 2], [2, 3], [4, 3], [5, 3], [6, 5], [7, 6], [8, 7], [9, 3], [10, 9], [11, 10], [12, 11],
  [13, 1], [14, 13], [15, 14], [16, 15], [17, 1], [18, 17], [19, 18], [20, 19],
];

// MSR Action3D — our own table from the joint order in shared/data/README.md, each edge written
// (child, parent) towards the shoulder centre (joint 3) so the same list gives the bones.
const MSR_EDGES_1: Pair[] = [
  [20, 3],                    // head → shoulder centre
  [1, 3], [2, 3],             // shoulders
  [4, 3], [7, 4],             // spine, hip centre
  [5, 7], [6, 7],             // hips
  [8, 1], [10, 8], [12, 10],  // right arm: elbow, wrist, hand
  [9, 2], [11, 9], [13, 11],  // left arm
  [14, 5], [16, 14], [18, 16], // right leg: knee, ankle, foot
  [15, 6], [17, 15], [19, 17], // left leg
];
const MSR_NAMES = [
  'RightShoulder', 'LeftShoulder', 'ShoulderCentre', 'Spine', 'RightHip', 'LeftHip', 'HipCentre',
  'RightElbow', 'LeftElbow', 'RightWrist', 'LeftWrist', 'RightHand', 'LeftHand', 'RightKnee', 'LeftKnee',
  'RightAnkle', 'LeftAnkle', 'RightFoot', 'LeftFoot', 'Head',
];

// COCO keypoints (2D pose estimators: PYSKL's NTU / Kinetics / FineGYM HRNet annotations) — PYSKL's
// 'coco' graph, edges (child, parent) towards the nose (joint 1). No anchors: there is no spine or
// hip centre to align a view on, and 2D keypoints are already in image coordinates.
const COCO_EDGES_1: Pair[] = [
  [2, 1], [3, 1], [4, 2], [5, 3], [6, 1], [7, 1], [8, 6], [9, 7], [10, 8], [11, 9],
  [12, 6], [13, 7], [14, 12], [15, 13], [16, 14], [17, 15],
];
const COCO_NAMES = [
  'Nose', 'LeftEye', 'RightEye', 'LeftEar', 'RightEar', 'LeftShoulder', 'RightShoulder', 'LeftElbow', 'RightElbow',
  'LeftWrist', 'RightWrist', 'LeftHip', 'RightHip', 'LeftKnee', 'RightKnee', 'LeftAnkle', 'RightAnkle',
];

/** 1-based joint numbers of the body centre, hip, spine, left and right shoulder. */
type Anchors1 = [number, number, number, number, number];
function fromOfficialTable(name: string, V: number, edges1: Pair[], centre1: number, anchors1: Anchors1, jointNames?: string[]): Layout {
  const edges = toZeroBased(edges1);
  const centre = centre1 - 1;
  const [c, hip, spine, left, right] = anchors1.map((j) => j - 1);
  return { name, V, edges, centre, bones: bonesByChild(V, [...edges, [centre, centre]]), jointNames,
    anchors: { centre: c, hip, spine, leftShoulder: left, rightShoulder: right } };
}

// Anchors: the body centre is the mid-spine joint, as the NTU preprocessing centres on SpineMid
// (joint 2); the view is fixed by hip→spine and the shoulder line, as in 2s-AGCN's pre_normalization.
const BUILT_IN: Record<string, Layout> = {
  ntu25: fromOfficialTable('ntu25', 25, NTU_EDGES_1, 21, [2, 1, 2, 5, 9], NTU_NAMES),
  ucla20: fromOfficialTable('ucla20', 20, UCLA_EDGES_1, 3, [2, 1, 2, 5, 9]),
  msr20: fromOfficialTable('msr20', 20, MSR_EDGES_1, 3, [4, 7, 4, 2, 1], MSR_NAMES),
  coco17: (() => {
    const edges = toZeroBased(COCO_EDGES_1);
    return { name: 'coco17', V: 17, edges, centre: 0, bones: bonesByChild(17, [...edges, [0, 0]]), jointNames: COCO_NAMES };
  })(),
};

export const layoutNames = (): string[] => Object.keys(BUILT_IN);

export function getLayout(name: string): Layout {
  const l = BUILT_IN[name];
  if (!l) throw new UserError(`unknown skeleton layout '${name}' (known: ${layoutNames().join(', ')}; or give a layout JSON file)`);
  return l;
}

/**
 * Bones of a tree-or-graph given by edges: orient every joint towards the centre along a BFS
 * tree, so each joint's parent is one hop closer to the centre. Returns null for joints the
 * centre cannot reach (the caller reports them).
 */
export function bonesTowardsCentre(V: number, edges: Pair[], centre: number): { bones: Pair[]; unreachable: number[] } {
  const nbrs: number[][] = Array.from({ length: V }, () => []);
  for (const [a, b] of edges) { nbrs[a].push(b); nbrs[b].push(a); }
  const parent = new Int32Array(V).fill(-1);
  parent[centre] = centre;
  const queue = [centre];
  for (let h = 0; h < queue.length; h++) {
    const u = queue[h];
    for (const w of nbrs[u]) if (parent[w] < 0) { parent[w] = u; queue.push(w); }
  }
  const unreachable: number[] = [];
  const bones: Pair[] = [];
  for (let v = 0; v < V; v++) {
    if (parent[v] < 0) unreachable.push(v);
    bones.push([v, parent[v]]);
  }
  return { bones, unreachable };
}

function isIndex(x: unknown, V: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= V;
}

/**
 * A layout from JSON: {name, V, edges: [[a,b],…] 1-based, centre 1-based, jointNames?, anchors?}
 * (anchors: {centre, hip, spine, leftShoulder, rightShoulder}, 1-based, for --normalize). The bones
 * are derived (edges oriented towards the centre). Any mistake is a FormatError naming the field.
 */
export function parseLayoutJson(text: string, file = '<layout>'): Layout {
  let j: unknown;
  try { j = JSON.parse(text); } catch (e) { throw new FormatError(file, 'JSON', (e as Error).message); }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new FormatError(file, 'top level', 'expected an object {name, V, edges, centre}');
  const o = j as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') throw new FormatError(file, 'name', 'expected a non-empty string');
  const V = o.V;
  if (typeof V !== 'number' || !Number.isInteger(V) || V < 1) throw new FormatError(file, 'V', `expected a positive integer, got ${JSON.stringify(V)}`);
  if (!Array.isArray(o.edges)) throw new FormatError(file, 'edges', 'expected an array of [a, b] pairs (1-based)');
  const edges: Pair[] = [];
  const seen = new Set<string>();
  o.edges.forEach((e: unknown, i: number) => {
    if (!Array.isArray(e) || e.length !== 2 || !isIndex(e[0], V) || !isIndex(e[1], V))
      throw new FormatError(file, `edges[${i}]`, `expected a pair of joint numbers in 1..${V}, got ${JSON.stringify(e)}`);
    if (e[0] === e[1]) throw new FormatError(file, `edges[${i}]`, `self-loop (${e[0]},${e[1]}): self-loops are implied, list only bones`);
    const key = `${Math.min(e[0], e[1])},${Math.max(e[0], e[1])}`;
    if (seen.has(key)) throw new FormatError(file, `edges[${i}]`, `duplicate edge (${e[0]},${e[1]})`);
    seen.add(key);
    edges.push([e[0] - 1, e[1] - 1]);
  });
  if (!isIndex(o.centre, V)) throw new FormatError(file, 'centre', `expected a joint number in 1..${V}, got ${JSON.stringify(o.centre)}`);
  const centre = o.centre - 1;
  const { bones, unreachable } = bonesTowardsCentre(V, edges, centre);
  if (unreachable.length > 0)
    throw new FormatError(file, 'edges', `graph is not connected: joint(s) ${unreachable.map((v) => v + 1).join(', ')} cannot reach the centre ${centre + 1}`);
  let jointNames: string[] | undefined;
  if (o.jointNames !== undefined) {
    if (!Array.isArray(o.jointNames) || o.jointNames.length !== V || !o.jointNames.every((s) => typeof s === 'string'))
      throw new FormatError(file, 'jointNames', `expected ${V} strings`);
    jointNames = o.jointNames as string[];
  }
  let anchors: BodyAnchors | undefined;
  if (o.anchors !== undefined) {
    const a = o.anchors as Record<string, unknown>;
    const keys = ['centre', 'hip', 'spine', 'leftShoulder', 'rightShoulder'] as const;
    if (typeof a !== 'object' || a === null || keys.some((k) => !isIndex(a[k], V)))
      throw new FormatError(file, 'anchors', `expected {${keys.join(', ')}} as joint numbers in 1..${V} (for --normalize)`);
    anchors = Object.fromEntries(keys.map((k) => [k, (a[k] as number) - 1])) as unknown as BodyAnchors;
  }
  return { name: o.name, V, edges, centre, bones, jointNames, anchors };
}

export function loadLayoutJson(path: string): Layout {
  let text: string;
  try { text = host.files.readText(path); } catch (e) { throw new UserError(`cannot read layout file ${path}: ${(e as Error).message}`); }
  return parseLayoutJson(text, path);
}
