/**
 * Plain TypeScript references of the ops, in float64: the oracles the GPU kernels are tested
 * against (and the functions finite differences are taken of).
 */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function broadcastRef(a: Float64Array, sa: number[], b: Float64Array, sb: number[], f: (x: number, y: number) => number): Float64Array {
  const rank = Math.max(sa.length, sb.length);
  const pa = [...Array(rank - sa.length).fill(1), ...sa], pb = [...Array(rank - sb.length).fill(1), ...sb];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const n = shape.reduce((p, q) => p * q, 1);
  const ta = stridesOf(pa), tb = stridesOf(pb);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rest = i, ia = 0, ib = 0;
    for (let k = rank - 1; k >= 0; k--) {
      const c = rest % shape[k]; rest = Math.floor(rest / shape[k]);
      if (pa[k] !== 1) ia += c * ta[k];
      if (pb[k] !== 1) ib += c * tb[k];
    }
    out[i] = f(a[ia], b[ib]);
  }
  return out;
}

export function unaryRef(a: Float64Array, f: (x: number) => number): Float64Array { return a.map(f); }

/** Reduces (outer, r, inner) over r with f (sum, max, logsumexp …). */
export function reduceRef(x: Float64Array, shape: number[], axis: number, f: (vals: number[]) => number): Float64Array {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const r = shape[axis];
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
    const vals: number[] = [];
    for (let j = 0; j < r; j++) vals.push(x[(o * r + j) * inner + i]);
    out[o * inner + i] = f(vals);
  }
  return out;
}
export const sumRef = (v: number[]) => v.reduce((a, b) => a + b, 0);
export const maxRef = (v: number[]) => Math.max(...v);
export const lseRef = (v: number[]) => { const m = Math.max(...v); return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0)); };
