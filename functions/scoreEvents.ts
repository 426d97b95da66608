import { app, output, type EventHubFunctionOptions, type InvocationContext } from '@azure/functions';
import { loadSettings, type Settings } from '../shared/config/settings.js';
import { unwrap, errorMessage } from '../shared/errors.js';
import { blobServiceClientFor } from '../shared/adapters/blobServiceClient.js';
import { BlobProfileSource, type ProfileSource } from '../shared/adapters/blobProfileSource.js';
import { OtelMetrics, startTelemetry } from '../shared/adapters/telemetry.js';
import { scorerFromSettings } from '../shared/adapters/scorerFromSettings.js';
import { createScoringEngine } from '../shared/scoring/createScoringEngine.js';
import { scoreBatch, type ScoringEngine } from '../shared/scoring/scoreBatch.js';
import { recordBatchMetrics } from '../shared/scoring/batchSummary.js';
import { readEventMetadata } from '../shared/scoring/eventMetadata.js';
import { encodeBody, readableId, type DeadLetter } from '../shared/scoring/deadLetter.js';
import type { BaselineProfile } from '../shared/baseline/profile.js';
import type { Scorer } from '../shared/scoring/scorer.js';
import type { ScoredRecord } from '../shared/scoring/records.js';
import type { MetricsPort } from '../shared/telemetry/metricsPort.js';

export interface ScoreEventsDependencies {
  settings: Settings;
  profiles: ProfileSource;
  metrics: MetricsPort;
  scorer?: ((profile: BaselineProfile) => Scorer) | undefined;
  now?: () => number;
}

/**
 * The handler's extra output. Its scored records are its return value (the `scored` hub is the return binding: an
 * array becomes one event each), not an extra output: the library keeps extra outputs in module-level WeakMaps,
 * whose entries only a full collection clears, so every record set there would be promoted to the old generation
 * (measured: a third of the handler's time went to collecting them).
 */
export interface ScoreEventsOutputs {
  /** Set to the batch's dead letters as JSON lines (one blob per batch that has any). */
  deadLetters: Parameters<InvocationContext['extraOutputs']['set']>[0];
}

/**
 * The scoreEvents handler over its dependencies. Never throws for an event: even when no profile can be loaded, the
 * whole batch is dead-lettered (`PROFILE.UNAVAILABLE`, replayable) rather than lost, because the checkpoint advances
 * whether or not the function throws.
 */
