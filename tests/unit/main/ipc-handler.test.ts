import { describe, expect, it, vi } from 'vitest';
import type { ValidRequest } from '../../../electron/contracts/messages.ts';
import { createIpcRequestHandler, isTrustedSender } from '../../../electron/main/ipc-handler.ts';
import type { HostReply } from '../../../electron/main/pending-requests.ts';

const PROJECT = '/home/ada/projects/ml1m';

function setup(opts: { trusted?: boolean; chosen?: string | null; roots?: string[] } = {}) {
  const roots = [...(opts.roots ?? [PROJECT])];
  const forward = vi.fn(async (r: ValidRequest): Promise<HostReply> => ({ ok: true, result: { echo: r.method } }));
  const grant = vi.fn((dir: string) => {
    roots.push(dir);
  });
  const chooseFolder = vi.fn(async () => (opts.chosen === undefined ? '/home/ada/new' : opts.chosen));
  const handle = createIpcRequestHandler<string>({
    isTrustedSender: () => opts.trusted ?? true,
    roots: () => roots,
    chooseFolder,
    grant,
    forward,
  });
  return { handle, forward, grant, chooseFolder, roots };
}

const req = (id: number, method: string, params: unknown) => ({ type: 'request', id, method, params });

describe('IPC request handling in main', () => {
  it('forwards a valid request inside a granted folder and answers with the renderer id', async () => {
    const { handle, forward } = setup();
    const res = await handle('frame', req(7, 'runs.list', { project: `${PROJECT}/` }));
    expect(res).toEqual({ type: 'response', id: 7, ok: true, result: { echo: 'runs.list' } });
    expect(forward).toHaveBeenCalledWith({ id: 7, method: 'runs.list', params: { project: `${PROJECT}/` } });
  });

  it('refuses requests from any frame but the app window, before looking at them', async () => {
    const { handle, forward } = setup({ trusted: false });
    const res = await handle('iframe', req(3, 'jobs.list', {}));
    expect(res).toMatchObject({ id: 3, ok: false, error: { code: 'forbidden' } });
    expect(forward).not.toHaveBeenCalled();
  });

  it('rejects malformed requests, unknown methods and bad params with the field named', async () => {
    const { handle, forward } = setup();
    expect(await handle('f', { id: 1, method: 'jobs.list' })).toMatchObject({
      id: 1,
      ok: false,
      error: { code: 'input' },
    });
    expect(await handle('f', req(2, 'fs.readFile', {}))).toMatchObject({
      ok: false,
      error: { code: 'input', message: 'unknown method "fs.readFile"' },
    });
    const bad = await handle('f', req(3, 'explorer.users', { project: PROJECT, offset: -1, limit: 10 }));
    expect(bad).toMatchObject({ id: 3, ok: false, error: { code: 'input', field: 'offset' } });
    expect(await handle('f', 'not an object')).toMatchObject({ id: -1, ok: false });
    expect(forward).not.toHaveBeenCalled();
  });

  it('refuses paths outside the folders the user picked, naming the field', async () => {
    const { handle, forward } = setup();
    const cases: [string, unknown, string][] = [
      ['project.open', { dir: '/etc' }, 'dir'],
      ['runs.list', { project: `${PROJECT}/../other` }, 'project'],
      ['dataset.import', { project: PROJECT, format: 'csv', input: '/home/ada/.ssh' }, 'input'],
      ['llm.useHf', { project: PROJECT, dir: 'relative/model' }, 'dir'],
      ['runs.list', { project: '/home/ada/projects/ml1m-evil' }, 'project'],
    ];
    for (const [method, params, field] of cases) {
      const res = await handle('f', req(9, method, params));
      expect(res, method).toMatchObject({ id: 9, ok: false, error: { code: 'forbidden', field } });
    }
    expect(forward).not.toHaveBeenCalled();
  });

  it('project.choose shows the dialog in main and grants the chosen folder', async () => {
    const { handle, grant, chooseFolder, forward, roots } = setup();
    const res = await handle('f', req(4, 'project.choose', { purpose: 'create' }));
    expect(chooseFolder).toHaveBeenCalledWith('create');
    expect(res).toEqual({ type: 'response', id: 4, ok: true, result: { dir: '/home/ada/new' } });
    expect(grant).toHaveBeenCalledWith('/home/ada/new');
    expect(forward).not.toHaveBeenCalled();
    expect(roots).toContain('/home/ada/new');
    // The granted folder is usable right away.
    expect(await handle('f', req(5, 'project.create', { dir: '/home/ada/new' }))).toMatchObject({ ok: true });
  });

  it('a cancelled dialog grants nothing', async () => {
    const { handle, grant } = setup({ chosen: null });
    expect(await handle('f', req(4, 'project.choose', { purpose: 'open' }))).toMatchObject({
      ok: true,
      result: { dir: null },
    });
    expect(grant).not.toHaveBeenCalled();
  });

  it('turns an engine error or a forwarding failure into an error response', async () => {
    const { handle, forward } = setup();
    forward.mockResolvedValueOnce({ ok: false, error: { code: 'not-found', message: 'no such run' } });
    expect(await handle('f', req(1, 'runs.eval', { project: PROJECT, run: 'x' }))).toEqual({
      type: 'response',
      id: 1,
      ok: false,
      error: { code: 'not-found', message: 'no such run' },
    });
    forward.mockRejectedValueOnce(new Error('channel closed'));
    expect(await handle('f', req(2, 'jobs.list', {}))).toMatchObject({
      id: 2,
      ok: false,
      error: { code: 'internal', message: 'channel closed' },
    });
  });
});

describe('IPC sender check', () => {
  const main = { url: 'app://recx/index.html', processId: 4, routingId: 1 };

  it('accepts only the main window top frame showing an app page', () => {
    expect(isTrustedSender({ ...main, url: 'app://recx/index.html#/runs' }, main)).toBe(true);
    expect(isTrustedSender({ ...main, routingId: 2 }, main)).toBe(false);
    expect(isTrustedSender({ ...main, processId: 5 }, main)).toBe(false);
    expect(isTrustedSender({ ...main, url: 'https://example.com/' }, main)).toBe(false);
    expect(isTrustedSender(null, main)).toBe(false);
    expect(isTrustedSender(main, null)).toBe(false);
  });
});
