import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { Settings } from '../config/settings.js';
import { errorMessage, kindOf } from '../errors.js';
import { printable } from '../printable.js';
import { DurableBackfillStarter } from '../adapters/durableBackfillStarter.js';
import { parseBackfillRequest } from '../drift/backfill/backfillRequest.js';
import type { BackfillStarter } from '../drift/backfill/ports.js';
import type { Clock } from '../drift/run/ports.js';
import { systemClock } from '../adapters/clocks.js';
import { errorResponse, thrownResponse } from './webhookResponse.js';

export interface StartDriftBackfillDependencies {
  starter: (context: InvocationContext) => BackfillStarter;
  clock: Clock;
  /** Windows one request may recompute: those the trend shows (MRM_DRIFT_TREND_WINDOWS) and the last. */
  maxWindows: number;
}

const MAX_BODY_BYTES = 4096;

/**
 * POST drift/backfill: starts the driftBackfill orchestration for a run's last windows, one instance per window
 * (a window already under way is left alone and reported as running): the way to recompute reports after a new
 * baseline, whose schema no cached profile or roll-up matches. A recompute writes reports, never drift metrics: the
 * alerts follow the weekly run. Answers 202 with each instance and its status URL.
 */
export function createStartDriftBackfillHandler(deps: StartDriftBackfillDependencies) {
  return async function startDriftBackfill(
    request: HttpRequest,
    context: InvocationContext,
  ): Promise<HttpResponseInit> {
    try {
      const text = await request.text();
      if (Buffer.byteLength(text) > MAX_BODY_BYTES)
        return answer(errorResponse(413, 'BACKFILL.TOO_LARGE', `the body is over ${MAX_BODY_BYTES} bytes`));
      let body: unknown;
      try {
        body = text.trim() === '' ? undefined : JSON.parse(text);
      } catch {
        return answer(errorResponse(400, 'BACKFILL.BAD_REQUEST', 'the body is not JSON'));
      }
      const parsed = parseBackfillRequest(body, { nowInMs: deps.clock.nowInMs(), maxWindows: deps.maxWindows });
      if (!parsed.ok) return answer(errorResponse(400, parsed.error.code, parsed.error.message));
      const starter = deps.starter(context);
      const instances = [];
      for (const window of parsed.value.windows) {
        const started = await starter.start({ run: parsed.value.run, window, emitsMetrics: false, startedBy: 'http' });
        context.log(printable(`startDriftBackfill ${window.label}: ${started.state} ${started.instanceId}`));
        instances.push({ window: window.label, ...started });
      }
      return { status: 202, jsonBody: { run: parsed.value.run, instances } };
    } catch (error) {
      context.error(printable(`startDriftBackfill failed (${kindOf(error)}): ${errorMessage(error)}`));
      return answer(thrownResponse(error));
    }
  };
}

function answer(response: { status: number; body: Record<string, unknown>; headers?: Record<string, string> }) {
  return { status: response.status, jsonBody: response.body, headers: { ...(response.headers ?? {}) } };
}

/** The production handler: the invocation's Durable Functions client, the system clock. */
export function startDriftBackfillHandler(settings: Settings) {
  return createStartDriftBackfillHandler({
    starter: (context) => new DurableBackfillStarter(df.getClient(context)),
    clock: systemClock,
    maxWindows: settings.drift.trendWindows + 1,
  });
}
