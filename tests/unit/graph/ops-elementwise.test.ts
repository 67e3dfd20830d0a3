/** Gradient rules of the element-wise ops (ops/elementwise.ts, ops/activations.ts) against finite differences. */
import { describe, it } from 'vitest';
import type { Value } from '../../../electron/engine/graph/graph.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { expectGradient, type GradInput } from './gradcheck.ts';

type Binary = (a: op.Operand, b: op.Operand) => Value;
const BINARY: [string, Binary][] = [
  ['Add', op.add],
  ['Sub', op.sub],
  ['Mul', op.mul],
  ['Div', op.div],
];
// [a dims, b dims]: same shape, trailing vector, size-1 axis, broadcast both ways, rank-0.
const BROADCASTS: [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [[2, 3, 4], [4]],
  [
    [2, 3, 4],
    [2, 1, 4],
  ],
  [[4], [2, 3, 4]],
  [
    [2, 1, 4],
    [3, 1],
  ],
  [
    [3, 1],
    [2, 1, 4],
  ],
  [[2, 3], []],
];

describe('binary ops with broadcasting', () => {
  for (const [name, f] of BINARY) {
    for (const [da, db] of BROADCASTS) {
      it(`${name} [${da}] with [${db}]`, async () => {
        // Divisors stay away from 0 so the finite differences stay well conditioned.
        const b: GradInput = name === 'Div' ? { name: 'b', dims: db, positive: 0.5 } : { name: 'b', dims: db };
        await expectGradient(`${name} [${da}]·[${db}]`, [{ name: 'a', dims: da }, b], (x, y) => f(x, y));
      });
    }
    it(`${name} with a number on either side`, async () => {
      const pos = name === 'Div' ? 0.5 : undefined;
      await expectGradient(`${name} x·2`, [{ name: 'x', dims: [2, 3] }], (x) => f(x, 2.5));
      await expectGradient(`${name} 2·x`, [{ name: 'x', dims: [2, 3], positive: pos }], (x) => f(2.5, x));
    });
  }
  it('the same value on both sides', async () => {
    await expectGradient('x·x', [{ name: 'x', dims: [3, 4] }], (x) => op.mul(x, x));
    await expectGradient('x/x²', [{ name: 'x', dims: [3, 4], positive: 0.5 }], (x) => op.div(x, op.mul(x, x)));
  });
});

const UNARY: [string, (x: Value) => Value, Partial<GradInput>][] = [
  ['Neg', op.neg, {}],
  ['Exp', op.exp, {}],
  ['Log', op.log, { positive: 0.2 }],
  ['Sqrt', op.sqrt, { positive: 0.2 }],
  ['Reciprocal', op.reciprocal, { positive: 0.5 }],
  ['Pow 2', (x) => op.pow(x, 2), {}],
  ['Pow 3', (x) => op.pow(x, 3), {}],
  ['Pow 0.5', (x) => op.pow(x, 0.5), { positive: 0.2 }],
  ['Pow -1.5', (x) => op.pow(x, -1.5), { positive: 0.5 }],
  ['Sigmoid', op.sigmoid, {}],
  ['Tanh', op.tanh, {}],
  ['Relu', op.relu, { margin: 0.05 }],
  ['Abs', op.abs, { margin: 0.05 }],
  ['Identity', op.identity, {}],
  ['GELU tanh', (x) => op.gelu(x, 'tanh'), {}],
  ['SiLU', op.silu, {}],
];

describe('unary ops', () => {
  for (const [name, f, extra] of UNARY) {
    it(name, async () => {
      await expectGradient(name, [{ name: 'x', dims: [2, 3, 4], ...extra }], f);
    });
  }
  // ORT has no float64 Erf kernel: float32 with a coarser step and tolerance.
  it('Erf (float32)', async () => {
    await expectGradient('Erf', [{ name: 'x', dims: [3, 4] }], op.erf, { dtype: 'float32', eps: 1e-2, tol: 2e-3 });
  });
  it('GELU erf form (float32)', async () => {
    await expectGradient('GELU erf', [{ name: 'x', dims: [3, 4] }], (x) => op.gelu(x), {
      dtype: 'float32',
      eps: 1e-2,
      tol: 2e-3,
    });
  });
  it('float32 activations', async () => {
    const o = { dtype: 'float32' as const, eps: 1e-2 };
    await expectGradient('SiLU f32', [{ name: 'x', dims: [3, 4] }], op.silu, o);
    await expectGradient('Sigmoid f32', [{ name: 'x', dims: [3, 4] }], op.sigmoid, o);
    await expectGradient('GELU tanh f32', [{ name: 'x', dims: [3, 4] }], (x) => op.gelu(x, 'tanh'), o);
  });
});

describe('Where and Cast', () => {
  const cond: GradInput = {
    name: 'cond',
    dims: [2, 3],
    dtype: 'bool',
    data: Uint8Array.of(1, 0, 0, 1, 1, 0),
    differentiable: false,
  };
  it('Where with both branches', async () => {
    await expectGradient('Where', [cond, { name: 'a', dims: [2, 3] }, { name: 'b', dims: [2, 3] }], (c, a, b) =>
      op.where(c, a, b),
    );
  });
  it('Where with broadcast branches and a number', async () => {
    await expectGradient('Where bcast', [cond, { name: 'a', dims: [3] }, { name: 'b', dims: [2, 1] }], (c, a, b) =>
      op.where(c, a, b),
    );
    await expectGradient('Where number', [cond, { name: 'a', dims: [2, 3] }], (c, a) => op.where(c, 0, a));
  });
  it('Cast float64→float64 is a no-op', async () => {
    await expectGradient('Cast f64', [{ name: 'x', dims: [2, 3] }], (x) => op.tanh(op.cast(x, 'float64')));
  });
  it('Cast float32→float64 returns a float32 gradient', async () => {
    await expectGradient('Cast f32→f64', [{ name: 'x', dims: [2, 3], dtype: 'float32', eps: 1e-3 }], (x) =>
      op.tanh(op.cast(x, 'float64')),
    );
  });
});
