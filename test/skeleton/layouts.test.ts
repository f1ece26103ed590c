import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLayout, loadLayoutJson, parseLayoutJson, layoutNames, type Layout } from '../../src/skeleton/layouts.js';
import { parentsOf } from '../../src/skeleton/modalities.js';
import { FormatError, UserError } from '../../src/util/errors.js';

const t = suite('skeleton/layouts');

/** parent[v] for every joint; the centre is its own parent. */
const parentOf = (l: Layout): Int32Array => parentsOf(l.bones, l.V);

/** Every joint reaches the centre by following parents, without cycles, one hop at a time. */
function assertTreeTowardsCentre(l: Layout): void {
  assert.is(l.bones.length, l.V);
  const parent = parentOf(l);
  assert.is(parent[l.centre], l.centre);
  const edgeSet = new Set(l.edges.map(([a, b]) => `${Math.min(a, b)},${Math.max(a, b)}`));
  for (let v = 0; v < l.V; v++) {
    assert.is(l.bones[v][0], v, `${l.name}: bone ${v} is listed by child`);
    if (v !== l.centre) assert.ok(edgeSet.has(`${Math.min(v, parent[v])},${Math.max(v, parent[v])}`), `${l.name}: bone ${v} is an edge`);
    let u = v, steps = 0;
    while (u !== l.centre && steps <= l.V) { u = parent[u]; steps++; }
    assert.is(u, l.centre, `${l.name}: joint ${v} reaches the centre`);
  }
}

t('built-ins are listed and well formed', () => {
  assert.equal(layoutNames().sort(), ['coco17', 'msr20', 'ntu25', 'ucla20']);
  for (const name of layoutNames()) {
    const l = getLayout(name);
    assert.is(l.name, name);
    assert.is(l.edges.length, l.V - 1, `${name} is a tree`);
    for (const [a, b] of l.edges) assert.ok(a >= 0 && a < l.V && b >= 0 && b < l.V && a !== b);
    assertTreeTowardsCentre(l);
    if (l.jointNames) assert.is(l.jointNames.length, l.V);
  }
});

t('ntu25 matches the 1-based joint table of docs/method.md exactly', () => {
  const l = getLayout('ntu25');
  assert.is(l.V, 25);
  assert.is(l.centre, 20);
  assert.equal(l.edges[0], [0, 1]);            // (1,2)
  assert.equal(l.edges[20], [21, 22]);         // (22,23)
  assert.equal(l.edges[23], [24, 11]);         // (25,12)
  const parent = Array.from(parentOf(l), (p) => p + 1); // back to 1-based for comparison with the paper
  assert.equal(parent, [2, 21, 21, 3, 21, 5, 6, 7, 21, 9, 10, 11, 1, 13, 14, 15, 1, 17, 18, 19, 21, 23, 8, 25, 12]);
  assert.is(l.jointNames?.[20], 'SpineShoulder');
});

t('ucla20 and msr20', () => {
  const u = getLayout('ucla20');
  assert.is(u.centre, 2);
  assert.equal(Array.from(parentOf(u), (p) => p + 1), [2, 3, 3, 3, 3, 5, 6, 7, 3, 9, 10, 11, 1, 13, 14, 15, 1, 17, 18, 19]);
  const m = getLayout('msr20');
  assert.is(m.centre, 2);
  // MSR order: 1 RShoulder 2 LShoulder 3 ShoulderCentre 4 Spine 5 RHip 6 LHip 7 HipCentre 8 RElbow 9 LElbow
  // 10 RWrist 11 LWrist 12 RHand 13 LHand 14 RKnee 15 LKnee 16 RAnkle 17 LAnkle 18 RFoot 19 LFoot 20 Head
  assert.equal(Array.from(parentOf(m), (p) => p + 1), [3, 3, 3, 3, 7, 7, 4, 1, 2, 8, 9, 10, 11, 5, 6, 14, 15, 16, 17, 3]);
});

t('unknown name is a UserError', () => {
  assert.throws(() => getLayout('nope'), (e: unknown) => e instanceof UserError && /unknown skeleton layout/.test((e as Error).message));
});

