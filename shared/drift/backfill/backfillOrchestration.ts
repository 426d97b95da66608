import { MrmError, fail, ok, type Result } from '../../errors.js';
import type { DriftWindow } from '../run/driftWindow.js';
import type { PendingHour } from '../run/rollupPlan.js';
import type { CapturedHub } from '../run/types.js';

/** The Durable Functions names: the orchestration and its three activities (functions/ registers each). */
export const BACKFILL = {
  orchestration: 'driftBackfill',
  plan: 'driftBackfillPlan',
  hour: 'driftBackfillHour',
  report: 'driftBackfillReport',
} as const;

export type DriftRunName = 'weeklyDrift' | 'dailyDrift';

/** What a backfill is asked to do: report one window, folding first whatever its roll-ups lack. */
export interface BackfillInput {
  /** Whose window it is: names the report's cadence and the instance. */
  run: DriftRunName;
  window: DriftWindow;
  /** Whether the report's drift metrics go out (the alerts watch them): the weekly run's own window, handed over. */
  emitsMetrics: boolean;
  /** Who started it, for logs and the status query (`weeklyDrift`, `http`…). */
  startedBy: string;
}

export interface PlanInput {
  window: DriftWindow;
}

/** The hours of the window that have blobs no roll-up holds, on the baseline schema read when planning. */
export interface PlanResult {
  ok: true;
  schemaId: string;
  blobsTotal: number;
  hours: PendingHour[];
}

/** An activity that could not do its part for now (a store fault): the orchestration waits and plans again. */
export interface ActivityFailure {
  ok: false;
  code: string;
  message: string;
}

export interface HourInput {
  window: DriftWindow;
  hub: CapturedHub;
  hourStartInMs: number;
  /** The plan's schema: an hour profiled on another (the baseline changed since) is refused and planned again. */
  schemaId: string;
}

export type HourResult =
  | {
      ok: true;
      hub: CapturedHub;
      hourStartInMs: number;
      blobs: number;
      /** Blobs read and folded now (the rest came from the per-blob cache or the roll-up). */
      read: number;
      skipped: number;
      events: number;
    }
  | { ok: false; hub: CapturedHub; hourStartInMs: number; code: string; message: string };

export interface ReportInput extends BackfillInput {
  /** The last round: fold whatever is still missing in the report activity itself rather than hand it back. */
  final: boolean;
}

export type ReportResult =
  | {
      status: 'complete';
      /** Where the report was written. */
      reportJson: string | null;
      events: number;
      driftShare: number;
      driftedFeatures: string[];
      retrainRecommended: boolean;
      blobsRead: number;
      blobsSkipped: number;
    }
  /** More arrived (or failed) than the report activity folds itself: plan again. */
  | { status: 'pending'; blobsPending: number; reason: string }
  | ({ status: 'failed' } & Omit<ActivityFailure, 'ok'>);

export interface BackfillOutput {
  window: string;
  rounds: number;
  hoursBackfilled: number;
  blobsRead: number;
  report: Extract<ReportResult, { status: 'complete' }>;
}

/** One thing the orchestration asks the platform for; `note` says why, for the log and the status query. */
export type BackfillStep =
  | { kind: 'call'; activity: (typeof BACKFILL)['plan']; inputs: [PlanInput]; note: string }
  | { kind: 'call'; activity: (typeof BACKFILL)['hour']; inputs: HourInput[]; note: string }
  | { kind: 'call'; activity: (typeof BACKFILL)['report']; inputs: [ReportInput]; note: string }
  | { kind: 'wait'; seconds: number; note: string };

export const BACKFILL_ROUNDS = 3;
const RETRY_DELAY_IN_SECONDS = 60;

/**
 * The backfill of one window as a deterministic generator (Durable Functions replays it; the adapter turns each step
 * into activity calls or a timer): plan the hours whose blobs no roll-up holds, fold each hour in its own activity
 * (the fan-out: Flex Consumption scales them out), then report from the roll-ups (the fan-in: the report activity
 * merges the hours' roll-ups exactly as weeklyDrift would). Activities answer faults they can outlast as values (a
 * store fault, the time budget, the baseline changed under an hour): the orchestration pauses on a durable timer and
 * plans again, up to BACKFILL_ROUNDS rounds; the last report folds what is left itself. Bugs fail the instance.
 * Profiles travel through storage (the per-blob cache and the roll-ups), never through the orchestration's history:
 * an hour's roll-up is ~100 KB and a week has 336, so histories stay small and replays cheap. Throws
 * DRIFT.BACKFILL_INCOMPLETE when rounds run out, so the instance ends Failed with the reason.
 */
