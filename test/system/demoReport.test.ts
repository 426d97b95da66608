import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemoCommand } from '../../cli/commands/demo.js';
import type { DemoResult } from '../../cli/demo/runDemo.js';
import { systemClock } from '../../shared/adapters/clocks.js';

// The demo's report as a newcomer sees it: opened from the output folder in a real browser (Debian's Chromium).
const root = join(import.meta.dirname, '..', '..');
let folder: string;
let profile: string;
let result: DemoResult;
let browser: BrowserContext;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mrm-demo-report-'));
  profile = await mkdtemp(join(tmpdir(), 'mrm-chromium-'));
  result = await runDemoCommand(
    { events: 20_000, seed: 42, date: '2026-03-04T10:00:00Z', out: folder, captureInterval: 3600 },
    {
      stdout: { isTTY: false, write: () => true },
      stderr: () => undefined,
      onInterrupt: () => () => undefined,
      clock: systemClock,
    },
  );
  // A fresh user-data-dir: no cache, no extension, no state from another run.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1366, height: 900 },
    args: CHROMIUM_ARGS,
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rm(folder, { recursive: true, force: true });
  await rm(profile, { recursive: true, force: true });
});

describe('the demo report in Chromium', () => {
  it('shows the summary, the feature table and the histograms, offline, and is saved as a screenshot', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file://') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(result.files.reportHtml).href, { waitUntil: 'load' });
    expect(requests).toEqual([]);

    const summary = page.locator('#summary');
    expect(await summary.isVisible()).toBe(true);
    const verdict = (await summary.locator('.verdict').innerText()).trim();
    expect(verdict).toMatch(/drift/i);
    expect(verdict).toContain('Retraining recommended');

    // One row per monitored feature, the drifted ones among them, with their PSI signal.
    const rows = page.locator('#features table tbody tr');
    expect(await rows.count()).toBe(result.report.drift.monitoredFeatures);
    const tableText = await page.locator('#features table').innerText();
    for (const name of result.report.drift.driftedFeatures) expect(tableText).toContain(name);
    const hourPsi = result.report.features.hour!.tests.psi!.score;
    expect(tableText).toContain(hourPsi.toFixed(3));

    // Histograms drawn: bars with a real size, both baseline and current.
    const histograms = page.locator('svg.hist');
    expect(await histograms.count()).toBeGreaterThanOrEqual(1);
    const first = histograms.first();
    await first.scrollIntoViewIfNeeded();
    const box = await first.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(50);
    expect(await first.locator('rect.ref').count()).toBeGreaterThan(1);
    expect(await first.locator('rect.cur').count()).toBeGreaterThan(1);
    const drawn = await first
      .locator('rect.cur')
      .evaluateAll(
        (bars) => bars.filter((b) => (b as unknown as { getBBox(): { height: number } }).getBBox().height > 0).length,
      );
    expect(drawn).toBeGreaterThan(1);

    await mkdir(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output', 'demo-report.png'), fullPage: true });
    await page.close();
  });

  it("draws the week's days from dailyDrift on the trend, filled where the day had dataset drift, within 1024 px", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(pathToFileURL(result.files.reportHtml).href, { waitUntil: 'load' });
    const days = page.locator('#trend svg[data-trend="days"]');
    await days.scrollIntoViewIfNeeded();
    const box = await days.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await days.locator('circle').count()).toBe(7);
    expect(await days.locator('circle.drift').count()).toBe(result.daily.filter((d) => d.datasetDrift).length);
    const overflow = await page.evaluate(() => {
      const root = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).toBe(0);
    await page.locator('#trend').screenshot({ path: join(root, 'test-output', 'demo-report-trend.png') });
    await page.close();
  });
});
