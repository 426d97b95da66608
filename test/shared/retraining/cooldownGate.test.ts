import { describe, expect, it } from 'vitest';
import { ArmJobSubmitter } from '../../../shared/adapters/armJobSubmitter.js';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { DryRunSubmitter } from '../../../shared/adapters/dryRunSubmitter.js';
import { CooldownGate, type CooldownOutcome } from '../../../shared/retraining/cooldownGate.js';
import type { JobLookup } from '../../../shared/retraining/ports.js';
import { freshContainer } from '../../helpers/storage.js';
import { FakeCredential } from './fakes/fakeCredential.js';
import { ManualClock } from './fakes/manualClock.js';

const HOUR = 3_600_000;
const LEASE = 60_000;

/**
 * A gate on blob storage. Jobs are the dry-run submitter's recorded requests (a request recorded = a job that
 * exists), so "was the holder's job submitted?" is answered by a real adapter.
 */
async function gate(options: { cooldownInMs?: number; jobs?: JobLookup } = {}) {
  const clock = new ManualClock();
  const store = new BlobStateStore(await freshContainer('cooldown'));
  const submitter = new DryRunSubmitter(store, 'state', (jobName) => ({ method: 'PUT', url: `jobs/${jobName}` }));
  const g = new CooldownGate(
    store,
    clock,
    options.cooldownInMs ?? 24 * HOUR,
    LEASE,
    options.jobs ?? submitter,
    'live/',
  );
  const submit = (jobName: string) => submitter.submit({ jobName, model: 'default', body: {} });
  return { clock, store, gate: g, submit };
}

function entryOf(outcome: CooldownOutcome) {
  if (outcome.kind !== 'passed') throw new Error(`expected to pass, got ${JSON.stringify(outcome)}`);
  return outcome.entry;
}

describe('CooldownGate on blob storage', () => {
  it('lets exactly one of many concurrent claims for a model through; the others wait for its lease', async () => {
    const { gate: g } = await gate();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => g.enter('default', `claim-${i}`, `job-${i}`)),
    );
    expect(outcomes.filter((o) => o.kind === 'passed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'busy')).toHaveLength(39);
    expect(outcomes.find((o) => o.kind === 'busy')).toEqual({ kind: 'busy', retryAfterInSeconds: 60 });
  });

  it('counts the cooldown from the submitted job: other claims cool down on it until it is over', async () => {
    const { gate: g, clock } = await gate();
    const first = entryOf(await g.enter('default', 'c1', 'j1'));
    clock.advance(10_000);
    await g.started(first);
    clock.advance(24 * HOUR - 1);
    expect(await g.enter('default', 'c2', 'j2')).toEqual({
      kind: 'cooling',
      started: { claimKey: 'c1', jobName: 'j1', startedAt: '2026-03-02T10:00:10.000Z' },
      until: '2026-03-03T10:00:10.000Z',
    });
    clock.advance(1);
    expect((await g.enter('default', 'c2', 'j2')).kind).toBe('passed');
  });

  it('lets the holder pass again (a retry of the claim that reserved or started the job), and other models through', async () => {
    const { gate: g } = await gate();
    const first = entryOf(await g.enter('default', 'c1', 'j1'));
    expect((await g.enter('default', 'c1', 'j1')).kind).toBe('passed');
    await g.started(first);
    expect(await g.enter('default', 'c1', 'j1')).toEqual({ kind: 'passed', entry: undefined });
    expect((await g.enter('churn', 'c2', 'j2')).kind).toBe('passed');
  });

  it('a holder that gave up for now (released) blocks nothing: the next claim looks its job up, finds none, goes ahead', async () => {
    const { gate: g } = await gate();
    await g.release(entryOf(await g.enter('default', 'c1', 'j1')));
    expect((await g.enter('default', 'c2', 'j2')).kind).toBe('passed');
  });

  it('a holder that crashed blocks other claims only until its lease ends', async () => {
    const { gate: g, clock } = await gate();
    entryOf(await g.enter('default', 'c1', 'j1'));
    clock.advance(LEASE - 1000);
    expect(await g.enter('default', 'c2', 'j2')).toEqual({ kind: 'busy', retryAfterInSeconds: 1 });
    clock.advance(1000);
    expect((await g.enter('default', 'c2', 'j2')).kind).toBe('passed');
  });

  it('a holder whose job was submitted but whose answer was lost still counts, from when it reserved', async () => {
    const { gate: g, clock, submit } = await gate();
    const first = entryOf(await g.enter('default', 'c1', 'j1'));
    await submit('j1');
    clock.advance(5000);
    await g.release(first);
    clock.advance(HOUR);
    expect(await g.enter('default', 'c2', 'j2')).toEqual({
      kind: 'cooling',
      started: { claimKey: 'c1', jobName: 'j1', startedAt: '2026-03-02T10:00:00.000Z' },
      until: '2026-03-03T10:00:00.000Z',
    });
  });

  it('waits when the holder’s job cannot be looked up for now', async () => {
    const unreachable = new ArmJobSubmitter({
      armEndpoint: 'http://127.0.0.1:9/',
      subscriptionId: 's',
      resourceGroup: 'rg',
      workspace: 'ws',
      apiVersion: '2024-10-01',
      timeoutInMs: 1000,
      credential: new FakeCredential(),
    });
    const { gate: g } = await gate({ jobs: unreachable });
    await g.release(entryOf(await g.enter('default', 'c1', 'j1')));
    expect(await g.enter('default', 'c2', 'j2')).toEqual({ kind: 'busy', retryAfterInSeconds: 30 });
  });

  it('undoes a reservation (configuration error): an earlier started job, or nothing, is back', async () => {
    const { gate: g, clock, store } = await gate({ cooldownInMs: HOUR });
    await g.undo(entryOf(await g.enter('default', 'c1', 'j1')));
    expect(await store.read('live/cooldowns/default.json')).toBeUndefined();
    await g.started(entryOf(await g.enter('default', 'c2', 'j2')));
    clock.advance(2 * HOUR);
    await g.undo(entryOf(await g.enter('default', 'c3', 'j3')));
    expect((await store.read('live/cooldowns/default.json'))?.value).toEqual({
      model: 'default',
      started: { claimKey: 'c2', jobName: 'j2', startedAt: '2026-03-02T10:00:00.000Z' },
    });
  });

  it('reads a record of the earlier version ({ claimKey, jobName, startedAt }) as a started job', async () => {
    const { gate: g, store } = await gate();
    await store.create('live/cooldowns/default.json', {
      model: 'default',
      claimKey: 'old',
      jobName: 'old-job',
      startedAt: '2026-03-02T09:00:00.000Z',
    });
    expect(await g.enter('default', 'c1', 'j1')).toMatchObject({ kind: 'cooling', started: { jobName: 'old-job' } });
  });

  it('never holds anything back with a cooldown of 0', async () => {
    const { gate: g, store } = await gate({ cooldownInMs: 0 });
    expect(await g.enter('default', 'c1', 'j1')).toEqual({ kind: 'passed', entry: undefined });
    expect(await g.enter('default', 'c2', 'j2')).toEqual({ kind: 'passed', entry: undefined });
    expect(await store.read('live/cooldowns/default.json')).toBeUndefined();
  });
});
