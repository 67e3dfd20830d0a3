import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceDirAtomic, writeFileAtomic } from '../../../electron/engine/project/atomic-io.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-atomic-'));

describe('atomic writes', () => {
  it('writeFileAtomic replaces a file and leaves no temporary behind', async () => {
    const dir = tmp();
    const f = path.join(dir, 'a.json');
    writeFileSync(f, 'old');
    await writeFileAtomic(f, 'new');
    expect(readFileSync(f, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('replaceDirAtomic swaps in the new folder only when building succeeds', async () => {
    const dir = tmp();
    const target = path.join(dir, 'data');
    mkdirSync(target);
    writeFileSync(path.join(target, 'x'), 'old');
    await expect(
      replaceDirAtomic(target, async (t) => {
        await writeFile(path.join(t, 'x'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(readFileSync(path.join(target, 'x'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['data']);
    await replaceDirAtomic(target, (t) => writeFile(path.join(t, 'y'), 'new'));
    expect(readdirSync(target)).toEqual(['y']);
    expect(readdirSync(dir)).toEqual(['data']);
  });
});
