import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFileResponse } from '../../../electron/main/app-files.ts';
import { APP_ENTRY_URL, contentTypeFor, isAppUrl, resolveAppFile } from '../../../electron/main/app-protocol.ts';

const root = path.resolve('/srv/app/dist/renderer');

describe('app protocol: which file an app:// URL names', () => {
  it('serves the index page for the entry URL and for the bare origin', () => {
    expect(resolveAppFile(root, APP_ENTRY_URL)).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://recx/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://recx')).toBe(path.join(root, 'index.html'));
  });

  it('maps asset paths inside the renderer folder, ignoring query and hash', () => {
    expect(resolveAppFile(root, 'app://recx/assets/index-abc.js?v=1#x')).toBe(
      path.join(root, 'assets', 'index-abc.js'),
    );
    expect(resolveAppFile(root, 'app://recx/assets/a%20b.css')).toBe(path.join(root, 'assets', 'a b.css'));
  });

  it('refuses every way out of the renderer folder', () => {
    for (const url of [
      'app://recx/..%2f..%2f..%2fetc%2fpasswd',
      'app://recx/assets/..%2F..%2F..%2Fsecret.txt',
      'app://recx/%2e%2e%2f%2e%2e%2fpackage.json',
      'app://recx/..%5c..%5cwindows%5cwin.ini',
      'app://recx/index.html%00.png',
      'app://recx/%E0%A4%A', // malformed escape
    ]) {
      expect(resolveAppFile(root, url), url).toBeNull();
    }
  });

  it('keeps dot segments that the URL parser folds inside the folder', () => {
    // WHATWG URL parsing resolves literal ../ before we see the path: it can never climb above /.
    expect(resolveAppFile(root, 'app://recx/../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
  });

  it('answers only its own scheme and host', () => {
    for (const url of [
      'file:///etc/passwd',
      'https://recx/index.html',
      'app://other/index.html',
      'app://recx.evil.com/index.html',
      'app://recx:8080/index.html',
      'app://user@recx/index.html',
      'not a url',
    ]) {
      expect(resolveAppFile(root, url), url).toBeNull();
      expect(isAppUrl(url), url).toBe(false);
    }
    expect(isAppUrl('app://recx/index.html#/runs')).toBe(true);
  });

  it('labels content types so the page loads and nothing unknown is sniffed as HTML', () => {
    expect(contentTypeFor('/x/index.html')).toMatch(/^text\/html/);
    expect(contentTypeFor('/x/a.JS')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('/x/a.css')).toMatch(/^text\/css/);
    expect(contentTypeFor('/x/a.wasm')).toBe('application/wasm');
    expect(contentTypeFor('/x/blob.bin')).toBe('application/octet-stream');
  });
});

describe('app protocol: responses from a real folder', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'recx-appfiles-'));
  const dir = path.join(base, 'renderer');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  writeFileSync(path.join(dir, 'assets', 'main.js'), 'console.log(1)');
  writeFileSync(path.join(base, 'secret.txt'), 'top secret');
  symlinkSync(path.join(base, 'secret.txt'), path.join(dir, 'assets', 'link.txt'));

  it('serves files with their type and the CSP header', async () => {
    const res = await appFileResponse(dir, 'app://recx/assets/main.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('console.log(1)');
    expect((await appFileResponse(dir, APP_ENTRY_URL)).headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('does not follow a symlink out of the folder', async () => {
    const res = await appFileResponse(dir, 'app://recx/assets/link.txt');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('top secret');
  });

  it('answers 404 for missing files, folders and traversal, 405 for writes', async () => {
    expect((await appFileResponse(dir, 'app://recx/nope.js')).status).toBe(404);
    expect((await appFileResponse(dir, 'app://recx/assets')).status).toBe(404);
    expect((await appFileResponse(dir, 'app://recx/..%2fsecret.txt')).status).toBe(404);
    expect((await appFileResponse(dir, 'app://recx/index.html', 'POST')).status).toBe(405);
    const head = await appFileResponse(dir, 'app://recx/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
