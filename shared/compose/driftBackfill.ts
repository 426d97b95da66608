import type { InvocationContext } from '@azure/functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import type { Environment, Settings } from '../config/settings.js';
import { MrmError, errorMessage, kindOf, unwrap } from '../errors.js';
import { printable } from '../printable.js';
import { startFunctionTelemetry } from '../adapters/telemetry.js';
import { backfillHour, planBackfill } from '../drift/backfill/backfillActivities.js';
import {
  backfillInputOf,
  backfillOrchestration,
  windowOf,
  type ActivityFailure,
  type BackfillOutput,
  type HourInput,
  type HourResult,
  type PlanResult,
  type ReportInput,
  type ReportResult,
} from '../drift/backfill/backfillOrchestration.js';
import type { RollupStore } from '../drift/run/ports.js';
import { noMetrics } from '../telemetry/metricsPort.js';
import {
  logProgress,
  reportDriftWindow,
  weeklyDriftCaptureFormat,
  weeklyDriftDependencies,
  type WeeklyDriftDependencies,
} from './weeklyDrift.js';

/**
 * The driftBackfill orchestrator: drives the pure backfillOrchestration generator, turning each step into activity
 * calls fanned out with Task.all, or a durable timer, and logging each step once (not on replays). The step is the
 * instance's custom status, so the status query shows where a backfill is.
 */
export function* driftBackfillOrchestrator(context: OrchestrationContext): Generator<Task, BackfillOutput, unknown> {
  const input = unwrap(backfillInputOf(context.df.getInput()));
  const steps = backfillOrchestration(input);
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    context.df.setCustomStatus({ step: step.note });
    if (!context.df.isReplaying) context.log(printable(`driftBackfill ${context.df.instanceId}: ${step.note}`));
    if (step.kind === 'wait') {
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + step.seconds * 1000));
      next = steps.next([]);
    } else {
      const tasks = (step.inputs as unknown[]).map((i) => context.df.callActivity(step.activity, i));
      next = steps.next((yield context.df.Task.all(tasks)) as unknown[]);
    }
  }
  const { report } = next.value;
  if (!context.df.isReplaying)
    context.log(
      printable(
        `driftBackfill ${context.df.instanceId}: ${input.window.label} reported after ${next.value.rounds} round(s), ${next.value.hoursBackfilled} hours backfilled; ` +
          `drift share ${report.driftShare.toFixed(3)}, report ${report.reportJson ?? '(not written)'}`,
      ),
    );
  return next.value;
}

type Activity<I, O> = (input: I, context: InvocationContext) => Promise<O>;

export interface DriftBackfillActivities {
  plan: Activity<unknown, PlanResult | ActivityFailure>;
  hour: Activity<unknown, HourResult>;
  report: Activity<unknown, ReportResult>;
}

/**
 * The three activities over the drift run's dependencies: plan (listings and roll-ups), one hub-hour's backfill, and
 * the window's report from the roll-ups (what weeklyDrift would write, metrics only when the input says so).
 */
