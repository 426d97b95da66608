import { HttpRequest, InvocationContext } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { retrainWebhookHandler } from '../../functions/retrainWebhook.js';
import { createRetrainHandler } from '../../shared/compose/retrainWebhook.js';
import { buildRetrainService } from '../../shared/compose/retrainService.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { recordedRegistration, triggerBinding } from '../helpers/functionsCoreFake.js';
import { azuriteConnectionString } from '../helpers/storage.js';
import { alertFixture, alertFixtureText } from '../shared/retraining/fakes/alertFixtures.js';
import { startRetrainHarness, type RetrainHarness } from '../shared/retraining/fakes/retrainHarness.js';

const URL_ = 'http://localhost:7071/api/retrain';

/** An invocation context whose log lines are kept, not printed. */
function context(logs: string[] = []): InvocationContext {
  return new InvocationContext({
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
}

function post(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): HttpRequest {
  return new HttpRequest({ method: 'POST', url: URL_, headers, body: { string: body } });
}

describe('retrainWebhook registration', () => {
  it('is an HTTP trigger on POST /api/<MRM_WEBHOOK_ROUTE> behind a function key', () => {
    const trigger = triggerBinding(recordedRegistration('retrainWebhook'));
    expect(trigger.type).toBe('httpTrigger');
    expect(trigger.route).toBe('retrain');
    expect(trigger.methods).toEqual(['POST']);
    expect(trigger.authLevel).toBe('function');
  });

  it('builds its service on the first call from the environment, then reuses it', async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    try {
      const first = await retrainWebhookHandler(post(alertFixtureText('metric-resolved.json')), context());
      expect(first).toMatchObject({ status: 200, jsonBody: { status: 'no_action_needed' } });
      delete process.env.AzureWebJobsStorage; // a rebuild would now fail: the instance keeps the first one
      const second = await retrainWebhookHandler(post(alertFixtureText('log-v2-resolved.json')), context());
      expect(second).toMatchObject({ status: 200, jsonBody: { status: 'no_action_needed' } });
    } finally {
      delete process.env.AzureWebJobsStorage;
    }
  });
});

describe('retrainWebhook handler', () => {
  let harness: RetrainHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  async function handlerWith(options: Parameters<typeof startRetrainHarness>[0] = {}) {
    harness = await startRetrainHarness(options);
    const service = harness.service;
    return createRetrainHandler(() => service);
  }

  it('answers a fired drift alert with 202 and the job it submitted to Azure ML', async () => {
    const handler = await handlerWith();
    const response = await handler(post(alertFixtureText('metric-fired.json')), context());

    expect(response.status).toBe(202);
    const body = response.jsonBody as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'retraining_triggered', model: 'default', magnitude: 0.42, dryRun: false });
    const puts = harness!.arm.jobPuts();
    expect(puts).toHaveLength(1);
    expect(puts[0]!.path).toBe(
      `/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/mlw-mrm/jobs/${String(body.jobName)}`,
    );
    expect(puts[0]!.authorization).toBe(`Bearer token-for:${harness!.arm.url}.default`);
  });

  it('maps each bad input to its status and a JSON error that says what is wrong, with no side effect', async () => {
    const handler = await handlerWith();
    const cases: { request: HttpRequest; status: number; code: string; message: RegExp }[] = [
      {
        request: post('{"drift_magnitude": 0.5, "features": [', { 'content-type': 'application/json' }),
        status: 400,
        code: 'WEBHOOK.MALFORMED_JSON',
        message: /^Body is not valid JSON/,
      },
      {
        request: post('{"drift_magnitude": "high", "features": []}'),
        status: 400,
        code: 'WEBHOOK.INVALID_PAYLOAD',
        message: /drift_magnitude must be number/,
      },
      {
        request: post('{"features": ["age"]}'),
        status: 400,
        code: 'WEBHOOK.INVALID_PAYLOAD',
        message: /drift_magnitude is required/,
      },
      {
        request: post('"just text"'),
        status: 400,
        code: 'WEBHOOK.NOT_OBJECT',
        message: /Body must be a JSON object, got string/,
      },
      {
        request: post(JSON.stringify({ drift_magnitude: 0.4, features: ['a'], x: 1 })),
        status: 400,
        code: 'WEBHOOK.INVALID_PAYLOAD',
        message: /x is not a known field/,
      },
      {
        request: post('{}', { 'content-type': 'text/plain' }),
        status: 415,
        code: 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE',
        message: /Content-Type must be application\/json, got "text\/plain"/,
      },
      {
        request: new HttpRequest({ method: 'POST', url: URL_, body: { bytes: Buffer.from('{}') } }),
        status: 415,
        code: 'WEBHOOK.UNSUPPORTED_MEDIA_TYPE',
        message: /got none/,
      },
      {
        request: post(JSON.stringify({ drift_magnitude: 0.5, features: ['a'], reason: 'x'.repeat(300 * 1024) })),
        status: 413,
        code: 'WEBHOOK.TOO_LARGE',
        message: /over the limit of 262144 bytes \(MRM_WEBHOOK_MAX_BODY_BYTES\)/,
      },
    ];
    const broken = alertFixture('metric-fired.json');
    broken.data.essentials.monitorCondition = 'Firing';
    cases.push({
      request: post(JSON.stringify(broken)),
      status: 400,
      code: 'WEBHOOK.INVALID_PAYLOAD',
      message: /data\.essentials\.monitorCondition must be one of Fired, Resolved/,
    });

    for (const c of cases) {
      const response = await handler(c.request, context());
      expect(response.status, c.code).toBe(c.status);
      const error = (response.jsonBody as { error: { code: string; message: string } }).error;
      expect(error.code).toBe(c.code);
      expect(error.message).toMatch(c.message);
    }
    expect(harness!.arm.requests).toHaveLength(0);
    expect(await harness!.audit()).toHaveLength(0);
  });

  it('acknowledges resolved and activity-log alerts with 200 no_action_needed, and audits them', async () => {
    const handler = await handlerWith();
    const resolved = await handler(post(alertFixtureText('metric-resolved.json')), context());
    const activity = await handler(post(alertFixtureText('activity-log-fired.json')), context());
    expect(resolved.status).toBe(200);
    expect(resolved.jsonBody).toMatchObject({
      status: 'no_action_needed',
      reason: 'Alert "mrm-drift-magnitude" resolved: nothing to do',
    });
    expect(activity.status).toBe(200);
    expect((activity.jsonBody as { reason: string }).reason).toMatch(
      /Signal type "Activity Log" from Activity Log - Administrative is not handled/,
    );
    expect(harness!.arm.jobPuts()).toHaveLength(0);
    expect((await harness!.audit()).map((e) => e.decision)).toEqual(['no_action_needed', 'no_action_needed']);
  });

  it('answers 503 with Retry-After when storage fails, so the action group retries', async () => {
    harness = await startRetrainHarness({
      env: {
        AzureWebJobsStorage:
          'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;',
      },
    });
    const service = harness.service;
    const handler = createRetrainHandler(() => service);
    const response = await handler(post(alertFixtureText('direct-drift.json')), context());
    expect(response.status).toBe(503);
    expect((response.headers as Record<string, string>)['Retry-After']).toBe('30');
    // The storage host and port stay in the log.
    expect(response.jsonBody).toEqual({
      error: { code: 'WEBHOOK.TRANSIENT', message: 'Temporary failure; retry later' },
    });
    expect(harness.arm.jobPuts()).toHaveLength(0);
  });

  it('answers 500 naming the setting when the service cannot be built (no storage connection)', async () => {
    const handler = createRetrainHandler(() => buildRetrainService(defaultSettings(), {}));
    const response = await handler(post('{}'), context());
    expect(response.status).toBe(500);
    expect(response.jsonBody).toEqual({
      error: {
        code: 'CONFIG.STORAGE_CONNECTION',
        message:
          'No storage connection: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__blobServiceUri (managed identity)',
      },
    });
  });
});
