import { describe, expect, it } from 'vitest';
import {
  BACKFILL,
  BACKFILL_ROUNDS,
  backfillInputOf,
  backfillInstanceId,
  backfillOrchestration,
  type BackfillInput,
  type BackfillStep,
  type HourResult,
  type PlanResult,
  type ReportResult,
} from '../../../../shared/drift/backfill/backfillOrchestration.js';

const HOUR = 3_600_000;
const WINDOW = { fromInMs: Date.UTC(2024, 0, 15), toInMs: Date.UTC(2024, 0, 22), label: '2024-W03' };
const INPUT: BackfillInput = { run: 'weeklyDrift', window: WINDOW, emitsMetrics: true, startedBy: 'weeklyDrift' };

const plan = (hours: number[], schemaId = 's1'): PlanResult => ({
  ok: true,
  schemaId,
  blobsTotal: 1000,
  hours: hours.map((h) => ({ hub: 'events', hourStartInMs: WINDOW.fromInMs + h * HOUR, blobs: 10, bytes: 1e6 })),
});
const done = (hourStartInMs: number): HourResult => ({
  ok: true,
  hub: 'events',
  hourStartInMs,
  blobs: 10,
  read: 7,
  skipped: 1,
  events: 700,
});
const failed = (hourStartInMs: number, code = 'STORE.UNAVAILABLE'): HourResult => ({
  ok: false,
  hub: 'events',
  hourStartInMs,
  code,
  message: 'connect ECONNREFUSED',
});
const reported: ReportResult = {
  status: 'complete',
  reportJson: 'reports/2024-W03/report.json',
  events: 7000,
  driftShare: 0.25,
  driftedFeatures: ['amount'],
  retrainRecommended: false,
  blobsRead: 100,
  blobsSkipped: 1,
};

/**
 * Drives the generator as the orchestrator adapter does: each call step is answered by `answer` (the activities),
 * each wait by nothing. Returns the steps seen and how it ended.
 */
function drive(answer: (step: Extract<BackfillStep, { kind: 'call' }>, calls: number) => unknown[]) {
  const steps: BackfillStep[] = [];
  const run = backfillOrchestration(INPUT);
  let next = run.next();
  let calls = 0;
  try {
    while (!next.done) {
      steps.push(next.value);
      next = run.next(next.value.kind === 'wait' ? [] : answer(next.value, calls++));
    }
    return { steps, output: next.value };
  } catch (error) {
    return { steps, error: error as { code?: string; message: string } };
  }
}

