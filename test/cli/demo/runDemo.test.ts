import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../shared/config/settings.js';
import { planDemoScenario } from '../../../cli/demo/demoScenario.js';
import { formatDemoSummary } from '../../../cli/demo/demoSummary.js';
import type { DemoPorts, ScoreEventsInvoker } from '../../../cli/demo/ports.js';
import { runDemo } from '../../../cli/demo/runDemo.js';
import type { HostBatch } from '../../../cli/demo/hostBatcher.js';
import type { WeeklyDriftReport } from '../../../shared/drift/run/runWeeklyDrift.js';
import type { DeadLetter } from '../../../shared/scoring/deadLetter.js';
import type { ScoredRecord } from '../../../shared/contracts/records.js';

// The demo's orchestration with its edges replaced by recording fakes (the real handlers run in test/cli/demo*.test.ts).
const NOW = Date.UTC(2026, 2, 4, 10);
const scenario = planDemoScenario({ events: 3000, seed: 5, nowInMs: NOW, captureIntervalInSeconds: 86_400 });
const settings = defaultSettings();

const notJson = (event: { body: Buffer }): boolean => {
  try {
    const body: unknown = JSON.parse(event.body.toString('utf8'));
    return !(body && typeof body === 'object' && !Array.isArray(body) && 'features' in body);
  } catch {
    return true;
  }
};

/** A scoreEvents stand-in: accepts every JSON object body, dead-letters the rest. */
const acceptingScorer = (batches: Array<{ batch: HostBatch; processedAtInMs: number }>): ScoreEventsInvoker => ({
  async invoke(batch, processedAtInMs) {
    batches.push({ batch, processedAtInMs });
    const scored: ScoredRecord[] = [];
    const letters: DeadLetter[] = [];
    for (const event of batch.events) {
      let body: unknown;
      try {
        body = JSON.parse(event.body.toString('utf8'));
      } catch {
        body = undefined;
      }
      if (body && typeof body === 'object' && !Array.isArray(body) && 'features' in body) {
        const b = body as unknown as { id: string; callerId: string };
        scored.push({
          kind: 'mrm.scored',
          id: b.id,
          callerId: b.callerId,
          decision: 'ACCEPT',
          reasons: [],
          issues: [],
        } as unknown as ScoredRecord);
      } else {
        letters.push({ kind: 'mrm.deadletter', reason: 'EVENT.NOT_JSON' } as DeadLetter);
      }
    }
    return { scored, deadLetters: letters, deadLetterBlobs: letters.length > 0 ? 1 : 0 };
  },
});

function report(magnitude: number, from = scenario.window.fromInMs): WeeklyDriftReport {
  const drifted = magnitude > 0.3 ? ['hour', 'amount'] : [];
  return {
    window: { from: new Date(from).toISOString(), to: new Date(from + 7 * 86_400_000).toISOString() },
    events: 3000,
    blobs: { read: 40, skipped: [] },
    features: {
      hour: { psi: 0.4, ks: { statistic: 0.2, pValue: 0, pValueAdjusted: 0 }, severity: 'HIGH' },
      amount: { psi: 0.05, ks: { statistic: 0.15, pValue: 1e-9, pValueAdjusted: 1e-8 }, severity: 'MEDIUM' },
    },
    drift: { share: magnitude, magnitude, drifted: magnitude >= 0.5, driftedFeatures: drifted, monitoredFeatures: 9 },
  } as unknown as WeeklyDriftReport;
}

