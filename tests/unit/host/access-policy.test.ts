import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessError, deniedPath, isInside, requestPaths } from '../../../electron/engine/host/access-policy.ts';

const root = path.resolve('/srv/projects');

describe('access policy: requests reach only granted folders', () => {
  it('accepts the root itself and folders below it', () => {
    expect(isInside(root, root)).toBe(true);
    expect(isInside(path.join(root, 'a', 'b'), root)).toBe(true);
  });

  it('refuses siblings, parents, prefix look-alikes and .. escapes', () => {
    expect(isInside('/srv/projects-other', root)).toBe(false);
    expect(isInside('/srv', root)).toBe(false);
    expect(isInside(path.join(root, '..', 'secret'), root)).toBe(false);
    expect(isInside(`${root}/a/../../etc`, root)).toBe(false);
  });

  it('checks every path field of a request and names the first denied one', () => {
    const p = { project: path.join(root, 'p1'), input: '/home/u/data' };
    expect(requestPaths('dataset.import', p).map((x) => x.field)).toEqual(['project', 'input']);
    expect(deniedPath('dataset.import', p, [root])).toEqual({ field: 'input', path: '/home/u/data' });
    expect(deniedPath('dataset.import', p, [root, '/home/u'])).toBeNull();
  });

  it('refuses relative paths (they would resolve against the host process cwd)', () => {
    const d = deniedPath('project.open', { dir: 'projects/p1' }, [process.cwd()]);
    expect(d).toEqual({ field: 'dir', path: 'projects/p1' });
    expect(accessError(d!)).toMatchObject({ code: 'forbidden', field: 'dir' });
  });

  it('lets path-free requests through with no roots at all', () => {
    expect(deniedPath('jobs.list', {}, [])).toBeNull();
    expect(deniedPath('project.open', { dir: root }, [])).toEqual({ field: 'dir', path: root });
  });
});
