import { errorMessage, kindOf } from '../../errors.js';
import type { ProfileSchema } from '../schema.js';
import type { FoldCaptureOptions } from '../run/foldCaptureBlob.js';
import type { CaptureSource, DriftProgress, RollupStore } from '../run/ports.js';
import { profileWindowFromRollups, type RollupWindowDeps } from '../run/profileWindowFromRollups.js';
import { pendingHours, planRollupWindow } from '../run/rollupPlan.js';
import { HOUR_IN_MS } from '../run/rollups.js';
import type { DriftWindow } from '../run/driftWindow.js';
import type { HourInput, HourResult, PlanResult } from './backfillOrchestration.js';

/** driftBackfillPlan: the window's hours with blobs no roll-up holds (listings and roll-ups only, no Capture read). */
export async function planBackfill(
  deps: { source: CaptureSource; rollups: RollupStore; progress: DriftProgress },
  request: { schema: ProfileSchema; window: DriftWindow; decoder?: FoldCaptureOptions },
): Promise<PlanResult> {
  const plan = await planRollupWindow(deps, request);
  return {
    ok: true,
    schemaId: request.schema.id,
    blobsTotal: plan.counts.events + plan.counts.scored,
    hours: pendingHours(plan.pending),
  };
}

/**
 * driftBackfillHour: one hub's hour folded into its roll-up, as weeklyDrift folds a window (per-blob cache first,
 * then the blob; each merged into the roll-up). Failures an orchestration can outlast are values (a store fault, the
 * time budget, a baseline that changed since the plan), so one bad hour does not fail its siblings; bugs throw.
 */
export async function backfillHour(
  deps: RollupWindowDeps,
  request: {
    schema: ProfileSchema;
    hour: HourInput;
    concurrency: number;
    timeBudgetInMs: number;
    decoder?: FoldCaptureOptions;
  },
): Promise<HourResult> {
  const { hub, hourStartInMs, schemaId, window } = request.hour;
  const failed = (code: string, message: string): HourResult => ({ ok: false, hub, hourStartInMs, code, message });
  if (request.schema.id !== schemaId)
    return failed(
      'DRIFT.BASELINE_CHANGED',
      `the baseline's schema is ${request.schema.id} now, the plan's was ${schemaId}: planned again`,
    );
  const hourWindow: DriftWindow = {
    fromInMs: hourStartInMs,
    toInMs: hourStartInMs + HOUR_IN_MS,
    label: `${window.label} ${new Date(hourStartInMs).toISOString().slice(11, 13)}h`,
  };
  // Only this hub's blobs: the other hub's hour is its own activity.
  const source: CaptureSource = {
    hubs: [hub],
    list: (h, w) => deps.source.list(h, w),
    read: (b) => deps.source.read(b),
  };
  try {
    const outcome = await profileWindowFromRollups(
      { ...deps, source },
      {
        schema: request.schema,
        window: hourWindow,
        concurrency: request.concurrency,
        deadlineInMs: deps.clock.nowInMs() + request.timeBudgetInMs,
        ...(request.decoder ? { decoder: request.decoder } : {}),
      },
    );
    if (outcome.status !== 'complete')
      return failed(
        'DRIFT.INCOMPLETE',
        outcome.status === 'incomplete'
          ? `${outcome.blobsDone} of ${outcome.blobsTotal} blobs within the time budget`
          : 'handed over',
      );
    const h = outcome.hubs[hub]!;
    return {
      ok: true,
      hub,
      hourStartInMs,
      blobs: h.blobs,
      read: h.blobs - h.fromCache,
      skipped: h.skipped.length,
      events: h.profile.events,
    };
  } catch (error) {
    if (kindOf(error) === 'bug') throw error;
    const code = (error as { code?: unknown }).code;
    return failed(
      typeof code === 'string' && /^[A-Z]+\.[A-Z_]+$/.test(code) ? code : 'DRIFT.HOUR_FAILED',
      errorMessage(error),
    );
  }
}
