/**
 * A seeded pseudo-random generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator),
 * seeded through splitmix32. Everything is 32-bit integer maths (Math.imul, `| 0`, `>>> 0`), so a
 * seed gives the same stream on every platform, and the whole state is four words that a training
 * checkpoint can store and restore exactly (`state()` / `Rng.fromState`).
 *
 * `normal()` uses Math.log/Math.cos; V8 implements both with its own fdlibm port, so results agree
 * across the platforms Node runs on.
 */

const TWO_POW_32 = 4294967296;

/** One splitmix32 finaliser step: a good 32-bit avalanche used to spread seeds. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seed with any 32-bit integer (other numbers are reduced modulo 2³²). */
  constructor(seed = 0) {
    // Four distinct splitmix32 outputs so that neighbouring seeds start far apart.
    let s = seed >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      s = (s + 0x9e3779b9) >>> 0;
      words.push(mix32(s));
    }
    [this.a, this.b, this.c, this.d] = words;
    this.warmUp();
  }

  /** A generator for a sub-task identified by integer keys, e.g. (seed, epoch, batch). */
  static derive(seed: number, ...keys: number[]): Rng {
    let h = mix32(seed >>> 0);
    for (const k of keys) h = mix32((h ^ mix32((k >>> 0) ^ 0x5bd1e995)) >>> 0);
    return new Rng(h);
  }

  /** Restores a generator saved with `state()`; the next draws continue the saved stream. */
  static fromState(s: readonly number[]): Rng {
    if (s.length !== 4 || s.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32)) {
      throw new Error(`Rng.fromState: expected four 32-bit unsigned words, got [${s.join(', ')}]`);
    }
    const r = Object.create(Rng.prototype) as Rng;
    [r.a, r.b, r.c, r.d] = s;
    return r;
  }

  /** The four state words (unsigned); `Rng.fromState(r.state())` continues where r stands. */
  state(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** The next raw 32-bit unsigned output. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /** Uniform integer in 0 … n−1 (n ≤ 2³²; the bias is below n / 2³²). */
  int(n: number): number {
    if (!(n >= 1)) throw new Error(`Rng.int: n must be ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller; one value per call, no cached second value, so state stays four words). */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1]: log never sees 0
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [i: number]: any }>(arr: A): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }

  /** k distinct integers of 0 … n−1, in draw order (a partial Fisher–Yates). */
  choose(n: number, k: number): Int32Array {
    if (k > n || k < 0) throw new Error(`Rng.choose: cannot pick ${k} distinct of ${n}`);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    return pool.slice(0, k);
  }

  /** An independent child stream; advances this generator by four draws. */
  fork(): Rng {
    const seeds = [this.nextU32(), this.nextU32(), this.nextU32(), this.nextU32()].map((w, i) => mix32(w ^ (i * 0x27d4eb2d)));
    const child = Rng.fromState(seeds);
    child.warmUp();
    return child;
  }

  // sfc32's authors recommend discarding the first outputs so weak seeds are mixed in.
  private warmUp(): void {
    for (let i = 0; i < 12; i++) this.nextU32();
  }
}
