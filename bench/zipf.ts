/** Item ids 1…n drawn with probability ∝ 1/rank^exponent (inverse-CDF by binary search): synthetic popularity. */
import type { Rng } from '../electron/engine/random.ts';

export function zipfSampler(rng: Rng, n: number, exponent: number): () => number {
  const cdf = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cdf[i] = acc += 1 / (i + 1) ** exponent;
  return () => {
    const r = rng.next() * acc;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}