describe('the driftBackfill orchestration (a pure generator)', () => {
  it('plans, folds every missing hub-hour in its own activity at once, then reports from the roll-ups', () => {
    const { steps, output } = drive((step) =>
      step.activity === BACKFILL.plan
        ? [plan([0, 5, 9])]
        : step.activity === BACKFILL.hour
          ? step.inputs.map((i) => done(i.hourStartInMs))
          : [reported],
    );
    expect(steps.map((s) => (s.kind === 'call' ? `${s.activity}×${s.inputs.length}` : s.kind))).toEqual([
      'driftBackfillPlan×1',
      'driftBackfillHour×3',
      'driftBackfillReport×1',
    ]);
    const hours = steps[1] as Extract<BackfillStep, { activity: 'driftBackfillHour' }>;
    expect(hours.inputs).toEqual(
      [0, 5, 9].map((h) => ({
        window: WINDOW,
        hub: 'events',
        hourStartInMs: WINDOW.fromInMs + h * HOUR,
        schemaId: 's1',
      })),
    );
    expect(hours.note).toBe('round 1: backfilling 30 of 1000 blobs in 3 hours');
    expect(steps[2]).toMatchObject({ inputs: [{ ...INPUT, final: false }] });
    expect(output).toEqual({ window: '2024-W03', rounds: 1, hoursBackfilled: 3, blobsRead: 21, report: reported });
  });

  it('goes straight to the report when every hour is rolled up', () => {
    const { steps, output } = drive((step) => (step.activity === BACKFILL.plan ? [plan([])] : [reported]));
    expect(steps.map((s) => (s.kind === 'call' ? s.activity : s.kind))).toEqual([BACKFILL.plan, BACKFILL.report]);
    expect(output).toMatchObject({ rounds: 1, hoursBackfilled: 0 });
  });

  it('waits and plans again when hours fail, longer each round, and reports once they are in', () => {
    let round = 0;
    const { steps, output } = drive((step) => {
      if (step.activity === BACKFILL.plan) return [plan(round++ === 0 ? [0, 1, 2] : [1])];
      if (step.activity === BACKFILL.hour)
        return step.inputs.map((i, k) => (round === 1 && k === 1 ? failed(i.hourStartInMs) : done(i.hourStartInMs)));
      return [reported];
    });
    expect(steps.map((s) => (s.kind === 'call' ? s.activity : `wait ${s.seconds}s`))).toEqual([
      BACKFILL.plan,
      BACKFILL.hour,
      'wait 60s',
      BACKFILL.plan,
      BACKFILL.hour,
      BACKFILL.report,
    ]);
    expect(steps[2]!.note).toBe(
      'round 1: 1 of 3 hours failed, first events 2024-01-15T01h: STORE.UNAVAILABLE: connect ECONNREFUSED',
    );
    expect(output).toMatchObject({ rounds: 2, hoursBackfilled: 3 });
  });

  it('plans again when the report still finds more than it folds itself, and lets the last report fold the rest', () => {
    const reports: boolean[] = [];
    const { output } = drive((step) => {
      if (step.activity === BACKFILL.plan) return [plan([])];
      if (step.activity === BACKFILL.report) {
        reports.push(step.inputs[0].final);
        return [
          reports.length < BACKFILL_ROUNDS ? { status: 'pending', blobsPending: 900, reason: 'late blobs' } : reported,
        ];
      }
      return [];
    });
    expect(reports).toEqual([false, false, true]);
    expect(output).toMatchObject({ rounds: 3 });
  });

  it('waits and plans again when planning or reporting fails for now (a store fault)', () => {
    let plans = 0;
    let reports = 0;
    const { steps, output } = drive((step) => {
      if (step.activity === BACKFILL.plan)
        return [plans++ === 0 ? { ok: false, code: 'STORE.UNAVAILABLE', message: 'listing timed out' } : plan([])];
      return [reports++ === 0 ? { status: 'failed', code: 'PROFILE.UNAVAILABLE', message: 'baseline 503' } : reported];
    });
    expect(steps.map((s) => (s.kind === 'call' ? s.activity : s.note))).toEqual([
      BACKFILL.plan,
      'round 1: planning failed: STORE.UNAVAILABLE: listing timed out',
      BACKFILL.plan,
      BACKFILL.report,
      'round 2: reporting failed: PROFILE.UNAVAILABLE: baseline 503',
      BACKFILL.plan,
      BACKFILL.report,
    ]);
    expect(output).toMatchObject({ rounds: 3 });
  });

  it('ends failed with DRIFT.BACKFILL_INCOMPLETE and the last problem when the rounds run out', () => {
    const { steps, error } = drive((step) =>
      step.activity === BACKFILL.plan
        ? [plan([4])]
        : step.activity === BACKFILL.hour
          ? step.inputs.map((i) => failed(i.hourStartInMs, 'DRIFT.BASELINE_CHANGED'))
          : [{ status: 'pending', blobsPending: 10, reason: 'the time budget ran out' }],
    );
    expect(steps.filter((s) => s.kind === 'wait').map((s) => (s as { seconds: number }).seconds)).toEqual([60, 120]);
    // The last round reports despite the failed hour (final: it folds what is missing itself).
    expect(steps.at(-1)).toMatchObject({ activity: BACKFILL.report, inputs: [{ final: true }] });
    expect(error).toMatchObject({ code: 'DRIFT.BACKFILL_INCOMPLETE' });
    expect(error!.message).toBe(
      'No report for 2024-W03 after 3 rounds: the report found 10 blobs still to fold (the time budget ran out). The next weeklyDrift (or POST drift/backfill) starts again from the cached profiles and roll-ups.',
    );
  });

  it('is deterministic: the same answers give the same steps (what replays rely on)', () => {
    const answer = (step: Extract<BackfillStep, { kind: 'call' }>) =>
      step.activity === BACKFILL.plan
        ? [plan([3, 4])]
        : step.activity === BACKFILL.hour
          ? step.inputs.map((i) => done(i.hourStartInMs))
          : [reported];
    expect(drive(answer)).toEqual(drive(answer));
  });
});

describe('backfill instances and inputs', () => {
  it('name one instance per run and window', () => {
    expect(backfillInstanceId('weeklyDrift', WINDOW)).toBe('drift-weeklyDrift-2024-W03');
    expect(backfillInstanceId('dailyDrift', { ...WINDOW, label: '2024-01-21' })).toBe('drift-dailyDrift-2024-01-21');
  });

  it('take the orchestration input only when it is whole', () => {
    expect(backfillInputOf(JSON.parse(JSON.stringify(INPUT)))).toEqual({ ok: true, value: INPUT });
    for (const bad of [
      null,
      'x',
      { ...INPUT, run: 'hourly' },
      { ...INPUT, window: { ...WINDOW, toInMs: WINDOW.fromInMs } },
      { ...INPUT, window: { fromInMs: 1.5, toInMs: 2, label: 'x' } },
      { ...INPUT, emitsMetrics: 'yes' },
    ])
      expect(backfillInputOf(bad)).toMatchObject({
        ok: false,
        error: { code: 'DRIFT.BACKFILL_INPUT', kind: 'bad-input' },
      });
  });
});
