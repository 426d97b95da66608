import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_FUNCTION_WARNINGS, runDemoCommand, type DemoIo } from '../../cli/commands/demo.js';
import { MALFORMED_KINDS } from '../../dev/synthetic/malformedBodies.js';
import type { DemoResult } from '../../cli/demo/runDemo.js';

/** The demo in-process on a small week (daily Capture files keep it quick); its output captured. */
function io(out: string[], interrupts: Array<() => void> = []): DemoIo {
  return {
    stdout: { isTTY: false, write: (text: string) => out.push(text) },
    stderr: (text) => out.push(text),
    onInterrupt: (handler) => {
      interrupts.push(handler);
      return () => interrupts.splice(interrupts.indexOf(handler), 1);
    },
    clock: { nowInMs: () => Date.UTC(2026, 2, 4, 10) },
  };
}

const portAccepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('mrm demo, in process', () => {
  let folder: string;
  let result: DemoResult;
  const out: string[] = [];
  const interrupts: Array<() => void> = [];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mrm-demo-test-'));
    result = await runDemoCommand(
      { events: 6000, seed: 42, out: folder, captureInterval: 86_400 },
      io(out, interrupts),
    );
  }, 240_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('accounts for every event: accepted, flagged, for review, rejected or dead-lettered', () => {
    const c = result.counts;
    expect(c.events).toBe(6000);
    expect(c.accepted + c.flagged + c.review + c.rejected + c.deadLettered).toBe(6000);
    expect(c.accepted).toBeGreaterThan(3000);
    // Batches of at most 100 per partition: at least 60 invocations, and not many more (4 partial batches).
    expect(c.invocations).toBeGreaterThanOrEqual(60);
    expect(c.invocations).toBeLessThanOrEqual(64);
  });

  it('dead-letters the broken bodies with their contract reasons', () => {
    const reasons = Object.keys(result.counts.deadLetterReasons);
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(Object.values(MALFORMED_KINDS)).toContain(reason);
    expect(result.blobs.deadLetters).toBeGreaterThan(0);
  });

  it('catches the attacker: its queries are flagged as probing', () => {
    expect(result.counts.probe.queries).toBe(150);
    expect(result.counts.probe.probing).toBeGreaterThan(75);
  });

  it("runs the real dailyDrift for each day of the week, and the weekly report's trend holds those days", () => {
    const onsetDay = new Date(result.scenario.drift.onsetInMs).toISOString().slice(0, 10);
    expect(result.daily.map((d) => d.label)).toEqual(result.report.trend!.days.map((d) => d.label));
    expect(result.daily).toHaveLength(7);
    expect(result.report.trend!.days.map((d) => d.driftShare)).toEqual(result.daily.map((d) => d.driftShare));
    // Days wholly before the onset hold baseline-like traffic: no dataset drift there; the days after do drift.
    expect(result.daily.filter((d) => d.label < onsetDay).map((d) => d.datasetDrift)).toEqual([false, false]);
    expect(result.daily.filter((d) => d.label > onsetDay).some((d) => d.datasetDrift)).toBe(true);
    expect(result.report.trend!.windows.map((w) => w.label)).toEqual([result.scenario.window.label]);
    expect(out.join('')).toMatch(/Daily drift {6}\d\d-\d\d 0\.\d\d/);
  });

  it('writes Capture files of both hubs that the real weeklyDrift finds for the week, and reports the mid-week drift', () => {
    // Daily files on 4 partitions for the inputs; the scored hub gets files only where batches were processed.
    expect(result.blobs.events).toBe(28);
    expect(result.blobs.scored).toBeGreaterThan(4);
    expect(result.report.blobs.read).toBe(result.blobs.events + result.blobs.scored);
    expect(result.report.window).toEqual({ from: '2026-02-23T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z' });
    // Every event sent was read back from Capture, broken bodies included.
    expect(result.report.events).toBe(6000);
    expect(result.report.drift.driftedFeatures).toEqual(expect.arrayContaining(['hour', 'tx_count_24h']));
    expect(result.report.drift.share).toBeGreaterThan(0.3);
  });

  it('guards the bundled fraud classifier in process: the baseline is its own, and it loses recall once fraudsters adapt', () => {
    expect(result.baseline.scoredBy).toMatchObject({ scorer: 'onnx', classes: ['0', '1'] });
    expect(result.baseline.modelFile).toMatch(/examples\/models\/card-fraud-gbt\.onnx$/);
    expect(result.baseline.metrics!.accuracy).toBeGreaterThan(0.99);
    expect(result.report.model).toEqual({ scorer: 'onnx', kind: 'classifier' });
    const { beforeOnset, afterOnset } = result.counts.model;
    expect(beforeOnset.labelled).toBeGreaterThan(1500);
    expect(beforeOnset.correct / beforeOnset.labelled).toBeGreaterThan(0.99);
    expect(afterOnset.correct / afterOnset.labelled).toBeLessThan(beforeOnset.correct / beforeOnset.labelled - 0.005);
    // Ordinary events are ACCEPTed at about the validation and confidence budgets before the drift; fewer after it.
    expect(beforeOnset.accepted / beforeOnset.ordinary).toBeGreaterThan(0.9);
    expect(afterOnset.accepted / afterOnset.ordinary).toBeLessThan(beforeOnset.accepted / beforeOnset.ordinary);
    expect(result.report.performance).toMatchObject({ judged: true, conceptDrift: true });
    expect(result.report.performance!.decidedBy).toContain('recall');
  });

  it('posts the fired alert to the real retrainWebhook, which decides to retrain in dry run', () => {
    expect(result.alert.fired).toBe(true);
    expect(result.alert.response?.status).toBe(202);
    expect(result.alert.response?.body).toMatchObject({
      status: 'retraining_triggered',
      model: 'default',
      dryRun: true,
    });
  });

  it('leaves the report and its companions in the output folder', async () => {
    const html = await readFile(result.files.reportHtml, 'utf8');
    expect(html).toContain('<section id="summary">');
    const report = JSON.parse(await readFile(result.files.reportJson, 'utf8')) as { window: unknown };
    expect(report.window).toEqual(result.report.window);
    const alert = JSON.parse(await readFile(result.files.alert!, 'utf8')) as {
      data: { essentials: { monitorCondition: string } };
    };
    expect(alert.data.essentials.monitorCondition).toBe('Fired');
    expect((await readFile(result.files.training, 'utf8')).split('\n')[0]).toBe(
      'id,amount,hour,distance_km,account_age_days,tx_count_24h,avg_amount_30d,device_trust,merchant_category,channel,label',
    );
  });

  it('never points to an empty functions.log: it holds the warnings, or says there were none', async () => {
    const log = await readFile(join(folder, 'functions.log'), 'utf8');
    const files = out
      .join('')
      .split('\n')
      .find((l) => l.startsWith('Files '))!;
    expect(log.trim()).not.toBe('');
    if (log === `${NO_FUNCTION_WARNINGS}\n`) expect(files).toContain('no function warnings or errors (--verbose logs');
    else expect(files).toContain(`function logs in ${join(folder, 'functions.log')}`);
  });

  it('prints plain progress lines and a summary with the counts, the drifted features, the decision and the report path', () => {
    const text = out.join('');
    expect(text).toMatch(/^Azurite \(blob\) on http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/m);
    expect(text).toContain('Scoring a week of events...');
    expect(text).toMatch(/Scoring a week of events: 6,000\/6,000 events/);
    expect(text).toMatch(/^Events in\s+6,000$/m);
    for (const label of ['accepted', 'flagged', 'rejected', 'dead-lettered'])
      expect(text).toMatch(new RegExp(`^  ${label}\\s+[\\d,]+\\s+[\\d.]+%`, 'm'));
    expect(text).toMatch(/^ {2}hour\s+wasserstein \d\.\d{3}\s+ks p \S+\s+(MEDIUM|HIGH)$/m);
    expect(text).toMatch(
      /^Retraining\s+alert fired \(drifted share 0\.\d\d > 0\.3\); retrainWebhook answered 202: retraining_triggered, job mrm-retrain-default-[0-9a-f]+ \(dry run/m,
    );
    expect(text).toContain(`Report           ${result.files.reportHtml}`);
    expect(text).toMatch(
      /^Model {12}classifier onnx:[0-9a-f]{16} from \S*card-fraud-gbt\.onnx \(classes 0, 1\); on the baseline's held-out rows accuracy 1\.000/m,
    );
    expect(text).toMatch(
      /^ {2}before the drift onset \(Wed 12:00 UTC\)\s+accuracy 0\.99\d on [\d,]+ labelled; ordinary events ACCEPTed 9\d\.\d% of [\d,]+$/m,
    );
    expect(text).toMatch(/^ {2}after it\s+accuracy 0\.9\d\d on [\d,]+ labelled/m);
    expect(text).toMatch(/^Performance {6}concept drift on [\d,]+ labelled events: .*recall 1\.000 → 0\.\d{3}/m);
    // 6,000 events over four partitions: too few after the onset for a 1.6-point accuracy drop to page at a budget of
    // 10M events (the 200k-event demo has them); the line says so, and when the weekly report speaks.
    expect(text).toMatch(
      /^Stream {11}(no detector paged this week|first pages: .*); the weekly report says it \d+\.\d h after the onset$/m,
    );
  });

  it('stops Azurite when done and removes its Ctrl-C handler', async () => {
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(out.join(''))![1]);
    expect(await portAccepts(port)).toBe(false);
    expect(interrupts).toHaveLength(0);
  });
});

