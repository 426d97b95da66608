import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRequest } from '@azure/functions';
import * as df from 'durable-functions';
import { recordedRegistration, triggerBinding } from '../../helpers/functionsCoreFake.js';
import { startFakeDurableExtension } from '../../helpers/fakeDurableExtension.js';
import { DurableBackfillStarter } from '../../../shared/adapters/durableBackfillStarter.js';

await import('../../../functions/startDriftBackfill.js');
const { createStartDriftBackfillHandler } = await import('../../../shared/compose/startDriftBackfill.js');

const NOW = Date.UTC(2024, 0, 24, 9); // Wednesday of 2024-W04

describe('startDriftBackfill registration', () => {
  it('is POST /api/drift/backfill behind a function key, with the durable client as input', () => {
    const registration = recordedRegistration('startDriftBackfill');
    expect(triggerBinding(registration)).toMatchObject({
      type: 'httpTrigger',
      route: 'drift/backfill',
      methods: ['POST'],
      authLevel: 'function',
    });
    expect(Object.values(registration.metadata.bindings).map((b) => b.type)).toContain('durableClient');
  });
});

describe('startDriftBackfill handler', () => {
  let extension: Awaited<ReturnType<typeof startFakeDurableExtension>>;
  const handler = () =>
    createStartDriftBackfillHandler({
      starter: (context) => new DurableBackfillStarter(df.getClient(context)),
      clock: { nowInMs: () => NOW },
      maxWindows: 9,
    });
  const post = async (body: string | undefined, logs: string[] = []) => {
    const request = new HttpRequest({
      method: 'POST',
      url: 'https://app.example/api/drift/backfill',
      ...(body === undefined ? {} : { body: { string: body } }),
    });
    return handler()(request, extension.context(logs, { functionName: 'startDriftBackfill' }));
  };

  beforeAll(async () => {
    extension = await startFakeDurableExtension();
  });
  afterAll(() => extension.close());

  it('starts the previous ISO week’s backfill by default, reporting only (no drift metrics)', async () => {
    const logs: string[] = [];
    const response = await post(undefined, logs);
    expect(response.status).toBe(202);
    expect(response.jsonBody).toEqual({
      run: 'weeklyDrift',
      instances: [
        {
          window: '2024-W03',
          instanceId: 'drift-weeklyDrift-2024-W03',
          state: 'started',
          statusQueryGetUri: expect.stringContaining('/instances/drift-weeklyDrift-2024-W03?'),
        },
      ],
    });
    expect(extension.instances.get('drift-weeklyDrift-2024-W03')!.input).toEqual({
      run: 'weeklyDrift',
      window: { fromInMs: Date.UTC(2024, 0, 15), toInMs: Date.UTC(2024, 0, 22), label: '2024-W03' },
      emitsMetrics: false,
      startedBy: 'http',
    });
    expect(logs).toEqual(['information: startDriftBackfill 2024-W03: started drift-weeklyDrift-2024-W03']);
  });

  it('recomputes the last windows, oldest first, ending before the instant given, and leaves a running one alone', async () => {
    extension.instances.set('drift-dailyDrift-2024-01-19', {
      name: 'driftBackfill',
      input: {},
      runtimeStatus: 'Running',
    });
    const response = await post(JSON.stringify({ run: 'dailyDrift', windows: 3, before: '2024-01-21T06:00:00Z' }));
    expect(response.status).toBe(202);
    const instances = (response.jsonBody as { instances: Array<{ window: string; state: string }> }).instances;
    expect(instances.map((i) => [i.window, i.state])).toEqual([
      ['2024-01-18', 'started'],
      ['2024-01-19', 'running'],
      ['2024-01-20', 'started'],
    ]);
  });

  it.each<[string, string, number, string]>([
    ['not JSON', '{run:', 400, 'the body is not JSON'],
    ['an array', '[]', 400, 'the body must be a JSON object'],
    ['an unknown field', '{"weeks": 2}', 400, 'unknown field(s) weeks; expected run, windows, before'],
    ['another run', '{"run": "hourly"}', 400, 'run must be weeklyDrift or dailyDrift, got hourly'],
    ['no window', '{"windows": 0}', 400, 'windows must be a whole number from 1 to 9, got 0'],
    ['more windows than the trend shows', '{"windows": 10}', 400, 'windows must be a whole number from 1 to 9, got 10'],
    ['a fraction of a window', '{"windows": 1.5}', 400, 'windows must be a whole number from 1 to 9, got 1.5'],
    [
      'an instant without its offset',
      '{"before": "2024-01-20T00:00:00"}',
      400,
      'before must be an ISO 8601 instant with its offset (2024-01-22T00:00:00Z), got "2024-01-20T00:00:00"',
    ],
    ['the future', '{"before": "2030-01-01T00:00:00Z"}', 400, 'before is in the future: 2030-01-01T00:00:00Z'],
    ['a large body', JSON.stringify({ run: 'x'.repeat(5000) }), 413, 'the body is over 4096 bytes'],
  ])('refuses %s, starting nothing', async (_label, body, status, message) => {
    const before = extension.requests.length;
    const response = await post(body);
    expect(response.status).toBe(status);
    expect(response.jsonBody).toEqual({ error: { code: expect.stringMatching(/^BACKFILL\./), message } });
    expect(extension.requests.length).toBe(before);
  });

  it('answers 503 with Retry-After when the Durable Functions extension does not answer', async () => {
    extension.state.failWith = 500;
    try {
      const logs: string[] = [];
      const response = await post('{}', logs);
      expect(response.status).toBe(503);
      expect(response.headers).toMatchObject({ 'Retry-After': '30' });
      expect(response.jsonBody).toEqual({
        error: { code: 'DURABLE.UNAVAILABLE', message: 'Temporary failure; retry later' },
      });
      expect(logs.at(-1)).toMatch(/^error: startDriftBackfill failed \(transient\): Could not start driftBackfill/);
    } finally {
      extension.state.failWith = undefined;
    }
  });
});
