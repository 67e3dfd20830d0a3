/**
 * A stand-in for electron/engine/host/host-process.ts in the bridge tests: speaks the same messages
 * over the fork IPC channel, with behaviour the tests can trigger through ordinary requests:
 * - app.info: version `fake-<pid>` (a restart shows as a new pid), projectsRoot = the granted dir;
 * - project.open: answers with the dir, after 300 ms when it ends in "slow" (to interleave answers);
 * - jobs.cancel {job: "crash"}: exits without answering; other jobs: emits job.update, then answers;
 * - jobs.list: answers something that breaks the result schema (the client must reject it).
 */
import type { EventMessage, ResponseMessage } from '../../../electron/contracts/messages.ts';
import { isControlMessage } from '../../../electron/engine/host/host-protocol.ts';
import { emptyProjectSummary } from '../../helpers/project-summary.ts';

const granted: string[] = [];
const send = (m: ResponseMessage | EventMessage | { type: 'ready'; pid: number }) => process.send!(m);
const ok = (id: number, result: unknown) => send({ type: 'response', id, ok: true, result });

const summary = (dir: string) => emptyProjectSummary({ dir, name: dir.split('/').pop()! });

process.on('message', (m: unknown) => {
  if (isControlMessage(m)) {
    if (m.action === 'grant') granted.push(m.dir);
    else process.exit(0);
    return;
  }
  const req = m as { type: string; id: number; method: string; params: Record<string, unknown> };
  if (req.type !== 'request') return;
  switch (req.method) {
    case 'app.info':
      return ok(req.id, { version: `fake-${process.pid}`, mode: 'browser', projectsRoot: granted[0] ?? null });
    case 'project.open': {
      const dir = req.params.dir as string;
      setTimeout(() => ok(req.id, summary(dir)), dir.endsWith('slow') ? 300 : 0);
      return;
    }
    case 'jobs.cancel': {
      const job = req.params.job as string;
      if (job === 'crash') process.exit(3);
      const now = new Date(0).toISOString();
      send({
        type: 'event',
        event: 'job.update',
        data: {
          id: job,
          kind: 'explain',
          label: 'Explain',
          project: granted[0],
          state: 'cancelled',
          progress: null,
          run: null,
          error: null,
          createdAt: now,
          endedAt: now,
        },
      });
      return ok(req.id, { cancelled: true });
    }
    case 'jobs.list':
      return ok(req.id, [{ id: 'j1', kind: 'no-such-kind' }]);
    default:
      return send({ type: 'response', id: req.id, ok: false, error: { code: 'not-found', message: req.method } });
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
