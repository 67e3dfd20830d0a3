/** The wizard's first step works from the keyboard alone: Tab reaches the fields, Enter submits. */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, startWebApp, type WebApp } from './helpers/web-app.ts';

describe.skipIf(!chromiumAvailable())('keyboard use', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creates a project with Tab, typing and Enter only', { timeout: 120_000 }, async () => {
    const { page } = app;
    await page.goto(app.server.url);
    await page.getByTestId('wizard-step-project').waitFor();
    // Expressions as strings: they run in the page (DOM types are not in the Node test's scope).
    const focused = () => page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null");
    let reached = false;
    for (let k = 0; k < 30 && !reached; k++) {
      await page.keyboard.press('Tab');
      reached = (await focused()) === 'project-dir';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(path.join(app.root, 'keys'));
    await page.keyboard.press('Enter');
    await page.getByTestId('wizard-step-dataset').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('project-name').textContent()).toContain('keys');
    // Focus is visible: the focused control draws an outline.
    await page.keyboard.press('Tab');
    const outline = await page.evaluate<string>(
      "document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : 'none'",
    );
    expect(outline).not.toBe('none');
  });
});
