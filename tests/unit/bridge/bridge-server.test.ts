import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../../../electron/bridge/server.ts';
import { type Fixture, makeFixture, rawGet, SECRET, startTestBridge, TestSocket } from './bridge-helpers.ts';

let f: Fixture;
let bridge: BridgeServer;
let wsBase: string;

beforeAll(async () => {
  f = makeFixture();
  ({ bridge } = await startTestBridge(f));
  wsBase = `ws://127.0.0.1:${bridge.port}/api`;
});

afterAll(async () => {
  await bridge?.close();
  f?.cleanup();
});

describe('static files', () => {
  it('serves index.html for / with strict headers, whatever the query', async () => {
    const r = await rawGet(bridge.port, `/?token=${bridge.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<div id="root">');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const csp = r.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${bridge.port} ws://localhost:${bridge.port}`);
  });

  it('serves assets with their content type and 404s missing files', async () => {
    const js = await rawGet(bridge.port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(bridge.port, '/assets/missing.js')).status).toBe(404);
    expect((await rawGet(bridge.port, '/assets')).status).toBe(404);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2E%2E/%2E%2E/secret.txt',
    '/..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/%2Fetc%2Fpasswd',
  ])('refuses to leave the build folder: %s', async (p) => {
    const r = await rawGet(bridge.port, p);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain(SECRET);
  });
});

