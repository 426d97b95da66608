import { app, output, type EventHubFunctionOptions, type InvocationContext } from '@azure/functions';
import { loadSettings, type Settings } from '../shared/config/settings.js';
import { errorMessage, kindOf, unwrap } from '../shared/errors.js';
import { printable } from '../shared/printable.js';
import { blobServiceClientFor } from '../shared/adapters/blobServiceClient.js';
import { BlobProfileSource, type ProfileSource } from '../shared/adapters/blobProfileSource.js';
import { OtelMetrics, startTelemetry } from '../shared/adapters/telemetry.js';
import { scorerFromSettings } from '../shared/adapters/scorerFromSettings.js';
import { createScoringEngine } from '../shared/scoring/createScoringEngine.js';
import { scoreBatch, type ScoringEngine } from '../shared/scoring/scoreBatch.js';
import { extractionCallersLine, recordBatchMetrics } from '../shared/scoring/batchSummary.js';
import { LOG_LINES } from '../shared/config/monitoring.js';
import { readEventMetadata } from '../shared/scoring/eventMetadata.js';
import { readableId, type DeadLetter } from '../shared/scoring/deadLetter.js';
import type { DeadLetterSink } from '../shared/scoring/deadLetterSink.js';
import { BlobDeadLetterSink } from '../shared/adapters/blobDeadLetterSink.js';
import type { BaselineProfile } from '../shared/baseline/profile.js';
import type { Scorer } from '../shared/scoring/scorer.js';
import type { ScoredRecord } from '../shared/scoring/records.js';
import type { MetricsPort } from '../shared/telemetry/metricsPort.js';

export interface ScoreEventsDependencies {
  settings: Settings;
  profiles: ProfileSource;
  metrics: MetricsPort;
  deadLetters: DeadLetterSink;
  scorer?: ((profile: BaselineProfile) => Scorer) | undefined;
  now?: () => number;
}

/**
 * The scoreEvents handler over its dependencies. Every event ends scored or dead-lettered with its whole body: a fault
 * of the event is dead-lettered as not worth replaying, any other fault (no profile, no scorer, a scorer that cannot
 * answer, a bug) as replayable. It throws only when the dead letters themselves cannot be stored, so that the host's
 * retry policy runs the batch again rather than the checkpoint moving past events kept nowhere.
 */
export function createScoreEventsHandler(deps: ScoreEventsDependencies) {
  const now = deps.now ?? (() => Date.now());
  let engine: ScoringEngine | undefined;
  return async function scoreEvents(messages: unknown, context: InvocationContext): Promise<ScoredRecord[]> {
    const bodies = Array.isArray(messages) ? messages : [messages];
    const metadata = readEventMetadata(context.triggerMetadata, bodies.length);
    const store = async (letters: readonly DeadLetter[]): Promise<void> => {
      try {
        await deps.deadLetters.write(letters, { first: metadata[0], atInMs: now() });
      } catch (error) {
        context.error(printable(`Failing the batch so that it is retried: ${errorMessage(error)}`));
        throw error;
      }
    };
    const deadLetterAll = async (reason: string, error: unknown): Promise<ScoredRecord[]> => {
      const kind = kindOf(error);
      const letters: DeadLetter[] = bodies.map((body, i) => ({
        kind: 'mrm.deadletter',
        id: readableId(body),
        reason,
        message: errorMessage(error),
        replayable: kind !== 'bad-input',
        original: body,
        metadata: metadata[i]!,
        profileVersion: engine?.profileVersion ?? 'none',
        deadLetteredAt: new Date(now()).toISOString(),
      }));
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
      result = await scoreBatch(engine, bodies, metadata, { now });
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
    const s = result.summary;
    context.log(
      `Batch of ${s.events}: ${s.accepted} accepted, ${s.flagged} flagged, ${s.review} for review, ${s.rejected} rejected, ` +
        `${s.deadLettered} dead-lettered in ${s.batchLatencyInMs} ms`,
    );
    return result.scored;
  };
}

/**
 * A batch whose dead letters could not be stored is run again until they can be (the partition waits meanwhile): a
 * thrown batch is otherwise checkpointed and lost.
 */
export const SCORE_EVENTS_RETRY = {
  strategy: 'exponentialBackoff',
  maxRetryCount: -1,
  minimumInterval: { seconds: 5 },
  maximumInterval: { minutes: 5 },
} as const;

// Registration: settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));
const scoredOutput = output.eventHub({
  connection: settings.scoring.eventHubConnection,
  eventHubName: settings.scoring.scoredHub,
});

let handler: Promise<ReturnType<typeof createScoreEventsHandler>> | undefined;
function defaultHandler(): Promise<ReturnType<typeof createScoreEventsHandler>> {
  // Built on first use so cold start stays small and tests can import this file without storage. Telemetry starts
  // before the metrics port is made, so its instruments bind to the Azure Monitor provider rather than the no-op one.
  // Nothing here may reject: a broken setup dead-letters, or fails the batch for a retry when not even that works.
  handler ??= startTelemetry(settings.core.appInsightsConnectionString, {
    authenticationString: settings.core.appInsightsAuthentication,
    clientId: settings.core.managedIdentityClientId,
  })
    .catch((error: unknown) => console.error(`Telemetry not started: ${errorMessage(error)}`))
    .then(() => {
      const storage = storageFor(settings);
      return createScoreEventsHandler({
        settings,
        profiles: storage.profiles,
        metrics: new OtelMetrics(),
        deadLetters: storage.deadLetters,
        scorer: scorerFromSettings(settings, process.env, { onEvent: (message) => console.warn(printable(message)) }),
      });
    });
  return handler;
}

function storageFor(settings: Settings): { profiles: ProfileSource; deadLetters: DeadLetterSink } {
  try {
    const service = blobServiceClientFor(settings.core.storageConnection, process.env);
    return {
      profiles: new BlobProfileSource(
        service.getContainerClient(settings.core.baselineContainer),
        settings.core.baselineBlob,
        {
          reloadCheckInMs: settings.scoring.profileReloadCheckInMs,
        },
      ),
      deadLetters: new BlobDeadLetterSink(service.getContainerClient(settings.scoring.deadLetterContainer)),
    };
  } catch (error) {
    return {
      profiles: { current: () => Promise.reject(error) },
      deadLetters: { write: () => Promise.reject(error) },
    };
  }
}

// `dataType` is a binding property the v4 option types do not list; the library passes every option to the host.
const triggerOptions: EventHubFunctionOptions & { dataType: 'binary' } = {
  connection: settings.scoring.eventHubConnection,
  eventHubName: settings.scoring.eventsHub,
  consumerGroup: settings.scoring.consumerGroup,
  cardinality: 'many',
  // Bodies as the producer's bytes: the worker does not JSON.parse them, the contract's scanner reads them in one
  // pass, and a dead letter keeps exactly what was sent. Parsed objects and strings are still accepted.
  dataType: 'binary',
  return: scoredOutput,
  retry: SCORE_EVENTS_RETRY,
  handler: async (messages, context) => (await defaultHandler())(messages, context),
};
app.eventHub('scoreEvents', triggerOptions);
