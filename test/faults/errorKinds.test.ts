import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { createRetrainHandler } from '../../shared/compose/retrainWebhook.js';
import { createScoreEventsHandler } from '../../shared/compose/scoreEvents.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { MrmError, kindOf } from '../../shared/errors.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';
import { goodBody, transactionBaseline } from '../helpers/baselineFixture.js';
import { alertFixtureText } from '../shared/retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../shared/retraining/fakes/retrainHarness.js';
import { azuriteConnectionString } from '../helpers/storage.js';
import { azuriteDeadLetters } from './faultHelpers.js';

// Fault suite: errors carry a kind set where they are made, and each entry point answers by the kind, not by the
// spelling of the code.

function post(body: string): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: 'http://localhost:7071/api/retrain',
    headers: { 'content-type': 'application/json' },
    body: { string: body },
  });
}

const quiet = () => new InvocationContext({ logHandler: () => undefined });

describe('kindOf', () => {
  it('reads our kinds, and storage, HTTP and network errors at the boundary; anything else is a bug', () => {
    const status = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });
    expect(kindOf(new MrmError('configuration', 'RETRAIN.TEMPLATE_MISSING', 'x'))).toBe('configuration');
    expect([403, 404, 412, 500, 503].map((s) => kindOf(status(s)))).toEqual([
      'configuration',
      'configuration',
      'transient',
      'transient',
      'transient',
    ]);
    expect(kindOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(kindOf(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe('transient');
    expect([new TypeError('x is undefined'), undefined, null, 'text'].map(kindOf)).toEqual([
      'bug',
      'bug',
      'bug',
      'bug',
    ]);
  });
});

describe('retrainWebhook answers by the kind of what was thrown', () => {
  let harness: RetrainHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('configuration: 500 naming the fault, when storage refuses the credentials (403), not 503 for ever', async () => {
    const wrongKey = azuriteConnectionString().replace(/AccountKey=[^;]+/, `AccountKey=${'A'.repeat(86)}==`);
    harness = await startRetrainHarness({ env: { AzureWebJobsStorage: wrongKey } });
    const service = harness.service;
    const response = await createRetrainHandler(() => service)(post(alertFixtureText('direct-drift.json')), quiet());
    expect(response.status).toBe(500);
    expect(response.jsonBody).toEqual({
      error: {
        code: 'DEPENDENCY.REFUSED',
        message:
          "A service the app depends on refused its request (HTTP 403): check the connection settings and the identity's role assignments",
      },
    });
  });

  it('configuration: 500 with our message, whatever the code is called', async () => {
    const thrown = new MrmError('configuration', 'RETRAIN.MODEL_UNKNOWN', 'MRM_RETRAIN_DEFAULT_MODEL: no such model');
    const response = await createRetrainHandler(() => Promise.reject(thrown))(post('{}'), quiet());
    expect(response).toMatchObject({
      status: 500,
      jsonBody: { error: { code: 'RETRAIN.MODEL_UNKNOWN', message: 'MRM_RETRAIN_DEFAULT_MODEL: no such model' } },
    });
  });

  it('bad input: 400', async () => {
    const thrown = new MrmError('bad-input', 'WEBHOOK.INVALID_PAYLOAD', 'features[0] must be a feature name');
    const response = await createRetrainHandler(() => Promise.reject(thrown))(post('{}'), quiet());
    expect(response).toMatchObject({
      status: 400,
      jsonBody: { error: { code: 'WEBHOOK.INVALID_PAYLOAD', message: 'features[0] must be a feature name' } },
    });
  });

  it('transient: 503 with Retry-After and no detail of the fault in the body (it goes to the log)', async () => {
    const thrown = new MrmError('transient', 'RETRAIN.CLAIM_CONTENTION', 'Claim alert-1 kept changing');
    const logs: string[] = [];
    const context = new InvocationContext({ logHandler: (level, ...args) => logs.push(`${level}: ${args.join(' ')}`) });
    const response = await createRetrainHandler(() => Promise.reject(thrown))(post('{}'), context);
    expect(response).toEqual({
      status: 503,
      jsonBody: { error: { code: 'RETRAIN.CLAIM_CONTENTION', message: 'Temporary failure; retry later' } },
      headers: { 'Retry-After': '30' },
    });
    expect(logs.join('\n')).toContain('Claim alert-1 kept changing');
  });

  it('bug: 500 INTERNAL.ERROR without the bug’s message, which stays in the log', async () => {
    const response = await createRetrainHandler(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'secret')");
    })(post('{}'), quiet());
    expect(response).toEqual({
      status: 500,
      jsonBody: { error: { code: 'INTERNAL.ERROR', message: 'Internal error; the function log has the details' } },
      headers: {},
    });
  });
});

describe('scoreEvents answers by the kind of what was thrown', () => {
  const profile = transactionBaseline();
  const context = () =>
    new InvocationContext({ functionName: 'scoreEvents', triggerMetadata: {}, logHandler: () => undefined });

  it('a scorer that cannot be built for a configuration fault dead-letters SCORER.UNAVAILABLE, whatever its code', async () => {
    const dead = azuriteDeadLetters();
    const handler = createScoreEventsHandler({
      settings: defaultSettings(),
      profiles: { current: async () => profile },
      metrics: noMetrics,
      deadLetters: dead.sink,
      scorer: () => {
        throw new MrmError('configuration', 'ONNX.MODEL_MISSING', 'MRM_ONNX_MODEL: no model at models/x.onnx');
      },
    });
    expect(await handler([goodBody('a')], context())).toEqual([]);
    expect((await dead.letters()).map((l) => [l.reason, l.replayable, l.message])).toEqual([
      ['SCORER.UNAVAILABLE', true, 'MRM_ONNX_MODEL: no model at models/x.onnx'],
    ]);
  });
});
