import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { runBaseline } from '../../cli/commands/baseline.js';
import { runScore } from '../../cli/commands/score.js';
import { runCapture } from '../../cli/commands/capture.js';
import { runDrift, type DriftRunResult } from '../../cli/commands/drift.js';

/** The little of the DOM these checks use (the test is typed for Node, without the DOM library). */
interface BrowserElement {
  tagName: string;
  parentElement: BrowserElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { right: number; top: number };
}
interface BrowserDocument {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): Iterable<BrowserElement>;
  createRange(): {
    selectNodeContents(node: unknown): void;
    getClientRects(): Iterable<{ top: number }>;
  };
}

// The report of the walkthrough's data (docs/your-data.md) with the bundled classifier, at a laptop's widths.
const root = join(import.meta.dirname, '..', '..');
const examples = join(root, 'examples');
let folder: string;
let profile: string;
let drift: DriftRunResult;
let htmlPath: string;
let browser: BrowserContext;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'mrm-report-layout-'));
  profile = await mkdtemp(join(tmpdir(), 'mrm-chromium-'));
  const baseline = join(folder, 'baseline.json');
  const model = join(examples, 'models', 'card-fraud-gbt.onnx');
  await runBaseline(
    {
      input: join(examples, 'training.csv'),
      out: baseline,
      id: 'id',
      label: 'label',
      categorical: ['merchant_category', 'channel'],
      seed: 42,
      model,
    },
    {},
  );
  const scored = join(folder, 'scored.jsonl');
  await runScore({ baseline, input: join(examples, 'events.jsonl'), out: scored, model }, {});
  const capture = join(folder, 'capture');
  const times = { start: '2024-01-15T00:00:00Z', rate: 0.001 };
  await runCapture({ input: join(examples, 'events.jsonl'), out: capture, ...times }, {});
  await runCapture({ input: scored, out: capture, hub: 'scored', ...times }, {});
  drift = await runDrift(
    { baseline, capture, from: '2024-01-15' },
    { MRM_SCORER: 'onnx' },
    { isTTY: false, write: () => true },
    { nowInMs: () => Date.UTC(2024, 0, 24) },
  );
  htmlPath = join(folder, 'report.html');
  await writeFile(htmlPath, drift.html);
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1024, height: 800 },
    args: CHROMIUM_ARGS,
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rm(folder, { recursive: true, force: true });
  await rm(profile, { recursive: true, force: true });
});

describe.each([1024, 1440])('the drift report at %i px', (width) => {
  it('never scrolls sideways, draws a chart with both sides for every feature and the score, and is saved as a screenshot', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });

    const overflow = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: BrowserDocument }).document;
      return {
        page: doc.documentElement.scrollWidth - doc.documentElement.clientWidth,
        // Every block inside its section: the table, each chart, each statistics table.
        wider: [...doc.querySelectorAll('table, figure, svg')]
          .filter((e) => e.getBoundingClientRect().right > e.parentElement!.getBoundingClientRect().right + 0.5)
          .map((e) => `${e.tagName}.${e.getAttribute('class') ?? ''}`),
      };
    });
    expect(overflow.page).toBe(0);
    expect(overflow.wider).toEqual([]);

    // Names break at underscores, never inside a word: every line of a name cell is whole words of the name.
    const nameLines = await page.locator('#features a.name').evaluateAll((links) =>
      links.map((a) => {
        const range = (globalThis as unknown as { document: BrowserDocument }).document.createRange();
        range.selectNodeContents(a);
        return { text: a.textContent!, lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size };
      }),
    );
    for (const { text, lines } of nameLines) expect(lines, text).toBeLessThanOrEqual(text.split('_').length);

    const features = Object.keys(drift.report.features);
    for (const name of features) {
      const chart = page.locator(`#histograms svg.hist[data-feature="${name}"]`);
      expect(await chart.count(), name).toBe(1);
      const bars = await chart.evaluate((svg) =>
        ['ref', 'cur'].map(
          (kind) =>
            [...svg.querySelectorAll(`rect.${kind}`)].filter(
              (r) => (r as unknown as { getBBox(): { height: number } }).getBBox().height > 0,
            ).length,
        ),
      );
      expect(bars[0], `${name} baseline bars`).toBeGreaterThan(0);
      expect(bars[1], `${name} current bars`).toBeGreaterThan(0);
      // Numeric charts are on the baseline's deciles: no baseline bar much above a tenth, however skewed.
      if (drift.report.features[name]!.type === 'numeric') {
        const shares = drift.report.distributions!.features[name]!.bins.baseline;
        const total = shares.reduce((a, b) => a + b, 0);
        expect(Math.max(...shares) / total, name).toBeLessThan(0.25);
      }
    }
    expect(await page.locator('#prediction svg.hist[data-feature="score"]').count()).toBe(1);
    expect(await page.locator('#prediction table.stats').first().innerText()).toContain('Baseline share');
    expect(await page.title()).toBe('Drift report 2024-01-15 – 2024-01-21');

    await mkdir(join(root, 'test-output'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-output', `drift-report-${width}.png`), fullPage: true });
    await page.close();
  });
});