function ports(options: { magnitude?: number; reportFrom?: number; failUploadAt?: number } = {}) {
  const uploads: Array<{ container: string; name: string; bytes: number; contentType: string }> = [];
  const files = new Map<string, string>();
  const posts: Array<{ body: string; atInMs: number }> = [];
  const batches: Array<{ batch: HostBatch; processedAtInMs: number }> = [];
  const driftRuns: number[] = [];
  const dailyRuns: number[] = [];
  const value: DemoPorts = {
    storage: {
      async upload(container, name, content, contentType) {
        if (options.failUploadAt !== undefined && uploads.length + 1 >= options.failUploadAt)
          throw new Error('Azurite went away');
        uploads.push({ container, name, bytes: Buffer.byteLength(content), contentType });
      },
    },
    scoreEvents: acceptingScorer(batches),
    weeklyDrift: {
      async invoke(nowInMs) {
        driftRuns.push(nowInMs);
        return { report: report(options.magnitude ?? 0.56, options.reportFrom), html: '<html></html>' };
      },
    },
    dailyDrift: {
      async invoke(nowInMs) {
        dailyRuns.push(nowInMs);
        // The day before the tick, drifting from the fourth day on.
        const day = Math.floor(nowInMs / 86_400_000) * 86_400_000 - 86_400_000;
        const share = dailyRuns.length >= 4 ? 0.6 : 0;
        const daily = report(share, day);
        daily.window.to = new Date(day + 86_400_000).toISOString();
        return { report: daily, html: '<html></html>' };
      },
    },
    retrainWebhook: {
      async post(body, atInMs) {
        posts.push({ body, atInMs });
        return {
          status: 202,
          body: { status: 'retraining_triggered', jobName: 'mrm-retrain-default-1', dryRun: true },
        };
      },
    },
    output: {
      async write(name, content) {
        files.set(name, content);
        return `/out/${name}`;
      },
    },
    progress: { begin: () => undefined, update: () => undefined, end: () => undefined },
    stopwatch: { nowInMs: () => 0 },
  };
  return { value, uploads, files, posts, batches, driftRuns, dailyRuns };
}

