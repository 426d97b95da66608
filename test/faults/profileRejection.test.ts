import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createScoreEventsHandler } from '../../shared/compose/scoreEvents.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';
import { goodBody } from '../helpers/baselineFixture.js';
import { azuriteDeadLetters } from './faultHelpers.js';

// Fault suite, item 10: a profile source that rejects with `undefined` or `null` made the handler throw (it read
// `.code` of the rejection), and a thrown batch is checkpointed and lost.
describe('scoreEvents when the profile source rejects with something that is not an error', () => {
  it.each([
    [undefined, 'no error was given (undefined)'],
    [null, 'no error was given (null)'],
    ['a string', 'a string'],
    [42, '42'],
  ])('dead-letters the batch, replayable, for a rejection with %j', async (reason, message) => {
    const dead = azuriteDeadLetters();
    const handler = createScoreEventsHandler({
      settings: defaultSettings(),
      profiles: { current: () => Promise.reject(reason) },
      metrics: noMetrics,
      deadLetters: dead.sink,
    });
    const context = new InvocationContext({ triggerMetadata: {}, logHandler: () => undefined });
    expect(await handler([goodBody('a'), goodBody('b')], context)).toEqual([]);
    expect((await dead.letters()).map((l) => [l.id, l.reason, l.replayable, l.message])).toEqual([
      ['a', 'PROFILE.UNAVAILABLE', true, message],
      ['b', 'PROFILE.UNAVAILABLE', true, message],
    ]);
  });
});
