import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiHandlers } from '../../../electron/engine/host/api-handlers.ts';
import type { JobRunner } from '../../../electron/engine/project/jobs.ts';
import type { PipelineRunner } from '../../../electron/engine/project/pipelines.ts';
import { newProjectFile, projectThreads, writeProjectFile } from '../../../electron/engine/project/project-file.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-pf-'));

describe('project threads', () => {
  it("a command's own thread count wins, else the project's, else none (all cores)", async () => {
    const dir = tmp();
    expect(await projectThreads(dir)).toBeUndefined(); // no project.json
    await writeProjectFile(dir, newProjectFile(dir, 1));
    expect(await projectThreads(dir)).toBeUndefined();
    expect(await projectThreads(dir, 3)).toBe(3);
    await writeProjectFile(dir, { ...newProjectFile(dir, 1), threads: 1 });
    expect(await projectThreads(dir)).toBe(1);
    expect(await projectThreads(dir, 4)).toBe(4);
  });

  it('a bad thread count in project.json is an error naming the field', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'project.json'), JSON.stringify({ ...newProjectFile(dir, 1), threads: 0 }));
    await expect(projectThreads(dir)).rejects.toThrow(/project\.json: field "threads"/);
  });

  it('project.create with reproducible stores one thread and the summary says so', async () => {
    const handlers = createApiHandlers(
      {} as JobRunner,
      { version: '0', mode: 'browser', projectsRoot: null },
      {} as PipelineRunner,
    );
    const a = path.join(tmp(), 'a');
    const b = path.join(tmp(), 'b');
    expect((await handlers['project.create']({ dir: a, reproducible: true })).reproducible).toBe(true);
    expect(JSON.parse(readFileSync(path.join(a, 'project.json'), 'utf8')).threads).toBe(1);
    expect((await handlers['project.create']({ dir: b })).reproducible).toBe(false);
    expect(JSON.parse(readFileSync(path.join(b, 'project.json'), 'utf8')).threads).toBeUndefined();
  });
});
