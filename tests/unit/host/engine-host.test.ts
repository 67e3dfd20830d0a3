import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.ts';
import { EngineHost } from '../../../electron/engine/host/engine-host.ts';
import type { HostOutgoing } from '../../../electron/engine/host/host-protocol.ts';
import { emptyProjectSummary } from '../../helpers/project-summary.ts';

const root = path.resolve('/srv/projects');

function host() {
  const sent: HostOutgoing[] = [];
  const h = new EngineHost({
    send: (m) => sent.push(m),
    roots: [root],
    mode: 'browser',
    version: '1.2.3',
    projectsRoot: root,
    handlers: (jobs) => ({
      'project.open': async ({ dir }) => {
        if (dir.endsWith('missing')) throw new InputError(`${dir} is not a project folder`);
        return emptyProjectSummary({ dir });
      },
      'align.train': async (p) => ({
        job: jobs.submit('align.train', 'Align', p.project, async (ctx) => {
          ctx.metrics({ step: 1, loss: 2.5 });
          return { run: 'r' };
        }).id,
      }),
    }),
  });
  const responses = () => sent.filter((m) => m.type === 'response');
  return { h, sent, responses };
}

describe('EngineHost: one validated response per request', () => {
  it('answers app.info from its start options', async () => {
    const { h, responses } = host();
    await h.handle({ type: 'request', id: 1, method: 'app.info', params: {} });
    expect(responses()).toEqual([
      { type: 'response', id: 1, ok: true, result: { version: '1.2.3', mode: 'browser', projectsRoot: root } },
    ]);
    await h.close();
  });

  it('refuses malformed messages, unknown methods and bad params, naming the field', async () => {
    const { h, responses } = host();
    await h.handle('not an object');
    await h.handle({ type: 'request', id: 2, method: 'rm -rf', params: {} });
    await h.handle({
      type: 'request',
      id: 3,
      method: 'explorer.users',
      params: { project: root, offset: -1, limit: 10 },
    });
    const [a, b, c] = responses() as Extract<HostOutgoing, { ok: false }>[];
    expect(a).toMatchObject({ ok: false, id: -1, error: { code: 'input' } });
    expect(b).toMatchObject({ ok: false, id: 2, error: { code: 'input', message: 'unknown method "rm -rf"' } });
    expect(c).toMatchObject({ ok: false, id: 3, error: { code: 'input', field: 'offset' } });
    await h.close();
  });

  it('refuses paths outside the granted folders until they are granted', async () => {
    const { h, responses } = host();
    const other = path.resolve('/home/u/p');
    await h.handle({ type: 'request', id: 4, method: 'project.open', params: { dir: other } });
    await h.handle({ type: 'control', action: 'grant', dir: path.resolve('/home/u') });
    await h.handle({ type: 'request', id: 5, method: 'project.open', params: { dir: other } });
    const [denied, ok] = responses();
    expect(denied).toMatchObject({ ok: false, error: { code: 'forbidden', field: 'dir' } });
    expect(ok).toMatchObject({ ok: true, result: { dir: other } });
    await h.close();
  });

  it('turns engine errors into input errors and starts jobs that report through validated events', async () => {
    const { h, sent, responses } = host();
    await h.handle({ type: 'request', id: 6, method: 'project.open', params: { dir: path.join(root, 'missing') } });
    await h.handle({
      type: 'request',
      id: 7,
      method: 'align.train',
      params: { project: path.join(root, 'p'), method: 'I' },
    });
    await h.jobs.idle();
    await h.close();
    const [err, started] = responses();
    expect(err).toMatchObject({
      ok: false,
      error: { code: 'input', message: expect.stringContaining('not a project') },
    });
    expect(started).toMatchObject({ ok: true, result: { job: expect.any(String) } });
    const events = sent.filter((m) => m.type === 'event') as { event: string; data: { state?: string } }[];
    expect(events.filter((e) => e.event === 'job.update').map((e) => e.data.state)).toEqual([
      'queued',
      'running',
      'done',
    ]);
    expect(events.some((e) => e.event === 'job.metrics')).toBe(true);
  });
});
