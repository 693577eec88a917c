// A seeded random source for randomized tests: the same seed gives the same run, so a failure can
// be repeated from the seed its message prints. (mulberry32: small, fast, good enough for tests.)
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SeededRandom {
  private readonly next: () => number;
  private counter = 0;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
  /** A 12-character id with this prefix, new on every call. */
  guid(prefix: string): string {
    return `${prefix}${String(this.counter++).padStart(12 - prefix.length, '0')}`;
  }
}
