import { app, output, type EventHubFunctionOptions } from '@azure/functions';
import { loadSettings } from '../shared/config/settings.js';
import { unwrap } from '../shared/errors.js';
import { scoreEventsHandler } from '../shared/compose/scoreEvents.js';
import { printable } from '../shared/printable.js';

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

// Settings are read and validated once, at cold start; a bad setting stops the app with its name.
const settings = unwrap(loadSettings(process.env));

export const handler = scoreEventsHandler(settings, process.env);

// `dataType` is a binding property the v4 option types do not list; the library passes every option to the host.
const triggerOptions: EventHubFunctionOptions & { dataType: 'binary' } = {
  connection: settings.scoring.eventHubConnection,
  eventHubName: settings.scoring.eventsHub,
  consumerGroup: settings.scoring.consumerGroup,
  cardinality: 'many',
  // Bodies as the producer's bytes: the worker does not JSON.parse them, the contract's scanner reads them in one
  // pass, and a dead letter keeps exactly what was sent. Parsed objects and strings are still accepted.
  dataType: 'binary',
  return: output.eventHub({
    connection: settings.scoring.eventHubConnection,
    eventHubName: settings.scoring.scoredHub,
  }),
  retry: SCORE_EVENTS_RETRY,
  handler,
};
app.eventHub('scoreEvents', triggerOptions);
// At a graceful shutdown the detectors' unsaved state is saved, so the partition's next owner resumes from it.
app.hook.appTerminate(() =>
  handler.flush({ warn: (line) => console.warn(printable(line)), error: (line) => console.error(printable(line)) }),
);
