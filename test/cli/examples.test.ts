import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GENERATED_FOLDERS, writeExamples } from '../../cli/examples/writeExamples.js';
import { runDrift } from '../../cli/commands/drift.js';
import { parseRetrainPayload } from '../../shared/retraining/retrainPayload.js';

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));
}

describe('examples/', () => {
  it('is what the code makes today (regenerate with `npm run examples`)', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mrm-examples-'));
    try {
      const written = await writeExamples(dir);
      expect(written).toEqual(
        expect.arrayContaining([
          'training.csv',
          'production.csv',
          'events.jsonl',
          'scored.jsonl',
          'alerts/drift-fired.json',
          'alerts/drift-resolved.json',
        ]),
      );
      expect(written.filter((n) => n.startsWith('capture/mrm-local/events/')).length).toBeGreaterThan(0);
      expect(written.filter((n) => n.startsWith('capture/mrm-local/scored/')).length).toBeGreaterThan(0);
      for (const name of written) {
        const committed = await readFile(join('examples', name)).catch(() => Buffer.from(`(missing ${name})`));
        expect(committed.equals(await readFile(join(dir, name))), `examples/${name} is stale`).toBe(true);
      }
      for (const folder of GENERATED_FOLDERS) {
        const committed = (await filesUnder(join('examples', folder))).map((n) => `${folder}/${n}`).sort();
        expect(committed, `examples/${folder} holds files the code no longer makes`).toEqual(
          written.filter((n) => n.startsWith(`${folder}/`)),
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('its alert payload is one retrainWebhook accepts, carrying the drifted share of the example week', async () => {
    const fired = JSON.parse(await readFile('examples/alerts/drift-fired.json', 'utf8'));
    const parsed = parseRetrainPayload(fired);
    expect(parsed.ok).toBe(true);
    const condition = fired.data.alertContext.condition.allOf[0];
    expect(condition.metricName).toBe('mrm_drift_magnitude');
    expect(condition.metricValue).toBeGreaterThan(Number(condition.threshold));
    expect(fired.data.essentials.monitorCondition).toBe('Fired');
    const resolved = JSON.parse(await readFile('examples/alerts/drift-resolved.json', 'utf8'));
    expect(resolved.data.essentials.monitorCondition).toBe('Resolved');
  });

  it('its Capture folder is read by `mrm drift` like the events it came from', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mrm-examples-drift-'));
    try {
      const { runBaseline } = await import('../../cli/commands/baseline.js');
      const baseline = join(dir, 'baseline.json');
      await runBaseline(
        {
          input: 'examples/training.csv',
          out: baseline,
          id: 'id',
          label: 'label',
          categorical: ['merchant_category', 'channel'],
          seed: 42,
        },
        {},
      );
      const silent = { isTTY: false, write: () => true };
      const now = { nowInMs: () => Date.UTC(2024, 0, 24) };
      const fromCapture = await runDrift({ baseline, capture: 'examples/capture', hub: 'events' }, {}, silent, now);
      const fromEvents = await runDrift(
        { baseline, input: 'examples/events.jsonl', start: '2024-01-15', rate: 1, from: '2024-01-15' },
        {},
        silent,
        now,
      );
      expect(fromCapture.report.eventsProfiled).toBe(150);
      // Same counts and verdicts; float sums may differ in the last bit, as the files are folded in another order.
      const verdicts = (r: typeof fromCapture.report) =>
        Object.entries(r.features).map(([name, f]) => [name, f.count, f.missing, f.drifted, f.severity]);
      expect(verdicts(fromCapture.report)).toEqual(verdicts(fromEvents.report));
      expect(fromCapture.report.drift).toEqual(fromEvents.report.drift);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
