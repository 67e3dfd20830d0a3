import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type InjectionSlot,
  injectBackward,
  injectForward,
  packSlots,
} from '../../../electron/engine/kernels/embedding-injection.ts';
import { loadInjectionKernels, tsReferenceKernels } from '../../../electron/engine/kernels/injection-kernels.ts';
import { initProjector, type Projector } from '../../../electron/engine/kernels/projector.ts';
import { Rng } from '../../../electron/engine/random.ts';
import {
  type Case64,
  centralDifferences,
  dot,
  inject64,
  randomArray,
  slots64,
  toFloat64,
  worstError,
} from './injection-float64.ts';

const f32 = (...v: number[]) => Float32Array.from(v);

/** A projector with dMid = 1 and hand-set weights. */
function handProjector(w1: number[], b1: number, w2: number[], b2: number[]): Projector {
  return {
    dRec: w1.length,
    dMid: 1,
    dModel: w2.length,
    fc1Weight: f32(...w1),
    fc1Bias: f32(b1),
    fc2Weight: f32(...w2),
    fc2Bias: f32(...b2),
  };
}

describe('injectForward', () => {
  it('adds P_kind(vec) to E[tok] at slot positions only (hand computation)', () => {
    // V = 4, C = 2; rows 2 = <user>, 3 = <item>
    const table = f32(0.1, 0.2, -1, 1, 0.5, 0.5, -0.25, 0);
    const user = handProjector([2], -1, [1, -0.5], [0.25, 0]); // vec 1.5 → pre 2 → gelu 1.9544997361
    const item = handProjector([0.5, -1], 0, [2, 1], [0, 0]); // vec (2, 2) → pre −1 → gelu −0.1586552539
    const { embeds } = injectForward({
      tokens: Int32Array.from([1, 2, 0, 3, 3, 2]),
      B: 2,
      T: 3,
      C: 2,
      table,
      slots: [
        { b: 0, t: 1, kind: 'user', vector: f32(1.5) },
        { b: 1, t: 0, kind: 'item', vector: f32(2, 2) },
      ],
      projectors: { user, item },
    });
    const g2 = 1.9544997361036416;
    const gm1 = -0.15865525393145707;
    const want = [-1, 1, 0.5 + g2 + 0.25, 0.5 - 0.5 * g2, 0.1, 0.2, -0.25 + 2 * gm1, gm1, -0.25, 0, 0.5, 0.5];
    for (const [i, w] of want.entries()) expect(embeds[i]).toBeCloseTo(w, 6);
  });

  it('rejects what would desync placeholders and vectors', () => {
    const user = initProjector({ kind: 'user', dRec: 2, dModel: 2, seed: 1 });
    const base = { tokens: Int32Array.from([0, 1]), B: 1, T: 2, C: 2, table: new Float32Array(4) };
    const slot = (t: number, vector = f32(1, 1)): InjectionSlot => ({ b: 0, t, kind: 'user', vector });
    expect(() => injectForward({ ...base, slots: [slot(0), slot(0)], projectors: { user } })).toThrow(/two slots/);
    expect(() => injectForward({ ...base, slots: [slot(2)], projectors: { user } })).toThrow(/outside/);
    expect(() => injectForward({ ...base, slots: [slot(0, f32(1))], projectors: { user } })).toThrow(/vector values/);
    expect(() => injectForward({ ...base, slots: [{ ...slot(0), kind: 'item' }], projectors: { user } })).toThrow(
      /no item projector/,
    );
    expect(() => injectForward({ ...base, tokens: Int32Array.from([0, 2]), slots: [], projectors: {} })).toThrow(
      /token 2/,
    );
  });
});

