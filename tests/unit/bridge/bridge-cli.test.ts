import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeUsageError, parseBridgeArgs } from '../../../electron/bridge/cli-options.ts';
import { FAKE_HOST, type Fixture, makeFixture, rawGet, TestSocket } from './bridge-helpers.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const quiet = { out: () => {}, err: () => {} };

let f: Fixture;
beforeAll(() => {
  f = makeFixture();
});
afterAll(() => f?.cleanup());

describe('parseBridgeArgs', () => {
  it('defaults to a free port on loopback, the current directory as root, opening a browser', () => {
    expect(parseBridgeArgs([], '/work/x', quiet)).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      root: '/work/x',
      open: true,
      json: false,
    });
    expect(parseBridgeArgs(['--root', 'data', '--port', '8080', '--no-open'], '/w', quiet)).toMatchObject({
      root: '/w/data',
      port: 8080,
      open: false,
    });
  });

  it('refuses a non-loopback address unless --allow-remote is given', () => {
    expect(() => parseBridgeArgs(['--host', '0.0.0.0'], '/w', quiet)).toThrow(BridgeUsageError);
    expect(() => parseBridgeArgs(['--host', '192.168.1.5'], '/w', quiet)).toThrow(/--allow-remote/);
    expect(parseBridgeArgs(['--host', '0.0.0.0', '--allow-remote'], '/w', quiet).host).toBe('0.0.0.0');
    expect(parseBridgeArgs(['--host', 'localhost'], '/w', quiet).host).toBe('localhost');
  });

  it('rejects a port that is not a number', () => {
    expect(() => parseBridgeArgs(['--port', 'http'], '/w', quiet)).toThrow(/port number/);
    expect(() => parseBridgeArgs(['--port', '70000'], '/w', quiet)).toThrow(/port number/);
  });
});

describe('npm run web (electron/bridge/cli.ts)', () => {
  it('prints the URL with a fresh token, serves it, and stops the host on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'electron/bridge/cli.ts',
        ...['--root', f.root, '--no-open', '--json', '--host-entry', FAKE_HOST, '--static-dir', f.staticDir],
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: string) => {
        stdout += c;
        if (stdout.split('\n').length > 2) resolve();
      });
      child.on('exit', () => reject(new Error(`exited early; stdout: ${stdout}`)));
    });
    const [urlLine, jsonLine] = stdout.trim().split('\n');
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]{64})$/.exec(urlLine!);
    expect(m).not.toBeNull();
    const port = Number(m![1]);
    expect(JSON.parse(jsonLine!)).toEqual({ url: urlLine, port });

    expect((await rawGet(port, `/?token=${m![2]}`)).status).toBe(200);
    const s = await TestSocket.open(`ws://127.0.0.1:${port}/api?token=${m![2]}`);
    s.send({ type: 'request', id: 1, method: 'app.info', params: {} });
    const info = (await s.response(1)).result;
    expect(info.projectsRoot).toBe(path.resolve(f.root));
    const hostPid = Number(String(info.version).replace('fake-', ''));

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(() => process.kill(hostPid, 0)).toThrow();
  });
});
