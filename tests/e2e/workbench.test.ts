/**
 * The workbench in real headless Chromium against browser mode (bridge + engine host): create a
 * project through the wizard on the demo dataset with small settings, watch the loss chart receive
 * points, open the explorer, select a user and an item, ask for an explanation and see the streamed
 * text and its faithfulness line. Screenshots of each stage land in tests/e2e/screenshots/.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, startWebApp, type WebApp } from './helpers/web-app.ts';

/** Points a chart has drawn (LineChart exposes its count as data-points). */
async function chartPoints(app: WebApp, testId: string): Promise<number> {
  return Number(
    (await app.page
      .getByTestId(testId)
      .getAttribute('data-points')
      .catch(() => null)) ?? 0,
  );
}

describe.skipIf(!chromiumAvailable())('workbench in the browser', () => {
  let app: WebApp;
  beforeAll(async () => {
    app = await startWebApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('wizard → live training → explorer → streamed explanation', { timeout: 420_000 }, async () => {
    const { page } = app;
    await page.goto(app.server.url);
    // The wizard starts at the project step with a folder under the bridge's root filled in.
    await expect.poll(() => page.getByTestId('project-dir').inputValue()).toContain(app.root);
    await app.shot('01-wizard-project');
    await page.getByTestId('project-dir').fill(path.join(app.root, 'demo'));
    await page.getByTestId('project-name-input').fill('E2E demo');
    await page.getByTestId('project-submit').click();
    await page.getByTestId('wizard-step-dataset').waitFor();
    expect(await page.getByTestId('project-name').textContent()).toContain('E2E demo');

    await page.getByTestId('dataset-users').fill('200');
    await page.getByTestId('dataset-items').fill('100');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('recommender-epochs').fill('3');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('llm-steps').fill('40');
    await page.getByTestId('wizard-next').click();
    for (const m of ['B', 'H']) await page.getByTestId(`align-method-${m}`).setChecked(false);
    await page.getByTestId('align-method-I').setChecked(true);
    await page.getByTestId('align-steps').fill('30');
    await page.getByTestId('align-embeddings').selectOption('frozen');
    await page.getByTestId('wizard-next').click();
    expect(await page.getByTestId('review-plan').textContent()).toContain('30 steps, embeddings frozen');
    const summary = await page.getByTestId('review-summary').textContent();
    expect(summary).toContain(path.join(app.root, 'demo'));
    expect(summary).toContain('200 users');
    await app.shot('02-wizard-review');
    await page.getByTestId('wizard-run').click();

    // The monitor opens; the alignment's loss chart receives points as training runs.
    await page.getByTestId('view-monitor').waitFor();
    await expect.poll(() => chartPoints(app, 'chart-loss'), { timeout: 300_000, interval: 250 }).toBeGreaterThan(0);
    const first = await chartPoints(app, 'chart-loss');
    await expect.poll(() => chartPoints(app, 'chart-loss'), { timeout: 120_000, interval: 250 }).toBeGreaterThan(first);
    await app.shot('03-monitor-training');
    // Jobs live in the engine: a reload finds the running work again and its chart keeps growing.
    await page.reload();
    await page.getByTestId('nav-monitor').click();
    await expect.poll(() => chartPoints(app, 'chart-loss'), { timeout: 120_000, interval: 250 }).toBeGreaterThan(0);
    // The whole plan finishes (the run is evaluated too) and its evaluation table appears.
    const plan = page.locator('[data-testid="monitor-plan"] li');
    await expect
      .poll(async () => (await plan.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-state')))).join(','), {
        timeout: 300_000,
        interval: 500,
      })
      .toMatch(/^(done,)*done$/);
    await page.locator('[data-testid^="align-eval-"]').first().waitFor({ timeout: 30_000 });
    expect(await chartPoints(app, 'chart-recommender')).toBeGreaterThan(0);
    await app.shot('04-monitor-done');
    await page.locator('[data-testid^="align-eval-"]').first().scrollIntoViewIfNeeded();
    await app.shot('04b-monitor-eval');

    // Explorer: pick the first user, then the recommender's top item, then explain it.
    await page.getByTestId('nav-explorer').click();
    const row = page.locator('[data-testid^="explorer-user-row-"]').first();
    await row.click();
    await page.getByTestId('explorer-topk-1').click();
    await page.getByTestId('explorer-attribution').waitFor();
    expect(await page.locator('[data-testid="explorer-history"] li').count()).toBeGreaterThan(0);
    await page.getByTestId('explain-button').click();
    const text = page.locator('[data-testid^="explanation-text-"]').first();
    await expect
      .poll(async () => ((await text.textContent()) ?? '').replace('…', '').trim().length, { timeout: 60_000 })
      .toBeGreaterThan(0);
    await page.locator('[data-testid^="faithfulness-"]').first().waitFor({ timeout: 60_000 });
    await expect
      .poll(async () => page.locator('[data-testid^="faithfulness-"]').first().textContent(), { timeout: 60_000 })
      .toMatch(/Cites/);
    await app.shot('05-explorer-explained');

    // Dark theme renders the same view (toggle: system → light → dark).
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('theme-toggle').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await app.shot('06-explorer-dark');
  });
});
