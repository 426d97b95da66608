import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

export interface JsonRequest {
  method: 'GET' | 'PUT' | 'POST';
  url: string;
  token: string;
  body?: unknown;
  timeoutInMs: number;
  /** A custom agent (a private CA, a proxy); default Node's global agent. */
  agent?: HttpAgent | HttpsAgent | undefined;
}

export type JsonResponse =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string | string[] | undefined>;
      text: string;
      json: unknown;
    }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string };

/**
 * One JSON request with a bearer token, over node:http(s) so a custom agent (and CA) can be used, as the Azure SDK
 * clients of this app do. Never rejects: a timeout or a network failure is an outcome.
 */
export function sendJson(options: JsonRequest): Promise<JsonResponse> {
  const target = new URL(options.url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: JsonResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(
      target,
      {
        method: options.method,
        agent: options.agent as HttpsAgent | undefined,
        headers: {
          authorization: `Bearer ${options.token}`,
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish({ kind: 'network', message: networkReason(error) }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    // The whole exchange, not only the connection, must finish in time: a server that accepts and hangs is the case.
    const timer = setTimeout(() => {
      finish({ kind: 'timeout' });
      req.destroy();
    }, options.timeoutInMs);
    req.on('error', (error) => finish({ kind: 'network', message: networkReason(error) }));
    req.end(payload);
  });
}

/** What went wrong on the wire, by its code (ECONNREFUSED): the message would add the address, which callers see. */
function networkReason(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && code !== '' ? code : error.message;
}

/** The service's own error text: ARM's `{ error: { code, message } }`, else the start of the body. */
export function armErrorText(response: { status: number; json: unknown; text: string }): string {
  const error = (response.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && (error.code || error.message))
    return `${response.status} ${String(error.code ?? '')}: ${String(error.message ?? '')}`.trim();
  return `${response.status}${response.text ? `: ${response.text.slice(0, 300)}` : ''}`;
}

/** Seconds from a Retry-After header (delta-seconds or HTTP-date), if present and sane. */
export function retryAfterSeconds(header: string | string[] | undefined, nowInMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Math.min(3600, Number(value.trim()));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.min(3600, Math.max(1, Math.ceil((at - nowInMs) / 1000)));
}
