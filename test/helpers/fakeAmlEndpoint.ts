import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A feature row as the fake endpoint reads it from a request body. */
export type FakeRow = Record<string, unknown>;

/** How the fake answers one request. */
export type FakeAnswer =
  /** 200 with the model's answer for every row, in the configured response format. */
  | { kind: 'ok' }
  /** Any status with a JSON body (e.g. 200 with the wrong number of predictions). */
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  /** Any status with a raw text body (e.g. 200 that is not JSON). */
  | { kind: 'text'; status?: number; body: string; headers?: Record<string, string> }
  /** An error status (500, 502, 503, 400, 401…) with a short body. */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** 429 (or another status) with a Retry-After header, in seconds or as an HTTP-date. */
  | { kind: 'throttle'; retryAfter: string; status?: number }
  /** Waits, then answers `then` (default `ok`): beyond the client's timeout this is a timeout. */
  | { kind: 'slow'; delayInMs: number; then?: FakeAnswer }
  /** Never answers. */
  | { kind: 'hang' }
  /** Sends 200 and the start of a body, then stalls without ending it. */
  | { kind: 'stall-body' }
  /** Sends 200, then whitespace as fast as the client reads it, until the client goes away (bytes in `bytesSent`). */
  | { kind: 'stream-whitespace'; declareLength?: number }
  /** Resets the connection (TCP RST) without answering. */
  | { kind: 'reset' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  bodyText: string;
  json: unknown;
  /** Which request shape the body had. */
  format: 'mlflow-split' | 'mlflow-records' | 'data-array' | 'unknown';
  rows: FakeRow[];
  answer: FakeAnswer['kind'];
  /** Body bytes written for a streamed answer, and whether the client closed the connection before it ended. */
  bytesSent: number;
  clientHungUp: boolean;
}

export interface FakeAmlEndpointOptions {
  /** Shape of `ok` answers. Default `probabilities`. */
  responseFormat?: 'probabilities' | 'labels' | 'predictions-object';
  /** Class names, for `labels` answers (the label is the class of highest probability). Default ['0', '1']. */
  classes?: string[];
  /** The "model": class probabilities of one row. Default: [1 − x, x] for the row's numeric `x`. */
  model?: (row: FakeRow) => number[];
  /** Names of the columns of `data-array` rows (which carry none). */
  columns?: string[];
  /** Answer for a request when the queue is empty; default `ok`. */
  script?: (request: RecordedRequest, index: number) => FakeAnswer;
}

export interface FakeAmlEndpoint {
  /** Scoring URI: http://127.0.0.1:<port>/score. */
  url: string;
  requests: RecordedRequest[];
  /** Answers for the next requests, in order; after them `script` (or `ok`) answers. */
  enqueue(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

/** A real node:http server on a free loopback port, standing in for an Azure ML managed online endpoint. */
export async function startFakeAmlEndpoint(options: FakeAmlEndpointOptions = {}): Promise<FakeAmlEndpoint> {
  const responseFormat = options.responseFormat ?? 'probabilities';
  const classes = options.classes ?? ['0', '1'];
  const model =
    options.model ??
    ((row: FakeRow) => {
      const x = Number(row.x ?? 0);
      return [1 - x, x];
    });
  const queue: FakeAnswer[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const bodyText = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(bodyText);
      } catch {
        json = undefined;
      }
      const { format, rows } = readRows(json, options.columns);
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        bodyText,
        json,
        format,
        rows,
        answer: 'ok',
        bytesSent: 0,
        clientHungUp: false,
      };
      const index = requests.length;
      requests.push(recorded);
      const answer = queue.shift() ?? options.script?.(recorded, index) ?? { kind: 'ok' };
      recorded.answer = answer.kind;
      perform(answer);

      function perform(current: FakeAnswer): void {
        const send = (status: number, body: string, headers: Record<string, string> = {}) => {
          if (res.destroyed || res.writableEnded) return;
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body);
        };
        switch (current.kind) {
          case 'ok': {
            const probabilities = rows.map(model);
            const labels = probabilities.map((p) => classes[p.indexOf(Math.max(...p))]);
            const body =
              responseFormat === 'probabilities'
                ? probabilities
                : responseFormat === 'labels'
                  ? labels
                  : { predictions: probabilities };
            return send(200, JSON.stringify(body));
          }
          case 'json':
            return send(current.status ?? 200, JSON.stringify(current.body), current.headers);
          case 'text':
            return send(current.status ?? 200, current.body, { 'content-type': 'text/plain', ...current.headers });
          case 'status':
            return send(
              current.status,
              current.body ?? JSON.stringify({ error: `status ${current.status}` }),
              current.headers,
            );
          case 'throttle':
            return send(current.status ?? 429, JSON.stringify({ error: 'Too many requests' }), {
              'retry-after': current.retryAfter,
            });
          case 'slow': {
            const timer = setTimeout(() => {
              timers.delete(timer);
              perform(current.then ?? { kind: 'ok' });
            }, current.delayInMs);
            timers.add(timer);
            return;
          }
          case 'hang':
            return;
          case 'stall-body':
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write('[[0.5, ');
            return;
          case 'reset':
            req.socket.resetAndDestroy();
            return;
          case 'stream-whitespace': {
            res.writeHead(200, {
              'content-type': 'application/json',
              ...(current.declareLength === undefined ? {} : { 'content-length': String(current.declareLength) }),
            });
            const spaces = Buffer.alloc(64 * 1024, 0x20);
            res.on('close', () => (recorded.clientHungUp = !res.writableFinished));
            const limit = current.declareLength ?? Infinity;
            const pump = (): void => {
              while (!res.destroyed) {
                const left = limit - recorded.bytesSent;
                if (left <= 0) return void res.end();
                const piece = left < spaces.byteLength ? spaces.subarray(0, left) : spaces;
                recorded.bytesSent += piece.byteLength;
                if (!res.write(piece)) {
                  res.once('drain', pump);
                  return;
                }
              }
            };
            pump();
            return;
          }
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/score`,
    requests,
    enqueue: (...answers) => queue.push(...answers),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readRows(
  json: unknown,
  columns: string[] | undefined,
): { format: RecordedRequest['format']; rows: FakeRow[] } {
  if (typeof json !== 'object' || json === null) return { format: 'unknown', rows: [] };
  const body = json as Record<string, unknown>;
  if (isObject(body.input_data)) {
    const split = body.input_data as { columns?: string[]; data?: unknown[][] };
    const names = split.columns ?? [];
    return {
      format: 'mlflow-split',
      rows: (split.data ?? []).map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]]))),
    };
  }
  if (Array.isArray(body.dataframe_records))
    return { format: 'mlflow-records', rows: body.dataframe_records as FakeRow[] };
  if (Array.isArray(body.data)) {
    return {
      format: 'data-array',
      rows: (body.data as unknown[][]).map((row) =>
        Object.fromEntries(row.map((value, i) => [columns?.[i] ?? String(i), value])),
      ),
    };
  }
  return { format: 'unknown', rows: [] };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