describe('injectBackward', () => {
  // B 2, T 5, C 6, V 8; <user> = 6, <item> = 7. Several item slots in one row, both kinds in a row,
  // <user>/<item> tokens also outside slots, a slot on an ordinary token, different d_rec per kind.
  const B = 2;
  const T = 5;
  const C = 6;
  const V = 8;
  const tokens = Int32Array.from([6, 1, 7, 6, 7, 2, 6, 0, 7, 7]);
  const rng = new Rng(2024);
  const table = randomArray(V * C, rng);
  const user = initProjector({ kind: 'user', dRec: 4, dModel: C, seed: 1 });
  const item = initProjector({ kind: 'item', dRec: 3, dModel: C, seed: 1 });
  for (const p of [user, item]) for (let i = 0; i < p.fc1Bias.length; i++) p.fc1Bias[i] = rng.normal();
  const slots: InjectionSlot[] = [
    { b: 0, t: 0, kind: 'user', vector: randomArray(4, rng) },
    { b: 0, t: 2, kind: 'item', vector: randomArray(3, rng) },
    { b: 0, t: 4, kind: 'item', vector: randomArray(3, rng) },
    { b: 1, t: 1, kind: 'user', vector: randomArray(4, rng) },
    { b: 1, t: 3, kind: 'item', vector: randomArray(3, rng) },
    { b: 1, t: 0, kind: 'item', vector: randomArray(3, rng) }, // on token 2, not a placeholder
  ];
  const R = randomArray(B * T * C, rng); // loss = Σ out·R, so dOut = R
  const trainedRows = [6, 7, 3, 6]; // 3 never occurs; 6 listed twice

  it('every gradient matches central differences of a float64 forward', () => {
    const fwd = injectForward({ tokens, B, T, C, table, slots, projectors: { user, item } });
    const g = injectBackward(R, fwd.saved, { trainedRows, vectorGrads: true });
    const k: Case64 = {
      tokens,
      B,
      T,
      C,
      table: Float64Array.from(table),
      slots: slots64(slots),
      projectors: { user: toFloat64(user), item: toFloat64(item) },
    };
    const loss = () => dot(inject64(k), R);
    expect(Math.abs(dot(fwd.embeds, R) - loss())).toBeLessThan(1e-5);

    const checks: [string, ArrayLike<number>, Float64Array][] = [];
    for (const kind of ['user', 'item'] as const) {
      const p64 = k.projectors[kind]!;
      const pg = g.projectors[kind]!;
      checks.push(
        [`${kind}.fc1.weight`, pg.fc1Weight, p64.fc1Weight],
        [`${kind}.fc1.bias`, pg.fc1Bias, p64.fc1Bias],
        [`${kind}.fc2.weight`, pg.fc2Weight, p64.fc2Weight],
        [`${kind}.fc2.bias`, pg.fc2Bias, p64.fc2Bias],
      );
      const mine = k.slots.filter((s) => s.kind === kind);
      const dVec = g.vectors![kind]!;
      for (const [i, s] of mine.entries()) {
        const D = s.vector.length;
        checks.push([`${kind} vector ${i}`, dVec.subarray(i * D, (i + 1) * D), s.vector]);
      }
    }
    for (const r of [6, 7, 3]) checks.push([`row ${r}`, g.rows.get(r)!, k.table.subarray(r * C, (r + 1) * C)]);
    for (const [name, analytic, param] of checks) {
      const numeric = centralDifferences(loss, param, 1e-6);
      expect(worstError(analytic, numeric, 1e-6, 1e-5).worst, name).toBeLessThanOrEqual(1);
    }
  });

  it('a trained row gets Σ dOut over every position holding it; unlisted rows get nothing', () => {
    const fwd = injectForward({ tokens, B, T, C, table, slots, projectors: { user, item } });
    const g = injectBackward(R, fwd.saved, { trainedRows });
    expect([...g.rows.keys()].sort()).toEqual([3, 6, 7]);
    expect(g.rows.get(3)).toEqual(new Float32Array(C));
    const want = new Float64Array(C);
    for (const p of [2, 4, 8, 9]) for (let c = 0; c < C; c++) want[c] += R[p * C + c]; // <item> positions
    expect(g.rows.get(7)).toEqual(Float32Array.from(want));
    expect(g.vectors).toBeUndefined();
  });

  it('a kind without slots in the batch gets no gradient entry (torch: grad None)', () => {
    const fwd = injectForward({
      tokens,
      B,
      T,
      C,
      table,
      slots: slots.filter((s) => s.kind === 'item'),
      projectors: { user, item },
    });
    const g = injectBackward(R, fwd.saved, { trainedRows: [] });
    expect(Object.keys(g.projectors)).toEqual(['item']);
    expect(g.rows.size).toBe(0);
  });

  it('the list and compact slot layouts give identical results', () => {
    const a = injectForward({ tokens, B, T, C, table, slots, projectors: { user, item } });
    const b = injectForward({ tokens, B, T, C, table, slots: packSlots(slots, T), projectors: { user, item } });
    expect(b.embeds).toEqual(a.embeds);
    expect(injectBackward(R, b.saved, { trainedRows })).toEqual(injectBackward(R, a.saved, { trainedRows }));
  });
});

describe('injection properties', () => {
  const caseArb = fc
    .record({ B: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 1, max: 5 }), C: fc.integer({ min: 2, max: 6 }) })
    .chain(({ B, T, C }) =>
      fc.record({
        B: fc.constant(B),
        T: fc.constant(T),
        C: fc.constant(C),
        V: fc.constant(4),
        tokens: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: B * T, maxLength: B * T }),
        table: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 4 * C, maxLength: 4 * C }),
        slotAt: fc.subarray([...Array(B * T).keys()]),
        seed: fc.integer(),
      }),
    );

  it('without slots the output is exactly E[tok]; with zero fc2 weights and biases it equals E[tok]', () => {
    fc.assert(
      fc.property(caseArb, ({ B, T, C, tokens, table, slotAt, seed }) => {
        const tok = Int32Array.from(tokens);
        const E = Float32Array.from(table);
        const want = new Float32Array(B * T * C);
        for (let p = 0; p < tok.length; p++) want.set(E.subarray(tok[p] * C, (tok[p] + 1) * C), p * C);
        const plain = injectForward({ tokens: tok, B, T, C, table: E, slots: [], projectors: {} }).embeds;
        expect(new Uint32Array(plain.buffer)).toEqual(new Uint32Array(want.buffer)); // bit for bit, −0 kept
        const item = initProjector({ kind: 'item', dRec: 3, dModel: C, seed });
        item.fc2Weight.fill(0);
        item.fc2Bias.fill(0);
        const rng = new Rng(seed);
        const slots = slotAt.map((p) => ({
          b: Math.floor(p / T),
          t: p % T,
          kind: 'item' as const,
          vector: randomArray(3, rng),
        }));
        const zeroed = injectForward({ tokens: tok, B, T, C, table: E, slots, projectors: { item } }).embeds;
        for (let i = 0; i < want.length; i++) expect(zeroed[i] === want[i]).toBe(true); // +0 added to −0 gives +0
      }),
    );
  });
});

describe('loadInjectionKernels', () => {
  it('returns the TS reference for now and says why', () => {
    const k = loadInjectionKernels();
    expect(k.name).toBe('ts-reference');
    expect(k.fallbackReason).toMatch(/native/);
    expect(k.forward).toBe(tsReferenceKernels.forward);
    expect(k.backward).toBe(tsReferenceKernels.backward);
  });
});
