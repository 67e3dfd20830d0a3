import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { BridgeServer } from '../../../electron/bridge/server.ts';
import { RecxApiError } from '../../../electron/contracts/index.ts';
import {
  type BridgeClientOptions,
  bridgeUrlFromLocation,
  connectBridge,
} from '../../../renderer/src/api/bridge-client.ts';
import { type Fixture, makeFixture, startTestBridge } from './bridge-helpers.ts';

const wsOptions: BridgeClientOptions = {
  WebSocket: WebSocket as unknown as BridgeClientOptions['WebSocket'],
  minDelayMs: 50,
  maxDelayMs: 200,
};

let f: Fixture;
let bridge: BridgeServer;

beforeAll(async () => {
  f = makeFixture();
  ({ bridge } = await startTestBridge(f));
});

afterAll(async () => {
  await bridge?.close();
  f?.cleanup();
});

const rejection = async (p: Promise<unknown>): Promise<RecxApiError> => {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RecxApiError);
  return e as RecxApiError;
};

describe('connectBridge', () => {
  it('resolves validated results, including requests made before the socket opened', async () => {
    const api = connectBridge(bridge.wsUrl, wsOptions);
    const info = await api.invoke('app.info', {});
    expect(info).toMatchObject({ mode: 'browser', projectsRoot: f.root });
    const summary = await api.invoke('project.open', { dir: path.join(f.root, 'p') });
    expect(summary.dir).toBe(path.join(f.root, 'p'));
    api.close();
  });

  it('rejects with RecxApiError carrying the code and field of error responses', async () => {
    const api = connectBridge(bridge.wsUrl, wsOptions);
    const bad = await rejection(api.invoke('explorer.users', { project: f.root, offset: -1, limit: 5 }));
    expect([bad.code, bad.field]).toEqual(['input', 'offset']);
    const forbidden = await rejection(api.invoke('project.open', { dir: '/etc' }));
    expect([forbidden.code, forbidden.field]).toEqual(['forbidden', 'dir']);
    api.close();
  });

  it('rejects a result that breaks the method schema', async () => {
    const api = connectBridge(bridge.wsUrl, wsOptions);
    const e = await rejection(api.invoke('jobs.list', {}));
    expect(e.code).toBe('internal');
    expect(e.message).toMatch(/answer to jobs\.list is invalid/);
    api.close();
  });

  it('refuses to send a request over 1 MB', async () => {
    const api = connectBridge(bridge.wsUrl, wsOptions);
    const e = await rejection(api.invoke('project.open', { dir: `/${'x'.repeat(1024 * 1024)}` }));
    expect(e.message).toMatch(/exceeds 1 MB/);
    expect((await api.invoke('app.info', {})).mode).toBe('browser');
    api.close();
  });

  it('delivers validated events to listeners until they unsubscribe', async () => {
    const a = connectBridge(bridge.wsUrl, wsOptions);
    const b = connectBridge(bridge.wsUrl, wsOptions);
    const seenA: string[] = [];
    const seenB: string[] = [];
    const offA = a.on('job.update', (job) => seenA.push(job.id));
    b.on('job.update', (job) => seenB.push(job.id));
    await b.invoke('app.info', {}); // b's socket is open before the event is sent
    await a.invoke('jobs.cancel', { job: 'j1' });
    offA();
    await a.invoke('jobs.cancel', { job: 'j2' });
    await b.invoke('app.info', {}); // the event precedes this response on b's socket
    expect(seenA).toEqual(['j1']);
    expect(seenB).toEqual(['j1', 'j2']);
    a.close();
    b.close();
  });

  it('fails requests in flight when the socket drops, then reconnects', async () => {
    const f2 = makeFixture();
    let { bridge: b2 } = await startTestBridge(f2);
    const api = connectBridge(b2.wsUrl, wsOptions);
    await api.invoke('app.info', {});
    const inFlight = rejection(api.invoke('project.open', { dir: path.join(f2.root, 'p-slow') }));
    await b2.close();
    const e = await inFlight;
    expect(e.message).toMatch(/lost the connection to the engine/);
    expect(api.connected).toBe(false);
    ({ bridge: b2 } = await startTestBridge(f2, { port: b2.port, token: b2.token }));
    for (let i = 0; i < 100 && !api.connected; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await api.invoke('app.info', {})).projectsRoot).toBe(f2.root);
    api.close();
    await expect(api.invoke('app.info', {})).rejects.toThrow(/closed/);
    await b2.close();
    f2.cleanup();
  });
});

describe('bridgeUrlFromLocation', () => {
  it('builds the API socket URL from the page URL token', () => {
    expect(bridgeUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:5173', search: '?token=ab12' })).toBe(
      'ws://127.0.0.1:5173/api?token=ab12',
    );
    expect(bridgeUrlFromLocation({ protocol: 'https:', host: 'box:8443', search: '?x=1&token=t%2B' })).toBe(
      'wss://box:8443/api?token=t%2B',
    );
    expect(bridgeUrlFromLocation({ protocol: 'http:', host: 'localhost:1', search: '' })).toBeNull();
  });
});
