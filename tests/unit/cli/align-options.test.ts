import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { trainCountsOption } from '../../../electron/cli/commands/align.ts';

describe('recx align train --train-counts', () => {
  it('reads task=count pairs', () => {
    expect(trainCountsOption('2=3000,3=8000')).toEqual({ 2: 3000, 3: 8000 });
    expect(trainCountsOption('7=1')).toEqual({ 7: 1 });
  });

  it('names the pair it cannot read', () => {
    for (const bad of ['2:3000', '8=10', '3=0', '3=x', '=5'])
      expect(() => trainCountsOption(bad), bad).toThrow(new RegExp(`got "${bad}"`));
    expect(() => trainCountsOption('2=5,9=1')).toThrow(InvalidArgumentError);
  });
});
