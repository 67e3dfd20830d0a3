import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRunDir, newRunId } from '../../../electron/engine/align/runs.ts';

let project = '';
afterEach(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('run folders', () => {
  it('names a run by method and start time', () => {
    expect(newRunId('I', new Date('2026-11-29T01:35:12.345Z'))).toBe('align-I-20261129-013512');
  });

  it('gives runs started in the same second distinct folders, even concurrently', async () => {
    project = await mkdtemp(path.join(os.tmpdir(), 'recx-runs-'));
    const now = new Date('2026-11-29T01:35:12Z');
    const ids = await Promise.all([1, 2, 3].map(() => createRunDir(project, 'B', now)));
    expect(new Set(ids).size).toBe(3);
    expect(ids.sort()).toEqual(['align-B-20261129-013512', 'align-B-20261129-013512-2', 'align-B-20261129-013512-3']);
    expect((await readdir(path.join(project, 'runs'))).sort()).toEqual(ids);
  });
});
