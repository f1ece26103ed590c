/**
 * The motion and bone modalities on the GPU (docs/method.md#modalities) — kernels/modalities.wgsl.
 * Inputs are the augmented joint batch (N, C, T, V, M); the results feed the motion and bone
 * encoders and are not differentiated (nothing upstream of them is trained), so no gradient is
 * recorded. The CPU references are src/skeleton/modalities.ts.
 */
import { Tensor, G } from '../tensor/tensor.js';
import { parentsOf } from '../skeleton/modalities.js';

const WG = 256;
const enum Op { Motion = 0, Bone = 1 }

function dims(x: Tensor, what: string): [number, number, number] {
  if (x.rank !== 5) throw new Error(`${what}: x must be (N, C, T, V, M), got [${x.shape}]`);
  return [x.shape[2], x.shape[3], x.shape[4]];
}

/** motion[t] = x[t+1] − x[t] for t < T−1, motion[T−1] = 0. */
export function motionGpu(x: Tensor): Tensor {
  const [T, V, M] = dims(x, 'motion');
  const out = Tensor.empty(x.shape);
  const g = G();
  g.dispatch(g.kernel('modalities'), { x: x.buffer, parent: g.placeholder, out: out.buffer }, { total: x.size, op: Op.Motion, t: T, v: V, m: M }, Math.ceil(x.size / WG));
  return out;
}

// parent tables live on the GPU for the life of the process, one per distinct bone list
const parentTables = new Map<string, Tensor>();

/** The bone list as a kept int32 tensor of parents (−1: no bone). */
export function parentTable(bones: ReadonlyArray<readonly [number, number]>, V: number): Tensor {
  const key = `${V}:${bones.map(([c, p]) => `${c}-${p}`).join(',')}`;
  let t = parentTables.get(key);
  if (!t || t.isDisposed) {
    t = Tensor.from(parentsOf(bones, V), [V], 'i32').keep();
    parentTables.set(key, t);
  }
  return t;
}

/** bone[v] = x[v] − x[parent(v)] per frame and person; zero for the centre (its own parent). */
export function boneGpu(x: Tensor, bones: ReadonlyArray<readonly [number, number]>): Tensor {
  const [T, V, M] = dims(x, 'bone');
  const parents = parentTable(bones, V);
  const out = Tensor.empty(x.shape);
  G().dispatch(G().kernel('modalities'), { x: x.buffer, parent: parents.buffer, out: out.buffer }, { total: x.size, op: Op.Bone, t: T, v: V, m: M }, Math.ceil(x.size / WG));
  return out;
}
