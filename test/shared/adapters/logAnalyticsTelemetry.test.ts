import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent } from 'node:https';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { LogAnalyticsTelemetry } from '../../../shared/adapters/logAnalyticsTelemetry.js';
import { windowOf } from '../../../shared/drift/run/driftWindow.js';
import { loopbackTls } from '../../helpers/loopbackTls.js';

// A loopback certificate made for this run: trusted per client through an agent, never globally.
const { cert, key } = await loopbackTls();

interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  body: { query: string; timespan: string };
}

/** A real local HTTPS server speaking the Log Analytics query API; answers are queued per test. */
class FakeLogAnalytics {
  readonly requests: Recorded[] = [];
  answers: Array<{ status: number; body: unknown }> = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer({ cert, key }, (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          authorization: req.headers.authorization,
          body: JSON.parse(text || '{}'),
        });
        const answer = this.answers.shift() ?? {
          status: 500,
          body: { error: { code: 'NoAnswer', message: 'no answer queued' } },
        };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const credential: TokenCredential = {
  getToken: async (scopes): Promise<AccessToken> => ({
    token: `token-for-${[scopes].flat().join(' ')}`,
    expiresOnTimestamp: Date.now() + 3_600_000,
  }),
};

const WINDOW = windowOf(Date.UTC(2024, 0, 15), Date.UTC(2024, 0, 22));

function table(rows: unknown[][]) {
  return {
    tables: [
      {
        name: 'PrimaryResult',
        columns: [
          { name: 'Name', type: 'string' },
          { name: 'Total', type: 'real' },
          { name: 'Samples', type: 'long' },
        ],
        rows,
      },
    ],
  };
}

describe('LogAnalyticsTelemetry', () => {
  const fake = new FakeLogAnalytics();
  let source: LogAnalyticsTelemetry;

  beforeAll(async () => {
    await fake.start();
    source = new LogAnalyticsTelemetry('ws-123', credential, {
      endpoint: fake.url,
      agent: new Agent({ ca: cert }),
      retryOptions: { maxRetries: 0 },
    });
  });
  afterAll(() => fake.stop());

  it('queries AppMetrics of the workspace over the window with an Entra token, and turns sums into rates', async () => {
    fake.answers.push({
      status: 200,
      body: table([
        ['mrm_events', 20000, 400],
        ['mrm_events_rejected', 500, 400],
        ['mrm_low_confidence_rate', 48, 400],
      ]),
    });
    const result = await source.weekTelemetry(WINDOW);
    expect(result).toEqual({ ok: true, value: { events: 20000, rejectedRate: 0.025, lowConfidenceRate: 0.12 } });
    const request = fake.requests.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.path).toMatch(/^\/workspaces\/ws-123\/query/);
    expect(request.authorization).toBe('Bearer token-for-https://api.loganalytics.io/.default');
    expect(request.body.timespan).toBe('2024-01-15T00:00:00.000Z/2024-01-22T00:00:00.000Z');
    expect(request.body.query).toContain('AppMetrics');
    expect(request.body.query).toContain('"mrm_events_rejected"');
    expect(request.body.query).toContain('"mrm_low_confidence_rate"');
  });

  it('gives null rates for a week without scoring', async () => {
    fake.answers.push({ status: 200, body: table([]) });
    expect(await source.weekTelemetry(WINDOW)).toEqual({
      ok: true,
      value: { events: 0, rejectedRate: null, lowConfidenceRate: null },
    });
  });

  it('turns a refused query into TELEMETRY.FORBIDDEN and other errors into TELEMETRY.QUERY_FAILED', async () => {
    fake.answers.push({
      status: 403,
      body: {
        error: { code: 'InsufficientAccessError', message: 'The provided credentials have insufficient access' },
      },
    });
    expect(await source.weekTelemetry(WINDOW)).toMatchObject({
      ok: false,
      error: { code: 'TELEMETRY.FORBIDDEN', detail: { status: 403 } },
    });
    fake.answers.push({
      status: 400,
      body: { error: { code: 'BadArgumentError', message: 'Failed to resolve table' } },
    });
    expect(await source.weekTelemetry(WINDOW)).toMatchObject({
      ok: false,
      error: { code: 'TELEMETRY.QUERY_FAILED', message: expect.stringContaining('HTTP 400') },
    });
  });

  it('refuses a partial result and a table without the expected columns', async () => {
    fake.answers.push({
      status: 200,
      body: { ...table([['mrm_events', 1, 1]]), error: { code: 'PartialError', message: 'query exceeded limits' } },
    });
    expect(await source.weekTelemetry(WINDOW)).toMatchObject({
      ok: false,
      error: { code: 'TELEMETRY.PARTIAL', message: expect.stringContaining('exceeded limits') },
    });
    fake.answers.push({
      status: 200,
      body: { tables: [{ name: 'PrimaryResult', columns: [{ name: 'Other', type: 'string' }], rows: [['x']] }] },
    });
    expect(await source.weekTelemetry(WINDOW)).toMatchObject({ ok: false, error: { code: 'TELEMETRY.UNEXPECTED' } });
  });
});
