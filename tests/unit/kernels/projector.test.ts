import { describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.ts';
import {
  initProjector,
  projectorBackward,
  projectorForward,
  projectorFromTensors,
  projectorTensors,
} from '../../../electron/engine/kernels/projector.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { centralDifferences, dot, project64, randomArray, toFloat64, worstError } from './injection-float64.ts';

describe('initProjector', () => {
  it('is deterministic per seed and independent per kind and tensor', () => {
    const a = initProjector({ kind: 'user', dRec: 8, dModel: 6, seed: 7 });
    const b = initProjector({ kind: 'user', dRec: 8, dModel: 6, seed: 7 });
    expect(b).toEqual(a);
    const c = initProjector({ kind: 'user', dRec: 8, dModel: 6, seed: 8 });
    const item = initProjector({ kind: 'item', dRec: 8, dModel: 6, seed: 7 });
    expect(c.fc1Weight).not.toEqual(a.fc1Weight);
    expect(item.fc1Weight).not.toEqual(a.fc1Weight);
    expect(a.fc1Bias).not.toEqual(a.fc1Weight.subarray(0, 3));
  });

  it("uses torch.nn.Linear's default bounds U(±1/√fan_in) and h/2 hidden units", () => {
    const p = initProjector({ kind: 'item', dRec: 16, dModel: 10, seed: 1 });
    expect([p.dRec, p.dMid, p.dModel]).toEqual([16, 5, 10]);
    expect([p.fc1Weight.length, p.fc1Bias.length, p.fc2Weight.length, p.fc2Bias.length]).toEqual([80, 5, 50, 10]);
    const within = (a: Float32Array, bound: number) => a.every((v) => Math.abs(v) <= bound);
    expect(within(p.fc1Weight, 1 / 4) && within(p.fc1Bias, 1 / 4)).toBe(true);
    expect(within(p.fc2Weight, 1 / Math.sqrt(5)) && within(p.fc2Bias, 1 / Math.sqrt(5))).toBe(true);
    // spread over the whole interval, not clustered
    expect(Math.max(...p.fc1Weight)).toBeGreaterThan(0.2);
    expect(Math.min(...p.fc1Weight)).toBeLessThan(-0.2);
  });

  it('rejects empty sizes', () => {
    expect(() => initProjector({ kind: 'user', dRec: 0, dModel: 4, seed: 1 })).toThrow(/dRec/);
    expect(() => initProjector({ kind: 'user', dRec: 3, dModel: 1, seed: 1 })).toThrow(/dMid/);
  });
});

describe('projector tensors', () => {
  it('round-trips through proj_{kind}.{fc1,fc2}.{weight,bias} in torch layout', () => {
    const p = initProjector({ kind: 'user', dRec: 4, dModel: 6, seed: 3 });
    const t = projectorTensors('user', p);
    expect([...t.keys()]).toEqual([
      'proj_user.fc1.weight',
      'proj_user.fc1.bias',
      'proj_user.fc2.weight',
      'proj_user.fc2.bias',
    ]);
    expect(t.get('proj_user.fc1.weight')!.dims).toEqual([3, 4]);
    expect(t.get('proj_user.fc2.weight')!.dims).toEqual([6, 3]);
    expect(projectorFromTensors('user', t)).toEqual(p);
  });

  it('names the missing or mis-shaped tensor', () => {
    const t = projectorTensors('item', initProjector({ kind: 'item', dRec: 4, dModel: 6, seed: 3 }));
    expect(() => projectorFromTensors('user', t)).toThrow(InputError);
    const bad = new Map(t);
    bad.set('proj_item.fc2.bias', { dtype: 'float32', dims: [5], data: new Float32Array(5) });
    expect(() => projectorFromTensors('item', bad)).toThrow(/proj_item\.fc2\.bias has shape \[5\], expected \[6\]/);
  });
});

describe('projector forward / backward', () => {
  const rng = new Rng(11);
  const p = initProjector({ kind: 'user', dRec: 5, dModel: 8, seed: 5 });
  // larger biases so the GELU is exercised on both sides and in its curved middle
  for (let i = 0; i < p.fc1Bias.length; i++) p.fc1Bias[i] = rng.normal();
  const S = 3;
  const x = randomArray(S * p.dRec, rng);

  it('forward matches the float64 definition, row by row', () => {
    const acts = projectorForward(p, x, S);
    const p64 = toFloat64(p);
    for (let s = 0; s < S; s++) {
      const want = project64(p64, x.subarray(s * 5, s * 5 + 5));
      for (let c = 0; c < 8; c++) expect(acts.out[s * 8 + c]).toBeCloseTo(want[c], 6);
    }
  });

  it('gradients (weights, biases, input) match central differences of Σ out·R in float64', () => {
    const R = randomArray(S * p.dModel, rng);
    const acts = projectorForward(p, x, S);
    const { grads, dInput } = projectorBackward(p, acts, R, { inputGrad: true });
    const p64 = toFloat64(p);
    const x64 = Float64Array.from(x);
    const loss = () => {
      let l = 0;
      for (let s = 0; s < S; s++)
        l += dot(project64(p64, x64.subarray(s * 5, s * 5 + 5)), R.subarray(s * 8, s * 8 + 8));
      return l;
    };
    for (const [name, analytic, param] of [
      ['fc1Weight', grads.fc1Weight, p64.fc1Weight],
      ['fc1Bias', grads.fc1Bias, p64.fc1Bias],
      ['fc2Weight', grads.fc2Weight, p64.fc2Weight],
      ['fc2Bias', grads.fc2Bias, p64.fc2Bias],
      ['input', dInput!, x64],
    ] as const) {
      const numeric = centralDifferences(loss, param, 1e-6);
      expect(worstError(analytic, numeric, 1e-6, 1e-5).worst, name).toBeLessThanOrEqual(1);
    }
  });

  it('leaves d input out unless asked', () => {
    const acts = projectorForward(p, x, S);
    expect(projectorBackward(p, acts, new Float32Array(S * 8)).dInput).toBeUndefined();
  });
});
