import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationContext, type InvocationContextInit } from '@azure/functions';
import * as df from 'durable-functions';

export interface FakeInstance {
  name: string;
  input: unknown;
  runtimeStatus: string;
}

/**
 * The Durable Functions extension's HTTP API as the durable-functions client calls it from a function (its
 * `rpcBaseUrl`): GET instances/{id} (404 for an unknown one) and POST orchestrators/{name}/{id}. A real local
 * server, so the client library's own requests and error handling run; `failWith` makes it answer that status.
 */
export async function startFakeDurableExtension() {
  const instances = new Map<string, FakeInstance>();
  const requests: Array<{ method: string; path: string; body: string }> = [];
  const state = { failWith: undefined as number | undefined };
  const server = createServer(async (request, response) => {
    const body = await text(request);
    const path = decodeURI(new URL(request.url!, 'http://x').pathname);
    requests.push({ method: request.method!, path, body });
    const reply = (status: number, json: unknown) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(json));
    };
    if (state.failWith) return reply(state.failWith, { message: 'the task hub is unavailable' });
    const status = /^\/durabletask\/instances\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && status) {
      const instance = instances.get(status[1]!);
      if (!instance) return reply(404, { message: `no instance ${status[1]}` });
      return reply(200, {
        name: instance.name,
        instanceId: status[1],
        createdTime: '2024-01-22T03:00:00Z',
        lastUpdatedTime: '2024-01-22T03:00:05Z',
        input: instance.input,
        output: null,
        runtimeStatus: instance.runtimeStatus,
        customStatus: null,
      });
    }
    const start = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(path);
    if (request.method === 'POST' && start) {
      instances.set(start[2]!, { name: start[1]!, input: JSON.parse(body) as unknown, runtimeStatus: 'Pending' });
      return reply(202, { id: start[2] });
    }
    reply(400, { message: `unexpected ${request.method} ${path}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hook = `${origin}/runtime/webhooks/durabletask`;
  const query = 'taskHub=MrmDrift&connection=Storage&code=SYSTEMKEY';
  const clientData = {
    taskHubName: 'MrmDrift',
    creationUrls: {
      createNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?${query}`,
      createAndWaitOnNewInstancePostUri: `${hook}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&${query}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${hook}/instances/INSTANCEID?${query}`,
      sendEventPostUri: `${hook}/instances/INSTANCEID/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${hook}/instances/INSTANCEID/terminate?reason={text}&${query}`,
      rewindPostUri: `${hook}/instances/INSTANCEID/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${hook}/instances/INSTANCEID?${query}`,
      restartPostUri: `${hook}/instances/INSTANCEID/restart?${query}`,
      suspendPostUri: `${hook}/instances/INSTANCEID/suspend?reason={text}&${query}`,
      resumePostUri: `${hook}/instances/INSTANCEID/resume?reason={text}&${query}`,
    },
    baseUrl: hook,
    requiredQueryStringParameters: query,
    rpcBaseUrl: `${origin}/durabletask/`,
  };
  return {
    instances,
    requests,
    state,
    /** An invocation context whose durable client input the host filled with this server's addresses. */
    context(logs: string[] = [], init: InvocationContextInit = {}): InvocationContext {
      const clientInput = df.input.durableClient();
      const context = new InvocationContext({
        functionName: 'test',
        logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
        ...init,
        options: { trigger: { type: 'unknown', name: 'trigger' }, extraInputs: [clientInput], extraOutputs: [] },
      });
      context.extraInputs.set(clientInput, clientData);
      return context;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function text(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