export function createDriftBackfillActivities(
  dependencies: (context: InvocationContext) => Promise<WeeklyDriftDependencies>,
): DriftBackfillActivities {
  const rollupsOf = (deps: WeeklyDriftDependencies): RollupStore => {
    if (!deps.rollups) throw new MrmError('bug', 'DRIFT.NO_ROLLUPS', 'driftBackfill needs the hourly roll-up store');
    return deps.rollups;
  };
  return {
    async plan(input, context) {
      const window = windowOf((input as { window?: unknown } | null)?.window);
      if (!window) throw badInput('driftBackfillPlan', input);
      return outlasting('driftBackfillPlan', context, async () => {
        const deps = await dependencies(context);
        const { schema } = await deps.baseline.current();
        const plan = await planBackfill(
          { source: deps.source, rollups: rollupsOf(deps), progress: logProgress(context) },
          // The same body limit as weeklyDrift and profileCaptureBlob: it is part of every roll-up's key.
          { schema, window, decoder: { maxBodyBytes: deps.settings.scoring.maxBodyBytes } },
        );
        context.log(
          `driftBackfillPlan ${window.label}: ${plan.blobsTotal} blobs, ${plan.hours.reduce((n, h) => n + h.blobs, 0)} without a roll-up in ${plan.hours.length} hub-hours`,
        );
        return plan;
      });
    },
    async hour(input, context) {
      const deps = await dependencies(context);
      const hour = hourInputOf(input);
      const { schema } = await deps.baseline.current();
      const { drift } = deps.settings;
      const result = await backfillHour(
        { ...deps, rollups: rollupsOf(deps), progress: logProgress(context) },
        {
          schema,
          hour,
          concurrency: drift.concurrency,
          timeBudgetInMs: drift.timeBudgetInMs,
          decoder: { maxBodyBytes: deps.settings.scoring.maxBodyBytes },
        },
      );
      const at = `${hour.hub} ${new Date(hour.hourStartInMs).toISOString().slice(0, 13)}h`;
      if (result.ok)
        context.log(`driftBackfillHour ${at}: ${result.blobs} blobs, ${result.read} read, ${result.skipped} skipped`);
      else context.warn(printable(`driftBackfillHour ${at}: ${result.code}: ${result.message}`));
      return result;
    },
    async report(input, context) {
      const request = reportInputOf(input);
      const result = await outlasting('driftBackfillReport', context, () => report(request, context));
      return 'ok' in result ? { status: 'failed', code: result.code, message: result.message } : result;
    },
  };

  async function report(request: ReportInput, context: InvocationContext): Promise<ReportResult> {
    const all = await dependencies(context);
    const deps = request.emitsMetrics ? all : { ...all, metrics: noMetrics };
    const handOver = all.settings.drift.handOverAboveMiB;
    const outcome = await reportDriftWindow(deps, request.run, request.window, context, {
      // Folds a few stragglers itself; hands back a larger remainder for another fan-out, except in the last round.
      handOverAboveBytes: request.final || handOver === 0 ? undefined : handOver * 1_048_576,
    });
    if (outcome.status === 'handover')
      return { status: 'pending', blobsPending: outcome.blobsPending, reason: 'more than MRM_DRIFT_HANDOVER_MIB' };
    if (outcome.status === 'incomplete')
      return {
        status: 'pending',
        blobsPending: outcome.blobsTotal - outcome.blobsDone,
        reason: 'the time budget ran out',
      };
    const { report, written } = outcome;
    return {
      status: 'complete',
      reportJson: written?.json ?? null,
      events: report.events,
      driftShare: report.drift.share,
      driftedFeatures: report.drift.driftedFeatures,
      retrainRecommended: report.retrainRecommended,
      blobsRead: report.blobs.read,
      blobsSkipped: report.blobs.skipped.length,
    };
  }
}

/** Runs an activity's work; what the orchestration can outlast (not a bug) comes back as a value, and is logged. */
async function outlasting<T>(
  activity: string,
  context: InvocationContext,
  work: () => Promise<T>,
): Promise<T | ActivityFailure> {
  try {
    return await work();
  } catch (error) {
    if (kindOf(error) === 'bug') throw error;
    const code = error instanceof MrmError ? error.code : 'DRIFT.ACTIVITY_FAILED';
    context.warn(
      printable(`${activity} failed (${kindOf(error)}): ${errorMessage(error)}; the orchestration plans again`),
    );
    return { ok: false, code, message: errorMessage(error) };
  }
}

/** The production activities: dependencies built once per instance, on first use, with telemetry started first. */
export function driftBackfillActivities(settings: Settings, env: Environment): DriftBackfillActivities {
  let deps: WeeklyDriftDependencies | undefined;
  return createDriftBackfillActivities(async (context) => {
    if (!deps) {
      await startFunctionTelemetry(settings.core, (message) => context.error(message));
      deps = weeklyDriftDependencies(settings, env, weeklyDriftCaptureFormat(settings));
    }
    return deps;
  });
}

function hourInputOf(input: unknown): HourInput {
  const v = (input ?? {}) as Partial<HourInput>;
  const window = windowOf(v.window);
  if (
    !window ||
    (v.hub !== 'events' && v.hub !== 'scored') ||
    !Number.isSafeInteger(v.hourStartInMs) ||
    typeof v.schemaId !== 'string'
  )
    throw badInput('driftBackfillHour', input);
  return { window, hub: v.hub, hourStartInMs: v.hourStartInMs!, schemaId: v.schemaId };
}

function reportInputOf(input: unknown): ReportInput {
  const parsed = backfillInputOf(input);
  if (!parsed.ok) throw badInput('driftBackfillReport', input);
  return { ...parsed.value, final: (input as { final?: unknown }).final === true };
}

function badInput(activity: string, input: unknown): MrmError {
  return new MrmError('bug', 'DRIFT.BACKFILL_INPUT', `${activity} got ${JSON.stringify(input)?.slice(0, 200)}`);
}