export function createScoreEventsHandler(deps: ScoreEventsDependencies, outputs: ScoreEventsOutputs) {
  const now = deps.now ?? (() => Date.now());
  let engine: ScoringEngine | undefined;
  return async function scoreEvents(messages: unknown, context: InvocationContext): Promise<ScoredRecord[]> {
    const bodies = Array.isArray(messages) ? messages : [messages];
    const metadata = readEventMetadata(context.triggerMetadata, bodies.length);
    const deadLetterAll = (reason: string, error: unknown): void => {
      const letters: DeadLetter[] = bodies.map((body, i) => ({
        kind: 'mrm.deadletter',
        id: readableId(body),
        reason,
        message: errorMessage(error),
        replayable: true,
        ...encodeBody(body),
        metadata: metadata[i]!,
        profileVersion: engine?.profileVersion ?? 'none',
        deadLetteredAt: new Date(now()).toISOString(),
      }));
      context.error(`Dead-lettering all ${letters.length} events of the batch (${reason}): ${errorMessage(error)}`);
      context.extraOutputs.set(outputs.deadLetters, toJsonLines(letters));
      deps.metrics.count('events', bodies.length);
      deps.metrics.count('deadLettered', bodies.length);
    };
    try {
      const profile = await deps.profiles.current();
      if (engine?.profileVersion !== profile.profileVersion) {
        engine = createScoringEngine(profile, deps.settings.scoring, { scorer: deps.scorer });
        // A model that does not fit is said once here, by name; its events are dead-lettered, not lost.
        const ready = await engine.scorer.ready?.();
        if (ready && !ready.ok) {
          context.error(
            `Model not ready (${ready.error.code}): ${ready.error.message}. Events are dead-lettered as SCORER.UNAVAILABLE until it is.`,
          );
        }
        context.log(
          `Scoring with baseline profile ${profile.profileVersion} and model ${engine.scorer.modelVersion} (${engine.modelKind})`,
        );
      }
    } catch (error) {
      // No profile, or a scorer that cannot be built from the settings: nothing can be scored until an operator acts.
      const code = (error as { code?: unknown }).code;
      deadLetterAll(
        typeof code === 'string' && code.startsWith('CONFIG.AML') ? 'SCORER.UNAVAILABLE' : 'PROFILE.UNAVAILABLE',
        error,
      );
      return [];
    }
    let result: Awaited<ReturnType<typeof scoreBatch>>;
    try {
      result = await scoreBatch(engine, bodies, metadata, { now });
    } catch (error) {
      // scoreBatch catches per event; reaching here is a bug, and the batch must still not be lost.
      deadLetterAll('INTERNAL.ERROR', error);
      return [];
    }
    if (result.deadLetters.length > 0) context.extraOutputs.set(outputs.deadLetters, toJsonLines(result.deadLetters));
    const unscored = result.deadLetters.find((d) => d.reason === 'SCORER.UNAVAILABLE');
    if (unscored) context.warn(`Scorer unavailable for part of the batch: ${unscored.message}`);
    recordBatchMetrics(result.summary, deps.metrics);
    const s = result.summary;
    context.log(
      `Batch of ${s.events}: ${s.accepted} accepted, ${s.flagged} flagged, ${s.review} for review, ${s.rejected} rejected, ` +
        `${s.deadLettered} dead-lettered in ${s.batchLatencyInMs} ms`,
    );
    return result.scored;
  };
}

function toJsonLines(letters: readonly DeadLetter[]): string {
  return letters.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

// Registration: settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));
const scoredOutput = output.eventHub({
  connection: settings.scoring.eventHubConnection,
  eventHubName: settings.scoring.scoredHub,
});
const deadLetterOutput = output.storageBlob({
  connection: settings.core.storageConnection,
  path: `${settings.scoring.deadLetterContainer}/{DateTime:yyyy}/{DateTime:MM}/{DateTime:dd}/{DateTime:HH}/{rand-guid}.jsonl`,
});

let handler: Promise<ReturnType<typeof createScoreEventsHandler>> | undefined;
function defaultHandler(): Promise<ReturnType<typeof createScoreEventsHandler>> {
  // Built on first use so cold start stays small and tests can import this file without storage. Telemetry starts
  // before the metrics port is made, so its instruments bind to the Azure Monitor provider rather than the no-op one.
  // Nothing here may reject: a failing batch would be lost, so a broken setup dead-letters instead.
  handler ??= startTelemetry(settings.core.appInsightsConnectionString, {
    authenticationString: settings.core.appInsightsAuthentication,
    clientId: settings.core.managedIdentityClientId,
  })
    .catch((error: unknown) => console.error(`Telemetry not started: ${errorMessage(error)}`))
    .then(() =>
      createScoreEventsHandler(
        {
          settings,
          profiles: profileSource(),
          metrics: new OtelMetrics(),
          scorer: scorerFromSettings(settings, process.env, { onEvent: (message) => console.warn(message) }),
        },
        { deadLetters: deadLetterOutput },
      ),
    );
  return handler;
}

function profileSource(): ProfileSource {
  try {
    const container = blobServiceClientFor(settings.core.storageConnection, process.env).getContainerClient(
      settings.core.baselineContainer,
    );
    return new BlobProfileSource(container, settings.core.baselineBlob, {
      reloadCheckInMs: settings.scoring.profileReloadCheckInMs,
    });
  } catch (error) {
    return { current: () => Promise.reject(error instanceof Error ? error : new Error(String(error))) };
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
  extraOutputs: [deadLetterOutput],
  handler: async (messages, context) => (await defaultHandler())(messages, context),
};
app.eventHub('scoreEvents', triggerOptions);

export const scoreEventsOutputs: ScoreEventsOutputs = { deadLetters: deadLetterOutput };
