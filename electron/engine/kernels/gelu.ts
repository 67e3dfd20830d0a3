/**
 * GELU in its exact (erf) form, as torch.nn.GELU() by default: gelu(x) = x·Φ(x), Φ the standard
 * normal CDF. erf is computed here to double precision (≈1e-15 absolute) so the TS reference and a
 * native kernel using std::erf agree to float32 rounding:
 * - |x| < 2.5: erf(x) = 2/√π · e^{−x²} · Σₙ (2x²)ⁿ x / (1·3·…·(2n+1)), all terms positive, so no
 *   cancellation (≤ 40 terms);
 * - |x| ≥ 2.5: erfc(x) = e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))), the continued fraction
 *   cut at 40 levels (relative error < 1e-15 there).
 * Φ(x) for x ≤ −2.5√2 uses erfc directly instead of 1 + erf, so its relative error stays < 1e-12.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const ONE_OVER_SQRT_2PI = 0.3989422804014327;
const SERIES_LIMIT = 2.5;
const FRACTION_DEPTH = 40;

/** erf(a) for 0 ≤ a < SERIES_LIMIT. */
function erfSeries(a: number): number {
  const a2 = 2 * a * a;
  let term = a;
  let sum = a;
  for (let n = 1; term > sum * 1e-17; n++) {
    term *= a2 / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-a * a) * sum;
}

/** erfc(a) for a ≥ SERIES_LIMIT (underflows to 0 past a ≈ 27, as it should). */
function erfcFraction(a: number): number {
  let f = a;
  for (let k = FRACTION_DEPTH; k > 0; k--) f = a + (0.5 * k) / f;
  return (ONE_OVER_SQRT_PI * Math.exp(-a * a)) / f;
}

export function erf(x: number): number {
  const a = Math.abs(x);
  if (a === 0 || Number.isNaN(x)) return x;
  const r = a < SERIES_LIMIT ? erfSeries(a) : a < 6 ? 1 - erfcFraction(a) : 1; // erfc(6) ≈ 2e-17
  return x < 0 ? -r : r;
}

/** Φ(x) = ½·erfc(−x/√2). */
export function normalCdf(x: number): number {
  const z = -x * Math.SQRT1_2;
  if (z >= SERIES_LIMIT) return 0.5 * erfcFraction(z);
  if (z <= -SERIES_LIMIT) return 1 - 0.5 * erfcFraction(-z);
  return 0.5 * (1 - erf(z));
}

/** gelu(x) = x·Φ(x). */
export function gelu(x: number): number {
  return x * normalCdf(x);
}

/** d gelu / dx = Φ(x) + x·φ(x). */
export function geluDerivative(x: number): number {
  return normalCdf(x) + x * ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x);
}
