/**
 * The GRU in plain float64 TypeScript, written from PyTorch's nn.GRU equations (gates r, z, n):
 * the oracle of src/ops/gru/layer.ts, and the function whose finite differences check its
 * gradients.
 */

/** One cell's weights as float64 arrays: wIh (3H, I), wHh (3H, H), bIh (3H), bHh (3H). */
export interface GruCellRef { wIh: Float64Array; wHh: Float64Array; bIh: Float64Array; bHh: Float64Array }

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** h' = GRUCell(x, h) for B rows: x (B, I), h (B, H) → (B, H). */
export function gruCellRef(x: Float64Array, h: Float64Array, c: GruCellRef, B: number, I: number, H: number): Float64Array {
  const out = new Float64Array(B * H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      const gate = (g: number) => {
        let gi = c.bIh[g * H + j], gh = c.bHh[g * H + j];
        for (let i = 0; i < I; i++) gi += c.wIh[(g * H + j) * I + i] * x[b * I + i];
        for (let k = 0; k < H; k++) gh += c.wHh[(g * H + j) * H + k] * h[b * H + k];
        return [gi, gh];
      };
      const [ir, hr] = gate(0), [iz, hz] = gate(1), [inn, hn] = gate(2);
      const r = sigmoid(ir + hr), z = sigmoid(iz + hz);
      const n = Math.tanh(inn + r * hn);
      out[b * H + j] = (1 - z) * n + z * h[b * H + j];
    }
  }
  return out;
}

/**
 * One layer of D cells over x (T, B, I) time-major → (T, B, D·H): cell d's state at time t in
 * columns [d·H, (d+1)·H). `reverse[d]` runs cell d from t = T−1 down to 0; `h0` (D, B, H) are the
 * initial states (zeros when absent).
 */
export function gruLayerRef(x: Float64Array, T: number, B: number, I: number, cells: GruCellRef[], reverse: readonly boolean[] = [], h0?: Float64Array): Float64Array {
  const D = cells.length, H = cells[0].bHh.length / 3;
  const out = new Float64Array(T * B * D * H);
  cells.forEach((c, d) => {
    let h: Float64Array = h0 ? h0.slice(d * B * H, (d + 1) * B * H) : new Float64Array(B * H);
    for (let s = 0; s < T; s++) {
      const t = reverse[d] ? T - 1 - s : s;
      h = gruCellRef(x.subarray(t * B * I, (t + 1) * B * I), h, c, B, I, H);
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) out[(t * B + b) * D * H + d * H + j] = h[b * H + j];
    }
  });
  return out;
}
