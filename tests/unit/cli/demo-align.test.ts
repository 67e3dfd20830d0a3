import { describe, expect, it } from 'vitest';
import { alignLanes, byExpectedCost } from '../../../electron/cli/commands/demo-align.ts';

describe('demo alignment lanes', () => {
  it('splits the threads over at most one lane per method', () => {
    expect(alignLanes(2, 3, 3)).toEqual({ lanes: 2, threadsEach: 1 });
    expect(alignLanes(16, 3, 3)).toEqual({ lanes: 3, threadsEach: 5 });
    expect(alignLanes(1, 3, 3)).toEqual({ lanes: 1, threadsEach: 1 }); // --threads 1: in-process, one thread
    expect(alignLanes(8, 1, 3)).toEqual({ lanes: 1, threadsEach: 8 });
    expect(alignLanes(8, 3, 2)).toEqual({ lanes: 2, threadsEach: 4 });
  });

  it('starts the longest job first (default steps: H, then I, then B)', () => {
    const job = { project: 'p', seed: 1, threads: 1, maxTest: 1, explain: 0 };
    const order = (steps?: number[]) =>
      byExpectedCost((['B', 'I', 'H'] as const).map((method, k) => ({ ...job, method, steps: steps?.[k] }))).map(
        (j) => j.method,
      );
    expect(order()).toEqual(['H', 'I', 'B']);
    expect(order([5000, 100, 100])).toEqual(['B', 'H', 'I']);
  });
});
