// Random streams that depend only on what they are for: a stream is seeded from a hash of the job's
// seed and the identity of what it draws (a scenario's index, a loan's number), never from timing,
// the chunk or the mapper. So every mapper draws the same numbers for the same scenario or loan.

/** A 32-bit hash of integers (murmur3's finaliser over each, chained). */
export function hashInts(...values: number[]): number {
  let hash = 0x9e3779b9;
  for (const value of values) {
    hash = Math.imul(hash ^ (value >>> 0), 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    hash ^= hash >>> 16;
    // The high half of values above 2^32 too (loan numbers, seeds).
    hash = Math.imul(hash ^ Math.floor(value / 2 ** 32), 0x27d4eb2f);
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}

export interface RandomStream {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box-Muller, both values used). */
  normal(): number;
}

/** sfc32 (a small, fast generator that passes PractRand), seeded from the given integers. */
export function randomStream(...seed: number[]): RandomStream {
  let a = hashInts(...seed, 1);
  let b = hashInts(...seed, 2);
  let c = hashInts(...seed, 3);
  let d = 1;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 2 ** 32;
  };
  for (let warmUp = 0; warmUp < 12; warmUp += 1) next();
  let spare: number | undefined;
  return {
    uniform: next,
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      const u = 1 - next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}
