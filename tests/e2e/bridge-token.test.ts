/** Browser mode refuses a page or socket without the right token, and says so in the UI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, startWebApp, type WebApp } from './helpers/web-app.ts';

describe.skipIf(!chromiumAvailable())('bridge token in the browser', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a wrong token gets no engine: the socket is refused and the page shows why', { timeout: 120_000 }, async () => {
    const { page, server } = app;
    const wrong = server.url.replace(/token=[0-9a-f]+/, `token=${'0'.repeat(64)}`);
    expect(wrong).not.toBe(server.url);
    await page.goto(wrong);
    const banner = page.getByTestId('engine-error');
    await banner.waitFor({ timeout: 30_000 });
    expect(await banner.textContent()).toMatch(/Cannot reach the engine/);
    await app.shot('07-wrong-token');
    // The socket itself: refused with the wrong token, accepted with the right one.
    const opens = (url: string) =>
      page.evaluate(
        (u) =>
          new Promise<boolean>((resolve) => {
            const ws = new WebSocket(u);
            ws.onopen = () => {
              ws.close();
              resolve(true);
            };
            ws.onerror = () => resolve(false);
          }),
        url,
      );
    expect(await opens(server.wsUrl.replace(/token=[0-9a-f]+/, 'token=bad'))).toBe(false);
    expect(await opens(server.wsUrl.replace(/\?token=.*/, ''))).toBe(false);
    expect(await opens(server.wsUrl)).toBe(true);
    // The right link reaches the engine: no banner, the project step is ready.
    await page.goto(server.url);
    await page.getByTestId('wizard-step-project').waitFor();
    expect(await page.getByTestId('engine-error').count()).toBe(0);
  });
});
