/**
 * The app in browser mode for end-to-end tests: the renderer built with vite (what `npm run web`
 * serves), the bridge started in-process on a free port with the real engine host, and Debian's
 * Chromium driven through playwright-core (never a downloaded browser). Screenshots go to
 * tests/e2e/screenshots/ (git-ignored).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { type BridgeServer, startBridgeServer } from '../../../electron/bridge/server.ts';

export const REPO = path.resolve(import.meta.dirname, '../../..');
export const SCREENSHOTS = path.join(REPO, 'tests/e2e/screenshots');
const CHROMIUM = process.env.RECX_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser exists; in CI it must (.ci/run installs it), so a missing one fails there. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
  return false;
}

let built: Promise<void> | null = null;
/** Builds the renderer once per test process. */
export function buildRenderer(): Promise<void> {
  built ??= build({ configFile: path.join(REPO, 'renderer/vite.config.ts'), logLevel: 'warn' }).then(() => {});
  return built;
}

export interface WebApp {
  server: BridgeServer;
  root: string;
  browser: Browser;
  page: Page;
  shot(name: string, opts?: { fullPage?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startWebApp(): Promise<WebApp> {
  await buildRenderer();
  const root = await mkdtemp(path.join(os.tmpdir(), 'recx-e2e-'));
  const server = await startBridgeServer({ root, port: 0, staticDir: path.join(REPO, 'dist/renderer') });
  await server.whenHostReady();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    server,
    root,
    browser,
    page,
    shot: async (name, opts) => {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: opts?.fullPage });
    },
    close: async () => {
      await browser.close().catch(() => {});
      await server.close();
      await rm(root, { recursive: true, force: true });
      if (errors.length > 0) throw new Error(`uncaught errors in the page: ${errors.join('; ')}`);
    },
  };
}
