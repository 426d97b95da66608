import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { loopbackTls } from '../../../helpers/loopbackTls.js';

const tls = await loopbackTls();
/** The loopback certificate's CA (it is self-signed): trust it per client through this agent, never globally. */
export const loopbackCa = Buffer.from(tls.cert);
export function trustingAgent(): Agent {
  return new Agent({ ca: loopbackCa, keepAlive: false });
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

/** How the fake answers the next job PUTs / endpoint POSTs / rule GETs: one behaviour each, consumed in order. */
export type Behaviour =
  | 'normal'
  | 400
  | 401
  | 403
  | 404
  | 409
  | 429
  | 500
  | 503
  | 'hang'
  | 'reset'
  /** Creates the job, then never answers: the submission happened but its answer is lost. */
  | 'accept-then-hang';

const JOB_PATH =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/jobs\/([^/]+)$/i;
const RULE_PATH =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/Microsoft\.Insights\/(metricAlerts|scheduledQueryRules)\/([^/]+)$/i;
const ENDPOINT_PATH = /^\/endpoints\/([^/]+)\/invoke$/;

// Rule properties as ARM returns them (the SDK deserialises them, so they must be complete enough to read).
const METRIC_ALERT = {
  description: 'drift magnitude above the retrain threshold',
  severity: 2,
  enabled: true,
  scopes: [
    '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/microsoft.insights/components/appi-mrm',
  ],
  evaluationFrequency: 'PT1H',
  windowSize: 'PT1H',
  criteria: {
    'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
    allOf: [
      {
        criterionType: 'StaticThresholdCriterion',
        name: 'drift',
        metricName: 'mrm_drift_magnitude',
        metricNamespace: 'azure.applicationinsights',
        operator: 'GreaterThan',
        threshold: 0.3,
        timeAggregation: 'Maximum',
        dimensions: [],
        skipMetricValidation: true,
      },
    ],
  },
  autoMitigate: true,
  actions: [
    {
      actionGroupId:
        '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/microsoft.insights/actionGroups/ag-retrain',
      webHookProperties: {},
    },
  ],
};
const LOG_ALERT = {
  severity: 2,
  enabled: true,
  evaluationFrequency: 'PT1H',
  windowSize: 'PT1H',
  scopes: [
    '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/microsoft.insights/components/appi-mrm',
  ],
  criteria: {
    allOf: [
      {
        query: 'customMetrics',
        timeAggregation: 'Maximum',
        metricMeasureColumn: 'magnitude',
        operator: 'GreaterThan',
        threshold: 0.3,
        dimensions: [],
        failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
      },
    ],
  },
  actions: {
    actionGroups: [
      '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-mrm/providers/microsoft.insights/actionGroups/ag-retrain',
    ],
  },
};

/**
 * A real local server playing ARM and Azure ML: jobs (PUT creates once, a second PUT of an existing name is refused
 * like Azure ML does, GET), metric and log alert rules with tags, and a batch endpoint invocation. It records every
 * request and can misbehave on demand (status codes, hangs, connection resets).
 */
export class FakeArm {
  readonly requests: RecordedRequest[] = [];
  readonly jobs = new Map<string, unknown>();
  readonly rules = new Map<string, Record<string, string>>();
  private readonly jobBehaviours: Behaviour[] = [];
  private readonly ruleBehaviours: Behaviour[] = [];
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';

  static async start(options: { tls?: boolean } = {}): Promise<FakeArm> {
    const fake = new FakeArm();
    const handler = (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res);
    fake.server = options.tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler)
      : createHttpServer(handler);
    fake.server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`;
    return fake;
  }

  /** Queue behaviours for the next job submissions (PUT jobs, POST endpoint). */
  failJobs(...behaviours: Behaviour[]): void {
    this.jobBehaviours.push(...behaviours);
  }

  failRules(...behaviours: Behaviour[]): void {
    this.ruleBehaviours.push(...behaviours);
  }

  addRule(ruleId: string, tags: Record<string, string>): void {
    this.rules.set(ruleId.toLowerCase(), tags);
  }

  /** PUTs of jobs, in order. */
  jobPuts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PUT' && JOB_PATH.test(r.path));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
    };
    this.requests.push(recorded);
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '7' } : {}) });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const misbehave = (behaviour: Behaviour | undefined): boolean => {
      if (behaviour === undefined || behaviour === 'normal' || behaviour === 'accept-then-hang') return false;
      if (behaviour === 'hang') return true; // never answers; the client's timeout must fire
      if (behaviour === 'reset') {
        req.socket.destroy();
        return true;
      }
      send(behaviour, {
        error: {
          code: behaviour === 429 ? 'TooManyRequests' : behaviour >= 500 ? 'InternalServerError' : 'UserError',
          message: `fake ${behaviour}`,
        },
      });
      return true;
    };

    const job = JOB_PATH.exec(recorded.path);
    if (job && recorded.method === 'PUT') {
      const behaviour = this.jobBehaviours.shift();
      if (behaviour === 'accept-then-hang') {
        this.jobs.set(job[4]!.toLowerCase(), recorded.body);
        return;
      }
      if (misbehave(behaviour)) return;
      const key = job[4]!.toLowerCase();
      if (this.jobs.has(key)) {
        send(400, {
          error: {
            code: 'UserError',
            message:
              'A job with this name already exists. If you are trying to create a new job, use a different name.',
          },
        });
        return;
      }
      this.jobs.set(key, recorded.body);
      send(201, {
        id: recorded.path,
        name: job[4],
        properties: { ...(recorded.body as { properties?: object }).properties, status: 'NotStarted' },
      });
      return;
    }
    if (job && recorded.method === 'GET') {
      const stored = this.jobs.get(job[4]!.toLowerCase());
      if (stored === undefined) send(404, { error: { code: 'UserError', message: 'Job not found' } });
      else send(200, { id: recorded.path, name: job[4], properties: (stored as { properties?: object }).properties });
      return;
    }
    const rule = RULE_PATH.exec(recorded.path);
    if (rule && recorded.method === 'GET') {
      if (misbehave(this.ruleBehaviours.shift())) return;
      const tags = this.rules.get(recorded.path.toLowerCase());
      if (!tags)
        send(404, { error: { code: 'ResourceNotFound', message: `The Resource '${rule[4]}' was not found.` } });
      else
        send(200, {
          id: recorded.path,
          name: rule[4],
          location: 'global',
          tags,
          properties: rule[3]!.toLowerCase() === 'metricalerts' ? METRIC_ALERT : LOG_ALERT,
        });
      return;
    }
    if (ENDPOINT_PATH.test(recorded.path) && recorded.method === 'POST') {
      if (misbehave(this.jobBehaviours.shift())) return;
      send(202, { name: `run-${this.requests.length}`, properties: { status: 'Queued' } });
      return;
    }
    send(404, { error: { code: 'NoRoute', message: `fake ARM has no route ${recorded.method} ${recorded.path}` } });
  }
}