describe('mrm demo --no-model', () => {
  it('guards the embedded input-anomaly detector, and says so', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'mrm-demo-nomodel-'));
    const out: string[] = [];
    try {
      const result = await runDemoCommand(
        { events: 3000, seed: 7, out: folder, captureInterval: 86_400, model: false },
        io(out),
      );
      expect(result.baseline.scoredBy.scorer).toBe('forest');
      expect(result.report.model).toEqual({ scorer: 'forest', kind: 'input-anomaly-detector' });
      expect(out.join('')).toMatch(/^Model {12}the embedded input-anomaly detector \(no classifier given: --model\)/m);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('mrm demo arguments', () => {
  it.each([
    [{ date: 'next tuesday' }, '--date must be an ISO-8601 date-time, got "next tuesday"'],
    [{ events: 500 }, 'events must be a whole number >= 1000, got 500'],
    [
      { captureInterval: 7 },
      'captureIntervalInSeconds must be a whole number of seconds >= 60 that divides a day, got 7',
    ],
    [{ model: '/nonexistent/model.onnx' }, /^Cannot read the model \/nonexistent\/model\.onnx: .*--no-model/],
  ])('refuses %j before starting anything', async (override, message) => {
    const out: string[] = [];
    await expect(
      runDemoCommand({ events: 5000, seed: 1, out: 'unused', captureInterval: 3600, ...override }, io(out)),
    ).rejects.toMatchObject({
      code: 'CLI.ARGUMENT',
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
    expect(out).toEqual([]);
  });
});
