import type { InvocationContext } from '@azure/functions';
import type { Environment, Settings } from '../config/settings.js';
import { errorMessage, kindOf } from '../errors.js';
import { printable } from '../printable.js';
import { blobServiceClientFor } from '../adapters/blobServiceClient.js';
import { BlobProfileSource, type ProfileSource } from '../adapters/blobProfileSource.js';
import { OtelMetrics, startFunctionTelemetry } from '../adapters/telemetry.js';
import { scorerFromSettings } from '../adapters/scorerFromSettings.js';
import { BlobDeadLetterSink } from '../adapters/blobDeadLetterSink.js';
import { createScoringEngine } from '../scoring/createScoringEngine.js';
import { scoreBatch } from '../scoring/scoreBatch.js';
import type { ScoringEngine } from '../scoring/types.js';
import { extractionCallersLine, recordBatchMetrics } from '../scoring/batchSummary.js';
import { LOG_LINES } from '../telemetry/monitoring.js';
import { readEventMetadata } from '../scoring/eventMetadata.js';
import { deadLetterOf, type DeadLetter } from '../scoring/deadLetter.js';
import type { DeadLetterSink } from '../scoring/deadLetterSink.js';
import type { BaselineProfile } from '../baseline/profile.js';
import type { Scorer } from '../contracts/scorer.js';
import type { ScoredRecord } from '../contracts/records.js';
import type { Clock } from '../contracts/clock.js';
import { systemClock } from '../adapters/clocks.js';
import type { MetricsPort } from '../telemetry/metricsPort.js';
import type { StateStore } from '../retraining/ports.js';
import { BlobStateStore } from '../adapters/blobStateStore.js';
import { BlobAlarmLog } from '../adapters/blobAlarmLog.js';
import type { AlarmLog } from '../stream/alarmLog.js';
import { PartitionDetectors } from '../stream/partitionDetectors.js';
import { reportObservation, type StreamLog } from '../stream/reportObservation.js';

export interface ScoreEventsDependencies {
  settings: Settings;
  profiles: ProfileSource;
  metrics: MetricsPort;
  deadLetters: DeadLetterSink;
  scorer?: ((profile: BaselineProfile) => Scorer) | undefined;
  clock?: Clock;
  /** Where the stream detectors keep each partition's state; without it (or with MRM_STREAM_DETECTORS off) they do not run. */
  streamStates?: StateStore | undefined;
  /** Where the detectors record each page for the weekly report's timeline. */
  streamAlarms?: AlarmLog | undefined;
}

/**
 * The scoreEvents handler over its dependencies. Every event ends scored or dead-lettered with its whole body: a fault
 * of the event is dead-lettered as not worth replaying, any other fault (no profile, no scorer, a scorer that cannot
 * answer, a bug) as replayable. It throws only when the dead letters themselves cannot be stored, so that the host's
 * retry policy runs the batch again rather than the checkpoint moving past events kept nowhere.
 */
