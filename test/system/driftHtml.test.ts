import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../shared/baseline/random.js';
import { compareProfiles } from '../../shared/drift/compare.js';
import { renderDriftReportHtml } from '../../shared/drift/html.js';
import { profileFromColumns } from '../../shared/drift/profileFromColumns.js';
import { buildDriftReport } from '../../shared/drift/report.js';
import { deriveSchema, type SchemaColumn } from '../../shared/drift/schema.js';

// The report in a real browser: renders offline, fits a laptop screen, prints.
function columns(seed: number, shift: number): SchemaColumn[] {
  const r = createRandom(seed);
  const n = 5000;
  const out: SchemaColumn[] = [];
  for (let j = 0; j < 8; j++)
    out.push({
      name: `feature_${j}`,
      type: 'numeric',
      values: Float64Array.from({ length: n }, () => j * 10 + r.nextGaussian() + (j < 3 ? shift : 0)),
    });
  out.push({
    name: 'country <script>',
    type: 'categorical',
    values: Array.from({ length: n }, () => ['FR', 'DE', 'US'][r.nextInt(shift > 0 ? 2 : 3)]!),
  });
  return out;
}

const schema = deriveSchema(columns(1, 0));
const reference = profileFromColumns(schema, columns(1, 0));
const current = profileFromColumns(schema, columns(2, 1.5));
const report = buildDriftReport({
  window: { from: '2026-11-09T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' },
  assessment: compareProfiles(reference, current, { schema }),
  blobs: { read: 3, skipped: [] },
  badBodies: {},
  generatedAt: '2026-11-16T03:00:00.000Z',
});
const html = renderDriftReportHtml(report, reference, current, schema);

// playwright's launch() gives the browser a fresh temporary profile of its own.
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
});
afterAll(async () => {
  await browser?.close();
});

describe('drift report HTML in Chromium', () => {
  it('renders without any network request or script, fits 1366 px, and prints', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
    });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.setContent(html, { waitUntil: 'load' });
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await page.locator('script').count()).toBe(0);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('#summary').isVisible()).toBe(true);
    const charts = page.locator('#histograms svg.hist');
    expect(await charts.count()).toBe(9);
    const box = await charts.first().boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    const firstRow = await page.locator('#features tbody tr').first().getAttribute('data-feature');
    expect(['feature_0', 'feature_1', 'feature_2', 'country &lt;script&gt;', 'country <script>']).toContain(firstRow);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    await page.close();
  });
});