export function* backfillOrchestration(input: BackfillInput): Generator<BackfillStep, BackfillOutput, unknown[]> {
  const { window } = input;
  let hoursBackfilled = 0;
  let blobsRead = 0;
  let lastProblem = '';
  for (let round = 1; round <= BACKFILL_ROUNDS; round++) {
    const final = round === BACKFILL_ROUNDS;
    const [plan] = (yield {
      kind: 'call',
      activity: BACKFILL.plan,
      inputs: [{ window }],
      note: `round ${round}: planning ${window.label}`,
    }) as [PlanResult | ActivityFailure];
    if (!plan!.ok) {
      lastProblem = `planning failed: ${plan!.code}: ${plan!.message}`;
      if (final) break;
      yield { kind: 'wait', seconds: RETRY_DELAY_IN_SECONDS * round, note: `round ${round}: ${lastProblem}` };
      continue;
    }
    if (plan!.hours.length > 0) {
      const pendingBlobs = plan!.hours.reduce((n, h) => n + h.blobs, 0);
      const results = (yield {
        kind: 'call',
        activity: BACKFILL.hour,
        inputs: plan!.hours.map((h) => ({
          window,
          hub: h.hub,
          hourStartInMs: h.hourStartInMs,
          schemaId: plan!.schemaId,
        })),
        note: `round ${round}: backfilling ${pendingBlobs} of ${plan!.blobsTotal} blobs in ${plan!.hours.length} hours`,
      }) as HourResult[];
      const failed = results.filter((r): r is Extract<HourResult, { ok: false }> => !r.ok);
      for (const r of results) {
        if (!r.ok) continue;
        hoursBackfilled++;
        blobsRead += r.read;
      }
      if (failed.length > 0) {
        lastProblem = `${failed.length} of ${results.length} hours failed, first ${hourName(failed[0]!)}: ${failed[0]!.code}: ${failed[0]!.message}`;
        if (!final) {
          yield { kind: 'wait', seconds: RETRY_DELAY_IN_SECONDS * round, note: `round ${round}: ${lastProblem}` };
          continue;
        }
      }
    }
    const [report] = (yield {
      kind: 'call',
      activity: BACKFILL.report,
      inputs: [{ ...input, final }],
      note: `round ${round}: reporting ${window.label}`,
    }) as [ReportResult];
    if (report!.status === 'complete')
      return { window: window.label, rounds: round, hoursBackfilled, blobsRead, report: report! };
    if (report!.status === 'failed') {
      lastProblem = `reporting failed: ${report!.code}: ${report!.message}`;
      if (!final)
        yield { kind: 'wait', seconds: RETRY_DELAY_IN_SECONDS * round, note: `round ${round}: ${lastProblem}` };
      continue;
    }
    lastProblem = `the report found ${report!.blobsPending} blobs still to fold (${report!.reason})`;
  }
  throw new MrmError(
    'transient',
    'DRIFT.BACKFILL_INCOMPLETE',
    `No report for ${window.label} after ${BACKFILL_ROUNDS} rounds: ${lastProblem}. The next weeklyDrift (or POST drift/backfill) starts again from the cached profiles and roll-ups.`,
  );
}

/** The orchestration's input, checked: it is JSON from the task hub, written by a starter of this app. */
export function backfillInputOf(value: unknown): Result<BackfillInput> {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Partial<Record<keyof BackfillInput, unknown>>;
  const window = windowOf(v.window);
  if ((v.run !== 'weeklyDrift' && v.run !== 'dailyDrift') || !window || typeof v.emitsMetrics !== 'boolean')
    return fail(
      'bad-input',
      'DRIFT.BACKFILL_INPUT',
      `${BACKFILL.orchestration} needs { run: weeklyDrift | dailyDrift, window: { fromInMs, toInMs, label }, emitsMetrics }, got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  return ok({
    run: v.run,
    window,
    emitsMetrics: v.emitsMetrics,
    startedBy: typeof v.startedBy === 'string' ? v.startedBy : 'unknown',
  });
}

/** A window as JSON carries it, or undefined. */
export function windowOf(value: unknown): DriftWindow | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { fromInMs, toInMs, label } = value as Partial<DriftWindow>;
  return Number.isSafeInteger(fromInMs) &&
    Number.isSafeInteger(toInMs) &&
    toInMs! > fromInMs! &&
    typeof label === 'string'
    ? { fromInMs: fromInMs!, toInMs: toInMs!, label }
    : undefined;
}

/** The instance of a window's backfill: one at a time per window, whoever starts it. */
export function backfillInstanceId(run: DriftRunName, window: DriftWindow): string {
  return `drift-${run}-${window.label}`;
}

function hourName(r: { hub: CapturedHub; hourStartInMs: number }): string {
  return `${r.hub} ${new Date(r.hourStartInMs).toISOString().slice(0, 13)}h`;
}
