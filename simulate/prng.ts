/**
 * Seeded pseudo-random numbers for the traffic simulator. sfc32 (Chris Doty-Humphrey's small fast
 * counting generator) seeded through splitmix32, so a seed always yields the same stream on every
 * platform: the simulator must be byte-for-byte reproducible and core code may not use Math.random.
 */

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX_ALPHABET = '0123456789abcdef';
const TWO_POW_32 = 4294967296;

/** FNV-1a over a string: turns stream labels into 32-bit seeds. */
const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
};

/** splitmix32 step: spreads a small seed over the 128-bit sfc32 state. */
const splitmix32 = (state: number): [number, number] => {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z ^= z >>> 15;
  return [next, z >>> 0];
};

/**
 * A deterministic random stream. `fork(label)` derives an independent stream from the root seed and
 * a label (not from this stream's position), so one generator drawing more numbers never shifts
 * another generator's output: adding an attack does not change the benign traffic.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** @param seed integer seed; @param path the stream's label path (root: ''). */
  constructor(
    private readonly seed: number,
    private readonly path = '',
  ) {
    let state = (seed ^ fnv1a(path)) | 0;
    let value: number;
    [state, value] = splitmix32(state);
    this.a = value;
    [state, value] = splitmix32(state);
    this.b = value;
    [state, value] = splitmix32(state);
    this.c = value;
    [, value] = splitmix32(state);
    this.d = value;
    for (let warmUp = 0; warmUp < 12; warmUp += 1) this.next();
  }

  /** An independent stream named by `label` under this one. */
  fork(label: string): Rng {
    return new Rng(this.seed, `${this.path}/${label}`);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a |= 0;
    this.b |= 0;
    this.c |= 0;
    this.d |= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  }

  /** Uniform float in [low, high). */
  float(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [low, high] (both inclusive). */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick() needs a non-empty array');
    return item;
  }

  /** One element chosen with the given relative weights. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of items) total += weight;
    let target = this.next() * total;
    for (const [item, weight] of items) {
      target -= weight;
      if (target < 0) return item;
    }
    const last = items[items.length - 1];
    if (last === undefined) throw new RangeError('weighted() needs a non-empty array');
    return last[0];
  }

  /** Standard normal draw (Box–Muller) scaled to mean / standard deviation. */
  normal(mean: number, standardDeviation: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + standardDeviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Poisson-distributed count with mean `lambda` (normal approximation above 60). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 60) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const limit = Math.exp(-lambda);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index -= 1) {
      const other = Math.floor(this.next() * (index + 1));
      const held = copy[index] as T;
      copy[index] = copy[other] as T;
      copy[other] = held;
    }
    return copy;
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let text = '';
    for (let index = 0; index < length; index += 1)
      text += alphabet.charAt(Math.floor(this.next() * alphabet.length));
    return text;
  }

  /** Lower-case hex string of `length` digits. */
  hex(length: number): string {
    return this.chars(HEX_ALPHABET, length);
  }

  /** Upper-case base32 string (the alphabet of AWS access key ids). */
  base32(length: number): string {
    return this.chars(BASE32_ALPHABET, length);
  }

  /** An RFC 4122 version-4 UUID. */
  uuid(): string {
    const variant = HEX_ALPHABET.charAt(8 + Math.floor(this.next() * 4));
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${variant}${this.hex(3)}-${this.hex(12)}`;
  }
}