describe('WebSocket admission', () => {
  it('refuses a wrong token, a missing token and a foreign origin', async () => {
    await expect(TestSocket.open(`${wsBase}?token=${'0'.repeat(64)}`)).rejects.toMatchObject({ status: 401 });
    await expect(TestSocket.open(`${wsBase}?token=${bridge.token.slice(0, 63)}`)).rejects.toMatchObject({
      status: 401,
    });
    await expect(TestSocket.open(wsBase)).rejects.toMatchObject({ status: 401 });
    await expect(
      TestSocket.open(`${wsBase}?token=${bridge.token}`, { Origin: 'http://evil.example' }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      TestSocket.open(`${wsBase}?token=${bridge.token}`, { Origin: `http://127.0.0.1:${bridge.port + 1}` }),
    ).rejects.toMatchObject({ status: 403 });
  });

  it('admits the right token from its own origin or without an origin', async () => {
    const a = await TestSocket.open(`${wsBase}?token=${bridge.token}`, { Origin: `http://localhost:${bridge.port}` });
    const b = await TestSocket.open(bridge.wsUrl);
    a.close();
    b.close();
  });
});

describe('API over WebSocket', () => {
  it('round-trips a request through the host, which was granted the root', async () => {
    const s = await TestSocket.open(bridge.wsUrl);
    s.send({ type: 'request', id: 7, method: 'app.info', params: {} });
    const r = await s.response(7);
    expect(r).toMatchObject({ ok: true, result: { mode: 'browser', projectsRoot: f.root } });
    expect(r.result.version).toBe(`fake-${bridge.hostPid()}`);
    s.close();
  });

  it('answers malformed and invalid messages with errors naming the problem, and stays up', async () => {
    const s = await TestSocket.open(bridge.wsUrl);
    s.send('{not json');
    expect((await s.response(-1)).error).toMatchObject({ code: 'input', message: expect.stringMatching(/JSON/) });
    s.send({ type: 'request', method: 'app.info', params: {} });
    expect((await s.response(-1)).error.message).toMatch(/malformed request: id/);
    s.send({ type: 'request', id: 2, method: 'fs.readFile', params: {} });
    expect((await s.response(2)).error.message).toContain('unknown method "fs.readFile"');
    s.send({ type: 'request', id: 3, method: 'explorer.users', params: { project: f.root, offset: -1, limit: 10 } });
    expect((await s.response(3)).error).toMatchObject({ code: 'input', field: 'offset' });
    s.send({ type: 'request', id: 4, method: 'app.info', params: {} });
    expect((await s.response(4)).ok).toBe(true);
    s.close();
  });

  it('forbids paths outside --root, relative paths and .. escapes', async () => {
    const s = await TestSocket.open(bridge.wsUrl);
    const cases = ['/etc', 'root/p', path.join(f.root, '..', 'elsewhere'), `${f.root}-sibling`];
    for (const [i, dir] of cases.entries()) {
      s.send({ type: 'request', id: 10 + i, method: 'project.open', params: { dir } });
      expect((await s.response(10 + i)).error).toMatchObject({ code: 'forbidden', field: 'dir' });
    }
    s.send({ type: 'request', id: 20, method: 'project.open', params: { dir: path.join(f.root, 'p') } });
    expect((await s.response(20)).result.dir).toBe(path.join(f.root, 'p'));
    s.close();
  });

  it('answers project.choose itself: no folder dialog in a browser', async () => {
    const s = await TestSocket.open(bridge.wsUrl);
    s.send({ type: 'request', id: 1, method: 'project.choose', params: { purpose: 'open' } });
    expect(await s.response(1)).toMatchObject({ ok: true, result: { dir: null } });
    s.close();
  });

  it('gives each socket its own response when two use the same id', async () => {
    const a = await TestSocket.open(bridge.wsUrl);
    const b = await TestSocket.open(bridge.wsUrl);
    a.send({ type: 'request', id: 1, method: 'project.open', params: { dir: path.join(f.root, 'a-slow') } });
    b.send({ type: 'request', id: 1, method: 'project.open', params: { dir: path.join(f.root, 'b') } });
    expect((await b.response(1)).result.dir).toBe(path.join(f.root, 'b'));
    expect((await a.response(1)).result.dir).toBe(path.join(f.root, 'a-slow'));
    await new Promise((r) => setTimeout(r, 100));
    expect([...a.unread, ...b.unread]).toEqual([]);
    a.close();
    b.close();
  });

  it('broadcasts host events to every socket', async () => {
    const a = await TestSocket.open(bridge.wsUrl);
    const b = await TestSocket.open(bridge.wsUrl);
    a.send({ type: 'request', id: 1, method: 'jobs.cancel', params: { job: 'j7' } });
    const isEvent = (m: unknown) => (m as { type: string }).type === 'event';
    for (const s of [a, b]) {
      expect(await s.next(isEvent)).toMatchObject({ event: 'job.update', data: { id: 'j7', state: 'cancelled' } });
    }
    expect((await a.response(1)).result).toEqual({ cancelled: true });
    a.close();
    b.close();
  });

  it('closes a socket that sends a message over 1 MB', async () => {
    const s = await TestSocket.open(bridge.wsUrl);
    s.send({ type: 'request', id: 1, method: 'app.info', params: { pad: 'x'.repeat(1024 * 1024) } });
    expect((await s.closed).code).toBe(1009);
    const t = await TestSocket.open(bridge.wsUrl);
    t.send({ type: 'request', id: 1, method: 'app.info', params: {} });
    expect((await t.response(1)).ok).toBe(true);
    t.close();
  });
});

describe('engine host crash', () => {
  it('fails the pending request with "engine stopped" and restarts the host', async () => {
    const s = await TestSocket.open(bridge.wsUrl);
    const before = bridge.hostPid();
    s.send({ type: 'request', id: 1, method: 'project.open', params: { dir: path.join(f.root, 'x-slow') } });
    s.send({ type: 'request', id: 2, method: 'jobs.cancel', params: { job: 'crash' } });
    for (const id of [1, 2]) {
      expect((await s.response(id)).error).toEqual({ code: 'internal', message: 'engine stopped' });
    }
    // Sent while the host restarts: queued, then answered by the new host (granted the root again).
    s.send({ type: 'request', id: 3, method: 'app.info', params: {} });
    const r = await s.response(3);
    expect(r.result.projectsRoot).toBe(f.root);
    expect(r.result.version).not.toBe(`fake-${before}`);
    expect(bridge.hostPid()).not.toBe(before);
    s.close();
  });
});
