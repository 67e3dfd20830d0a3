import { describe, expect, it } from 'vitest';
import { alignLanes, byExpectedCost } from '../../../electron/cli/commands/demo-align.ts';

describe('demo alignment lanes', () => {
  it('runs at most one lane per method, and at least one', () => {
    expect(alignLanes(2, 3)).toBe(2);
    expect(alignLanes(16, 3)).toBe(3);
    expect(alignLanes(1, 3)).toBe(1); // one after the other, in-process
    expect(alignLanes(0, 3)).toBe(1);
    expect(alignLanes(3, 2)).toBe(2);
  });

  it('starts the longest job first (default steps: B with 3,000, then H, then I, whose prompts are shortest)', () => {
    const job = { project: 'p', seed: 1, threads: 1, maxTest: 1, explain: 0 };
    const order = (steps?: number[]) =>
      byExpectedCost((['B', 'I', 'H'] as const).map((method, k) => ({ ...job, method, steps: steps?.[k] }))).map(
        (j) => j.method,
      );
    expect(order()).toEqual(['B', 'H', 'I']);
    expect(order([2000, 2000, 2000])).toEqual(['H', 'B', 'I']);
    expect(order([100, 100, 5000])).toEqual(['H', 'B', 'I']);
    expect(order([100, 5000, 100])).toEqual(['I', 'H', 'B']);
  });
});