export function createScoreEventsHandler(deps: ScoreEventsDependencies) {
  const clock = deps.clock ?? systemClock;
  let engine: ScoringEngine | undefined;
  const stream = deps.settings.stream;
  const detectors =
    stream.enabled && deps.streamStates
      ? new PartitionDetectors(deps.streamStates, stream, clock, deps.streamAlarms)
      : undefined;
  const scoreEvents = async function scoreEvents(
    messages: unknown,
    context: InvocationContext,
  ): Promise<ScoredRecord[]> {
    const bodies = Array.isArray(messages) ? messages : [messages];
    const metadata = readEventMetadata(context.triggerMetadata, bodies.length);
    const store = async (letters: readonly DeadLetter[]): Promise<void> => {
      try {
        await deps.deadLetters.write(letters, { first: metadata[0], atInMs: clock.nowInMs() });
      } catch (error) {
        context.error(printable(`Failing the batch so that it is retried: ${errorMessage(error)}`));
        throw error;
      }
    };
    const deadLetterAll = async (reason: string, error: unknown): Promise<ScoredRecord[]> => {
      const kind = kindOf(error);
      const cause = { reason, message: errorMessage(error), replayable: kind !== 'bad-input' };
      const at = new Date(clock.nowInMs()).toISOString();
      const profileVersion = engine?.profileVersion ?? 'none';
      const letters = bodies.map((body, i) => deadLetterOf(body, metadata[i]!, cause, profileVersion, at));
      context.error(
        printable(
          `Dead-lettering all ${letters.length} events of the batch (${reason}, ${kind}): ${errorMessage(error)}`,
        ),
      );
      await store(letters);
      deps.metrics.count('events', bodies.length);
      deps.metrics.count('deadLettered', bodies.length);
      return [];
    };

    let profile: BaselineProfile;
    try {
      profile = await deps.profiles.current();
    } catch (error) {
      return deadLetterAll('PROFILE.UNAVAILABLE', error);
    }
    if (engine?.profileVersion !== profile.profileVersion) {
      let ready: Awaited<ReturnType<NonNullable<Scorer['ready']>>> | undefined;
      try {
        engine = createScoringEngine(profile, deps.settings.scoring, { scorer: deps.scorer });
        ready = await engine.scorer.ready?.();
      } catch (error) {
        return deadLetterAll('SCORER.UNAVAILABLE', error);
      }
      // A model that does not fit is said once here, by name; its events are dead-lettered, not lost.
      if (ready && !ready.ok) {
        context.error(
          printable(
            `Model not ready (${ready.error.code}): ${ready.error.message}. Events are dead-lettered as SCORER.UNAVAILABLE until it is.`,
          ),
        );
      }
      context.log(
        `Scoring with baseline profile ${profile.profileVersion} and model ${engine.scorer.modelVersion} (${engine.modelKind})`,
      );
    }
    let result: Awaited<ReturnType<typeof scoreBatch>>;
    try {
      result = await scoreBatch(engine, bodies, metadata, clock);
    } catch (error) {
      // scoreBatch catches per event; reaching here is a bug, and the batch must still not be lost.
      return deadLetterAll('INTERNAL.ERROR', error);
    }
    if (result.deadLetters.length > 0) await store(result.deadLetters);
    const unscored = result.deadLetters.find((d) => d.reason === 'SCORER.UNAVAILABLE');
    if (unscored) context.warn(printable(`Scorer unavailable for part of the batch: ${unscored.message}`));
    recordBatchMetrics(result.summary, deps.metrics);
    const callers = extractionCallersLine(result.summary, LOG_LINES.extractionFlaggedCallers);
    if (callers) context.warn(printable(callers));
    if (detectors) {
      try {
        reportObservation(await detectors.observe(profile, result.scored), deps.metrics, context);
      } catch (error) {
        // The detectors watch the scoring; a bug of theirs must not cost a scored event.
        context.error(printable(`Stream detectors failed on this batch: ${errorMessage(error)}`));
      }
    }
    const s = result.summary;
    context.log(
      `Batch of ${s.events}: ${s.accepted} accepted, ${s.flagged} flagged, ${s.review} for review, ${s.rejected} rejected, ` +
        `${s.deadLettered} dead-lettered in ${s.batchLatencyInMs} ms`,
    );
    return result.scored;
  };
  /** Saves every partition's unsaved detector state (the host is stopping): the next owner resumes from it. */
  const flush = async (log: StreamLog): Promise<void> => {
    if (detectors) reportObservation(await detectors.flush(), deps.metrics, log);
  };
  return Object.assign(scoreEvents, { flush });
}

export type ScoreEventsHandler = ReturnType<typeof createScoreEventsHandler>;

/**
 * The production handler, built on first use so cold start stays small and tests can import the function file without
 * storage. Telemetry starts before the metrics port is made, so its instruments bind to the Azure Monitor provider
 * rather than the no-op one. Nothing here may reject: a broken setup dead-letters, or fails the batch for a retry when
 * not even that works.
 */
export function scoreEventsHandler(settings: Settings, env: Environment): ScoreEventsHandler {
  let handler: Promise<ScoreEventsHandler> | undefined;
  const scoreEvents = async (messages: unknown, context: InvocationContext): Promise<ScoredRecord[]> => {
    handler ??= startFunctionTelemetry(settings.core).then(() => {
      const storage = storageFor(settings, env);
      return createScoreEventsHandler({
        settings,
        profiles: storage.profiles,
        metrics: new OtelMetrics(),
        deadLetters: storage.deadLetters,
        streamStates: storage.streamStates,
        streamAlarms: storage.streamAlarms,
        scorer: scorerFromSettings(settings, env, { onEvent: (message) => console.warn(printable(message)) }),
      });
    });
    return (await handler)(messages, context);
  };
  // Before the first batch there is nothing to save, and nothing is built for it.
  const flush = async (log: StreamLog): Promise<void> => {
    if (handler) await (await handler).flush(log);
  };
  return Object.assign(scoreEvents, { flush });
}

function storageFor(
  settings: Settings,
  env: Environment,
): { profiles: ProfileSource; deadLetters: DeadLetterSink; streamStates: StateStore; streamAlarms?: AlarmLog } {
  try {
    const service = blobServiceClientFor(settings.core.storageConnection, env);
    return {
      profiles: new BlobProfileSource(
        service.getContainerClient(settings.core.baselineContainer),
        settings.core.baselineBlob,
        { reloadCheckInMs: settings.scoring.profileReloadCheckInMs },
      ),
      deadLetters: new BlobDeadLetterSink(service.getContainerClient(settings.scoring.deadLetterContainer)),
      streamStates: new BlobStateStore(service.getContainerClient(settings.stream.stateContainer)),
      streamAlarms: new BlobAlarmLog(service.getContainerClient(settings.stream.stateContainer)),
    };
  } catch (error) {
    return {
      profiles: { current: () => Promise.reject(error) },
      deadLetters: { write: () => Promise.reject(error) },
      streamStates: {
        read: () => Promise.reject(error),
        create: () => Promise.reject(error),
        replace: () => Promise.reject(error),
        remove: () => Promise.reject(error),
      },
    };
  }
}