t('JSON layout: bones oriented towards the centre by BFS', () => {
  // a 5-joint star-ish graph: 1-2-3-4 and 3-5, centre 3 (1-based)
  const l = parseLayoutJson(JSON.stringify({ name: 'toy', V: 5, edges: [[1, 2], [2, 3], [3, 4], [5, 3]], centre: 3 }));
  assert.is(l.centre, 2);
  assert.equal(l.edges, [[0, 1], [1, 2], [2, 3], [4, 2]]);
  assert.equal(Array.from(parentOf(l)), [1, 2, 2, 2, 2]);
  assertTreeTowardsCentre(l);
  // the file reader agrees with the string parser
  const dir = mkdtempSync(join(tmpdir(), 'layout-'));
  const p = join(dir, 'toy.json');
  writeFileSync(p, JSON.stringify({ name: 'toy', V: 5, edges: [[1, 2], [2, 3], [3, 4], [5, 3]], centre: 3 }));
  assert.equal(loadLayoutJson(p), l);
});

t('JSON layout: anchors (1-based) for --normalize become 0-based; without them there are none', () => {
  const l = parseLayoutJson(JSON.stringify({ name: 'toy', V: 5, edges: [[1, 2], [2, 3], [3, 4], [5, 3]], centre: 3,
    anchors: { centre: 2, hip: 1, spine: 2, leftShoulder: 4, rightShoulder: 5 } }));
  assert.equal(l.anchors, { centre: 1, hip: 0, spine: 1, leftShoulder: 3, rightShoulder: 4 });
  assert.is(parseLayoutJson(JSON.stringify({ name: 'toy', V: 2, edges: [[1, 2]], centre: 1 })).anchors, undefined);
});

t('JSON layout: a graph with a cycle still gets one bone per joint', () => {
  const l = parseLayoutJson(JSON.stringify({ name: 'ring', V: 4, edges: [[1, 2], [2, 3], [3, 4], [4, 1]], centre: 1 }));
  assertTreeTowardsCentre(l);
  assert.is(parentOf(l)[2], 1); // joint 3 is two hops away whichever way; BFS takes the first neighbour
});

t('JSON layout: mistakes are FormatErrors that say what is wrong', () => {
  const bad = (o: unknown, re: RegExp): void => {
    assert.throws(() => parseLayoutJson(typeof o === 'string' ? o : JSON.stringify(o), 'x.json'),
      (e: unknown) => e instanceof FormatError && re.test((e as Error).message) && (e as Error).message.startsWith('x.json'));
  };
  bad('{not json', /JSON/);
  bad([1, 2], /expected an object/);
  bad({ name: 'a', V: 0, edges: [], centre: 1 }, /V: expected a positive integer/);
  bad({ name: 'a', V: 3, edges: [[1, 4]], centre: 1 }, /edges\[0\].*1\.\.3/);
  bad({ name: 'a', V: 3, edges: [[0, 1]], centre: 1 }, /edges\[0\]/);
  bad({ name: 'a', V: 3, edges: [[1, 2], [2, 2]], centre: 1 }, /self-loop/);
  bad({ name: 'a', V: 3, edges: [[1, 2], [2, 1]], centre: 1 }, /duplicate edge/);
  bad({ name: 'a', V: 3, edges: [[1, 2]], centre: 4 }, /centre/);
  bad({ name: 'a', V: 4, edges: [[1, 2], [3, 4]], centre: 1 }, /not connected: joint\(s\) 3, 4/);
  bad({ name: 'a', V: 2, edges: [[1, 2]], centre: 1, jointNames: ['x'] }, /jointNames/);
  bad({ name: 'a', V: 2, edges: [[1, 2]], centre: 1, anchors: { centre: 1, hip: 1, spine: 2, leftShoulder: 3, rightShoulder: 2 } }, /anchors: expected \{centre, hip, spine, leftShoulder, rightShoulder\} as joint numbers in 1\.\.2/);
  bad({ V: 2, edges: [[1, 2]], centre: 1 }, /name/);
});

t('missing file is a UserError', () => {
  assert.throws(() => loadLayoutJson('/nonexistent/layout.json'), (e: unknown) => e instanceof UserError);
});

t.run();
