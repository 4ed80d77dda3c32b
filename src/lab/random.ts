// Seeded randomness for reproducible figures and training runs: mulberry32 (a 32-bit generator with a
// full period over its state, by Tommy Ettinger) and Box–Muller normals.

/** A generator of uniform numbers in [0, 1), fully determined by `seed`. */
export type Rng = () => number;

/**
 * @example
 * const rng = mulberry32(42);
 * rng(); // → 0.6011037519 (the same number on every run)
 */
export function mulberry32(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`mulberry32: seed must be an integer, got ${seed}`);
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) never happens
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffle<T extends { length: number; [i: number]: unknown }>(items: T, rng: Rng): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/**
 * A year of noisy daily "temperatures" (a seasonal curve plus Gaussian noise), the series the seed note
 * smooths with an EWMA.
 * @example
 * noisySeries({ length: 365, seed: 1 }).length; // → 365
 */
export function noisySeries(options: { length?: number; seed?: number; noise?: number } = {}): Float64Array {
  const length = options.length ?? 365;
  const noise = options.noise ?? 4;
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`noisySeries: length must be a positive integer, got ${length}`);
  }
  const rng = mulberry32(options.seed ?? 7);
  const out = new Float64Array(length);
  for (let t = 0; t < length; t++) {
    const season = 16 + 9 * Math.sin((2 * Math.PI * t) / 365);
    out[t] = season + noise * normal(rng);
  }
  return out;
}
