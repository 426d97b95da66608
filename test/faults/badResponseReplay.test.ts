import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScore } from '../../cli/commands/score.js';
import { createScoreEventsHandler } from '../../shared/compose/scoreEvents.js';
import { scorerFromSettings } from '../../shared/adapters/scorerFromSettings.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';
import { goodBody, transactionBaseline } from '../helpers/baselineFixture.js';
import { startFakeAmlEndpoint, type FakeAmlEndpoint } from '../helpers/fakeAmlEndpoint.js';
import { azuriteDeadLetters } from './faultHelpers.js';

// Fault suite, item 8: a wrong answer from the Azure ML endpoint is not the event's fault, so its dead letters are
// worth replaying once the endpoint is fixed. They were marked `replayable: false`.
describe('SCORER.BAD_RESPONSE dead letters', () => {
  let endpoint: FakeAmlEndpoint;
  let dir: string;
  beforeAll(async () => {
    endpoint = await startFakeAmlEndpoint();
    dir = await mkdtemp(join(tmpdir(), 'mrm-bad-response-'));
  });
  afterAll(async () => {
    await endpoint.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('are replayable, and a replay against the fixed endpoint scores them', async () => {
    const env = {
      MRM_SCORER: 'aml',
      MRM_AML_ENDPOINT_URL: endpoint.url,
      MRM_AML_AUTH: 'key',
      MRM_AML_KEY: 'test-key',
      MRM_AML_MAX_RETRIES: '0',
    };
    const settings = defaultSettings(env);
    const dead = azuriteDeadLetters();
    const handler = createScoreEventsHandler({
      settings,
      profiles: { current: async () => transactionBaseline() },
      metrics: noMetrics,
      deadLetters: dead.sink,
      scorer: scorerFromSettings(settings, env),
    });
    endpoint.enqueue({ kind: 'json', body: { result: 'the scoring script returned something else' } });
    const bodies = ['a', 'b', 'c'].map((id) => Buffer.from(JSON.stringify(goodBody(id))));
    const scored = await handler(bodies, new InvocationContext({ triggerMetadata: {}, logHandler: () => undefined }));
    expect(scored).toEqual([]);
    const letters = await dead.letters();
    expect(letters.map((l) => [l.id, l.reason, l.replayable])).toEqual([
      ['a', 'SCORER.BAD_RESPONSE', true],
      ['b', 'SCORER.BAD_RESPONSE', true],
      ['c', 'SCORER.BAD_RESPONSE', true],
    ]);

    // The endpoint answers properly again: the replay scores every one.
    const profile = join(dir, 'profile.json');
    await writeFile(profile, JSON.stringify(transactionBaseline()));
    await writeFile(join(dir, 'dead.jsonl'), letters.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const totals = await runScore(
      { baseline: profile, input: join(dir, 'dead.jsonl'), out: join(dir, 'out.jsonl') },
      env,
    );
    expect(totals).toMatchObject({ events: 3, replayed: 3, scored: 3, deadLettered: 0 });
  });
});
