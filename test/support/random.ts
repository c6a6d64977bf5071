/** A small seeded PRNG (xorshift128+) so property and fuzz tests are reproducible. */
export class SeededRandom {
  private s0: bigint;
  private s1: bigint;

  constructor(seed: number) {
    this.s0 = BigInt(seed >>> 0) * 0x9e3779b97f4a7c15n + 1n;
    this.s1 = (BigInt(seed >>> 0) ^ 0xdeadbeefn) * 0xbf58476d1ce4e5b9n + 7n;
    for (let i = 0; i < 16; i++) this.nextU64();
  }

  private nextU64(): bigint {
    const mask = (1n << 64n) - 1n;
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x = (x ^ (x << 23n)) & mask;
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return (this.s1 + y) & mask;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return Number(this.nextU64() >> 11n) / 2 ** 53;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}
