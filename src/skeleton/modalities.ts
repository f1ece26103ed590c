/**
 * CPU reference implementations of the motion and bone modalities (docs/method.md#modalities), the
 * ground truth the GPU kernels are tested against. Both act on each (channel, sample) plane
 * independently, so one function serves (C, T, V, M) and batched (N, C, T, V, M) tensors: x may
 * hold any whole number of (T, V, M) planes.
 */

function planesOf(x: Float32Array, T: number, V: number, M: number, what: string): number {
  const plane = T * V * M;
  if (plane === 0 || x.length % plane !== 0) {
    throw new Error(`${what}: ${x.length} floats is not a whole number of (T=${T}, V=${V}, M=${M}) planes`);
  }
  return x.length / plane;
}

/** motion[t] = x[t+1] − x[t] for t < T−1, and motion[T−1] = 0. */
export function motion(x: Float32Array, T: number, V: number, M: number): Float32Array {
  const planes = planesOf(x, T, V, M, 'motion');
  const VM = V * M;
  const out = new Float32Array(x.length); // last frame of each plane stays 0
  for (let p = 0; p < planes; p++) {
    const base = p * T * VM;
    for (let t = 0; t < T - 1; t++) {
      const o = base + t * VM;
      for (let j = 0; j < VM; j++) out[o + j] = x[o + VM + j] - x[o + j];
    }
  }
  return out;
}

/**
 * The parent of each joint from (child, parent) pairs, 0-based; −1 for a joint no pair names
 * (its bone is zero, as in the official code, which starts from zeros). A joint paired with
 * itself (the centre) also gets a zero bone.
 */
export function parentsOf(bones: ReadonlyArray<readonly [number, number]>, V: number): Int32Array {
  const parent = new Int32Array(V).fill(-1);
  for (const [child, par] of bones) {
    if (!(child >= 0 && child < V && par >= 0 && par < V)) throw new Error(`bone (${child}, ${par}) is outside joints 0…${V - 1}`);
    if (parent[child] !== -1) throw new Error(`joint ${child} has two bones`);
    parent[child] = par;
  }
  return parent;
}

/** bone[v] = x[v] − x[parent(v)] for every frame and person; zero for the centre (self pair). */
export function bone(x: Float32Array, T: number, V: number, M: number, bones: ReadonlyArray<readonly [number, number]>): Float32Array {
  const planes = planesOf(x, T, V, M, 'bone');
  const parent = parentsOf(bones, V);
  const out = new Float32Array(x.length);
  for (let p = 0; p < planes; p++) {
    for (let t = 0; t < T; t++) {
      const frame = (p * T + t) * V * M;
      for (let v = 0; v < V; v++) {
        const par = parent[v];
        if (par < 0 || par === v) continue;
        for (let m = 0; m < M; m++) out[frame + v * M + m] = x[frame + v * M + m] - x[frame + par * M + m];
      }
    }
  }
  return out;
}
