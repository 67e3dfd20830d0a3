import { describe, expect, it } from 'vitest';
import { erf, gelu, geluDerivative, normalCdf } from '../../../electron/engine/kernels/gelu.ts';

// Reference values: Python's math.erf / math.erfc (correctly rounded to ~1 ulp).
const ERF: [number, number, number][] = [
  [1e-10, 1.1283791670955126e-10, 0.999999999887162],
  [0.3, 0.3286267594591274, 0.6713732405408726],
  [0.84375, 0.7672256612323416, 0.23277433876765835],
  [1.0, 0.8427007929497149, 0.15729920705028513],
  [1.25, 0.9229001282564582, 0.07709987174354177],
  [2.0, 0.9953222650189527, 0.004677734981047265],
  [2.4999, 0.9995928300996666, 0.0004071699003334514],
  [2.5, 0.999593047982555, 0.0004069520174449589],
  [2.5001, 0.9995932657565293, 0.0004067342434706798],
  [3.0, 0.9999779095030014, 2.2090496998585438e-5],
  [4.0, 0.9999999845827421, 1.541725790028002e-8],
  [5.5, 0.9999999999999927, 7.357847917974398e-15],
  [-0.7, -0.6778011938374184, 1.6778011938374184],
  [-3.3, -0.9999969422902035, 1.9999969422902035],
];

// torch.nn.GELU() (approximate='none') = 0.5·x·(1 + erf(x/√2)); these are that formula in float64
// (torch's float32 results are these rounded to float32, e.g. gelu(1.) = 0.8413447).
const GELU: [number, number][] = [
  [-4, -0.00012668496733247991],
  [-3, -0.00404969409489031],
  [-2, -0.04550026389635842],
  [-1, -0.15865525393145707],
  [-0.5, -0.15426876936299344],
  [-0.1, -0.0460172162722971],
  [0, 0],
  [0.1, 0.053982783727702904],
  [0.5, 0.34573123063700656],
  [1, 0.8413447460685429],
  [1.5, 1.399789198096713],
  [2, 1.9544997361036416],
  [3, 2.99595030590511],
  [5, 4.999998566742141],
];

describe('erf', () => {
  it('matches math.erf to double precision on both sides of the series / continued-fraction switch', () => {
    for (const [x, want] of ERF) expect(Math.abs(erf(x) - want), `erf(${x})`).toBeLessThan(2e-15);
  });

  it('is odd, saturates, and keeps NaN', () => {
    expect(erf(-1.3)).toBe(-erf(1.3));
    expect(erf(7)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(Number.NaN)).toBeNaN();
  });

  it('Φ keeps relative accuracy far in the lower tail (erfc, not 1 + erf)', () => {
    for (const [x, , erfcWant] of ERF) {
      const phi = normalCdf(-x * Math.SQRT2); // = ½·erfc(x)
      expect(Math.abs(phi - 0.5 * erfcWant) / (0.5 * erfcWant), `Φ(${-x * Math.SQRT2})`).toBeLessThan(1e-12);
    }
  });
});

describe('gelu', () => {
  it("matches torch's exact (erf) GELU on hand values", () => {
    for (const [x, want] of GELU) expect(Math.abs(gelu(x) - want), `gelu(${x})`).toBeLessThan(1e-15);
  });

  it('is the erf form, not the tanh approximation', () => {
    const tanhForm = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    expect(Math.abs(gelu(1) - tanhForm(1))).toBeGreaterThan(1e-4);
  });

  it('derivative matches central differences', () => {
    for (let x = -6; x <= 6; x += 0.37) {
      const h = 1e-6;
      const numeric = (gelu(x + h) - gelu(x - h)) / (2 * h);
      expect(Math.abs(geluDerivative(x) - numeric), `gelu'(${x})`).toBeLessThan(1e-8);
    }
  });
});
