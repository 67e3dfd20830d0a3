import { afterAll, expect, it } from 'vitest';
import { startBridgeServer } from '../../../electron/bridge/server.ts';
import { makeFixture, TestSocket } from './bridge-helpers.ts';

const f = makeFixture();
afterAll(() => f.cleanup());

it('drives the real engine host (host-process.ts) and stops it promptly', async () => {
  const bridge = await startBridgeServer({ root: f.root, staticDir: f.staticDir, log: () => {} });
  await bridge.whenHostReady();
  const pid = bridge.hostPid()!;
  const s = await TestSocket.open(bridge.wsUrl);
  s.send({ type: 'request', id: 1, method: 'app.info', params: {} });
  expect(await s.response(1)).toMatchObject({ ok: true, result: { mode: 'browser', projectsRoot: f.root } });
  const t0 = Date.now();
  await bridge.close();
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(() => process.kill(pid, 0)).toThrow();
});