describe('runDemo', () => {
  it('stores the baseline where scoreEvents reads it, and Capture files of both hubs under the real name layout', async () => {
    const p = ports();
    const result = await runDemo(p.value, { scenario, settings });
    expect(p.uploads[0]).toMatchObject({
      container: 'baseline',
      name: 'profile.json',
      contentType: 'application/json',
    });
    const capture = p.uploads.filter((u) => u.container === 'capture');
    expect(capture.length).toBe(result.blobs.events + result.blobs.scored);
    for (const u of capture)
      expect(u.name).toMatch(/^evhns-mrm-demo\/(events|scored)\/[0-3]\/2026\/0[23]\/\d\d\/00\/00\/00\.avro$/);
    expect(result.blobs.events).toBe(28);
    // scoreEvents stores its own dead letters; the demo counts the blobs it reports.
    expect(p.uploads.filter((u) => u.container === 'deadletters')).toEqual([]);
    expect(result.blobs.deadLetters).toBe(p.batches.filter((b) => b.batch.events.some(notJson)).length);
  });

  it('invokes scoreEvents with batches of at most 100 events of one partition, after their last event was enqueued', async () => {
    const p = ports();
    await runDemo(p.value, { scenario, settings });
    expect(p.batches.reduce((n, b) => n + b.batch.events.length, 0)).toBe(3000);
    for (const { batch, processedAtInMs } of p.batches) {
      expect(batch.events.length).toBeLessThanOrEqual(100);
      expect(new Set(batch.events.map((e) => e.partitionId))).toEqual(new Set([batch.partitionId]));
      expect(processedAtInMs).toBeGreaterThan(batch.events[batch.events.length - 1]!.enqueuedTimeInMs);
    }
  });

  it('runs weeklyDrift at the scenario’s now and posts the fired alert shortly after', async () => {
    const p = ports({ magnitude: 0.56 });
    const result = await runDemo(p.value, { scenario, settings });
    expect(p.driftRuns).toEqual([NOW]);
    expect(p.posts).toHaveLength(1);
    expect(p.posts[0]!.atInMs).toBeGreaterThan(NOW);
    const alert = JSON.parse(p.posts[0]!.body) as {
      data: { alertContext: { condition: { allOf: Array<{ metricValue: number }> } } };
    };
    expect(alert.data.alertContext.condition.allOf[0]!.metricValue).toBe(0.56);
    expect(result.alert).toMatchObject({ fired: true, magnitude: 0.56, threshold: 0.3, response: { status: 202 } });
    expect([...p.files.keys()].sort()).toEqual([
      'alert.json',
      'baseline.json',
      'report.html',
      'report.json',
      'training.csv',
      'webhook-response.json',
    ]);
  });

  it('posts no alert when the drift stays within the rule’s threshold, and the summary says retraining was not requested', async () => {
    const p = ports({ magnitude: 0.2 });
    const result = await runDemo(p.value, { scenario, settings });
    expect(p.posts).toEqual([]);
    expect(result.alert).toEqual({ fired: false, magnitude: 0.2, threshold: 0.3 });
    expect(p.files.has('alert.json')).toBe(false);
    expect(formatDemoSummary(result)).toMatch(
      /^Retraining\s+not requested: drifted share 0\.20 does not exceed the alert threshold 0\.3$/m,
    );
  });

  it('names a page during the extraction attack as the attack, not the drift', async () => {
    const result = await runDemo(ports().value, { scenario, settings });
    const during = {
      detector: 'decisions',
      direction: 'up' as const,
      partition: '3',
      atInMs: scenario.probe.fromInMs + 60_000,
    };
    const later = {
      detector: 'errorCusum',
      direction: 'up' as const,
      partition: '2',
      atInMs: scenario.drift.onsetInMs + 7_200_000,
    };
    const text = formatDemoSummary({ ...result, counts: { ...result.counts, streamAlarms: [during, later] } });
    expect(text).toMatch(/decisions \(up\) \d+\.\d h before the onset, partition 3, during the extraction attack; /);
    expect(text).toMatch(/errorCusum \(up\) 2\.0 h after the onset, partition 2; the weekly report/);
  });

  it('says when the stream detectors paged against the drift onset, beside when the weekly report says it', async () => {
    const p = ports();
    // A model that turns wrong on every labelled event from the onset on (the fake scores every JSON body).
    const wrongAfterOnset: ScoreEventsInvoker = {
      async invoke(batch, processedAtInMs) {
        const out = await acceptingScorer([]).invoke(batch, processedAtInMs);
        const sentAt = new Map(batch.events.map((e) => [e.id, e.timeInMs] as const));
        for (const r of out.scored) {
          const wrong = (sentAt.get(r.id) ?? 0) >= scenario.drift.onsetInMs;
          Object.assign(r, { prediction: '0', label: wrong ? 1 : 0, score: 0.1, confidence: 0.9, entropy: 0.33 });
        }
        return out;
      },
    };
    const result = await runDemo({ ...p.value, scoreEvents: wrongAfterOnset }, { scenario, settings });
    const first = result.counts.streamAlarms.find((a) => a.detector === 'errorCusum')!;
    expect(first.atInMs).toBeGreaterThan(scenario.drift.onsetInMs);
    expect(formatDemoSummary(result)).toMatch(
      /^Stream {11}first pages: .*errorCusum \(up\) \d+\.\d h after the onset, partition \d.*; the weekly report says it \d+\.\d h after the onset$/m,
    );
  });

  it('refuses a report of another week (DEMO.WRONG_WEEK) rather than summarise the wrong data', async () => {
    const p = ports({ reportFrom: scenario.window.fromInMs - 7 * 86_400_000 });
    await expect(runDemo(p.value, { scenario, settings })).rejects.toMatchObject({ code: 'DEMO.WRONG_WEEK' });
    expect(p.posts).toEqual([]);
  });

  it('stops with the storage error when an upload fails, without running the drift job', async () => {
    const p = ports({ failUploadAt: 10 });
    await expect(runDemo(p.value, { scenario, settings })).rejects.toThrow('Azurite went away');
    expect(p.driftRuns).toEqual([]);
    expect(p.dailyRuns).toEqual([]);
  });

  it("runs dailyDrift at 02:30 UTC after each day of the week, before Monday's weekly run, and keeps each day's verdict", async () => {
    const p = ports();
    const result = await runDemo(p.value, { scenario, settings });
    const DAY = 86_400_000;
    expect(p.dailyRuns).toEqual(
      Array.from({ length: 7 }, (_, d) => scenario.window.fromInMs + (d + 1) * DAY + 2.5 * 3_600_000),
    );
    expect(Math.max(...p.dailyRuns)).toBeLessThan(NOW);
    expect(result.daily.map((d) => d.label)).toEqual(
      Array.from({ length: 7 }, (_, d) => new Date(scenario.window.fromInMs + d * DAY).toISOString().slice(0, 10)),
    );
    expect(result.daily.map((d) => d.datasetDrift)).toEqual([false, false, false, true, true, true, true]);
    expect(result.daily[3]).toMatchObject({ driftShare: 0.6, driftedFeatures: ['hour', 'amount'] });
  });
});
