import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { azuriteConnectionString as connectionStringFor } from '../../dev/azurite.js';
import { azuriteConnectionString } from './storage.js';

/** A request the proxy saw: method, blob path (after the account) and query, and the status it answered. */
export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
}

export interface StorageProxyBehaviour {
  /** Answers a request itself (e.g. 503), or drops its connection, instead of forwarding it; undefined forwards. */
  intercept?: (request: Omit<ProxiedRequest, 'status'>) => { status: number; code: string } | 'reset' | undefined;
  /** Runs after Azurite answered and before the answer is delivered: what happens between a response and its use. */
  beforeDelivery?: (request: ProxiedRequest) => Promise<void>;
}

export interface StorageProxy {
  /** A connection string for the proxy, with the Azurite account (the shared key signs paths, not hosts). */
  connectionString: string;
  requests: ProxiedRequest[];
  behaviour: StorageProxyBehaviour;
  close(): Promise<void>;
}

/**
 * A real loopback server in front of the test run's Azurite that forwards every request and can misbehave on purpose:
 * answer a status of its own, or act (upload, overwrite) between Azurite's answer and its delivery. Storage stays
 * real; only the timing and the failures are the test's.
 */
export async function startStorageProxy(behaviour: StorageProxyBehaviour = {}): Promise<StorageProxy> {
  const target = new URL(/BlobEndpoint=([^;]+)/.exec(azuriteConnectionString())![1]!);
  const requests: ProxiedRequest[] = [];
  const proxy: StorageProxy = { connectionString: '', requests, behaviour, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      const seen = {
        method: req.method ?? 'GET',
        path: decodeURIComponent(url.pathname.replace(/^\/[^/]+\/?/, '')),
        query: url.searchParams,
      };
      const own = proxy.behaviour.intercept?.(seen);
      if (own === 'reset') {
        requests.push({ ...seen, status: 0 });
        req.socket.resetAndDestroy();
        return;
      }
      if (own) {
        requests.push({ ...seen, status: own.status });
        res.writeHead(own.status, { 'x-ms-error-code': own.code, 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="utf-8"?><Error><Code>${own.code}</Code><Message>proxy</Message></Error>`,
        );
        return;
      }
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (upstream) => {
          const body: Buffer[] = [];
          upstream.on('data', (chunk: Buffer) => body.push(chunk));
          upstream.on('end', () => {
            const answered = { ...seen, status: upstream.statusCode ?? 0 };
            requests.push(answered);
            void (proxy.behaviour.beforeDelivery?.(answered) ?? Promise.resolve()).then(() => {
              res.writeHead(upstream.statusCode ?? 502, upstream.headers as IncomingHttpHeaders);
              res.end(Buffer.concat(body));
            });
          });
        },
      );
      forwarded.on('error', () => res.destroy());
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  proxy.connectionString = connectionStringFor(port);
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
