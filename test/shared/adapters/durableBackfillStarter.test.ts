import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as df from 'durable-functions';
import { DurableBackfillStarter } from '../../../shared/adapters/durableBackfillStarter.js';
import type { BackfillInput } from '../../../shared/drift/backfill/backfillOrchestration.js';
import { startFakeDurableExtension } from '../../helpers/fakeDurableExtension.js';

const WINDOW = { fromInMs: Date.UTC(2024, 0, 15), toInMs: Date.UTC(2024, 0, 22), label: '2024-W03' };
const INPUT: BackfillInput = { run: 'weeklyDrift', window: WINDOW, emitsMetrics: true, startedBy: 'weeklyDrift' };

describe('DurableBackfillStarter (durable-functions client against a local stand-in for the extension)', () => {
  let extension: Awaited<ReturnType<typeof startFakeDurableExtension>>;
  const starter = () => new DurableBackfillStarter(df.getClient(extension.context()));

  beforeAll(async () => {
    extension = await startFakeDurableExtension();
  });
  afterAll(() => extension.close());

  it('starts the orchestration under the window’s own instance id, with the input, and gives its status URL', async () => {
    const started = await starter().start(INPUT);
    expect(started).toEqual({
      instanceId: 'drift-weeklyDrift-2024-W03',
      state: 'started',
      statusQueryGetUri: expect.stringMatching(/\/instances\/drift-weeklyDrift-2024-W03\?taskHub=MrmDrift&/),
    });
    expect(extension.requests.slice(-2).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /durabletask/instances/drift-weeklyDrift-2024-W03',
      'POST /durabletask/orchestrators/driftBackfill/drift-weeklyDrift-2024-W03',
    ]);
    expect(extension.instances.get('drift-weeklyDrift-2024-W03')).toEqual({
      name: 'driftBackfill',
      input: INPUT,
      runtimeStatus: 'Pending',
    });
  });

  it.each(['Pending', 'Running', 'Suspended'])('leaves a %s instance of the window alone', async (runtimeStatus) => {
    extension.instances.set('drift-weeklyDrift-2024-W03', { name: 'driftBackfill', input: {}, runtimeStatus });
    const before = extension.requests.length;
    expect(await starter().start(INPUT)).toMatchObject({ state: 'running' });
    expect(extension.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it.each(['Completed', 'Failed', 'Terminated'])(
    'replaces a %s instance: a new backfill of the window',
    async (runtimeStatus) => {
      extension.instances.set('drift-weeklyDrift-2024-W03', { name: 'driftBackfill', input: {}, runtimeStatus });
      expect(await starter().start(INPUT)).toMatchObject({ state: 'started' });
      expect(extension.instances.get('drift-weeklyDrift-2024-W03')!.input).toEqual(INPUT);
    },
  );

  it('fails transiently (DURABLE.UNAVAILABLE), naming the instance, when the extension does not answer well', async () => {
    extension.state.failWith = 500;
    try {
      await expect(
        starter().start({ ...INPUT, run: 'dailyDrift', window: { ...WINDOW, label: '2024-01-21' } }),
      ).rejects.toMatchObject({
        kind: 'transient',
        code: 'DURABLE.UNAVAILABLE',
        message: expect.stringMatching(/^Could not start driftBackfill drift-dailyDrift-2024-01-21: /),
      });
    } finally {
      extension.state.failWith = undefined;
    }
  });
});
