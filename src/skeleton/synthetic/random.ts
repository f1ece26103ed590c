/**
 * A small seeded PRNG so the synthetic dataset is identical on every machine and run
 * (Math.random cannot be seeded). mulberry32: 32-bit state, fast, good enough for simulation.
 */
export class Random {
  private state: number;
  private spare: number | null = null; // Box–Muller yields normals in pairs

  constructor(seed: number) {
    // Mix the seed so nearby seeds (1, 2, 3…) start far apart.
    this.state = Random.hash(seed >>> 0);
  }

  /** A 32-bit integer hash (splitmix-style finaliser): derive independent streams from ids. */
  static hash(x: number): number {
    x = (x + 0x9e3779b9) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    return (x ^ (x >>> 16)) >>> 0;
  }

  /** A new generator whose stream depends only on this seed and the given keys. */
  static derive(seed: number, ...keys: number[]): Random {
    let h = Random.hash(seed >>> 0);
    for (const k of keys) h = Random.hash((h ^ Math.imul(k >>> 0, 0x27d4eb2d)) >>> 0);
    return new Random(h);
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }

  normal(mean = 0, std = 1): number {
    if (this.spare !== null) { const s = this.spare; this.spare = null; return mean + std * s; }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** A normal clipped to ±limit standard deviations, so no subject is absurd. */
  clippedNormal(mean: number, std: number, limit = 2.5): number {
    const z = Math.max(-limit, Math.min(limit, this.normal()));
    return mean + std * z;
  }

  chance(p: number): boolean { return this.next() < p; }

  /** Fisher–Yates in place. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = a[i]; a[i] = a[j]; a[j] = tmp;
    }
    return a;
  }
}
