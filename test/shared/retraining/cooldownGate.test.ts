import { describe, expect, it } from 'vitest';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { CooldownGate } from '../../../shared/retraining/cooldownGate.js';
import { freshContainer } from '../../helpers/storage.js';
import { ManualClock } from './fakes/manualClock.js';

const HOUR = 3_600_000;

async function gate(cooldownInMs = 24 * HOUR) {
  const clock = new ManualClock();
  const store = new BlobStateStore(await freshContainer('cooldown'));
  return { clock, store, gate: new CooldownGate(store, clock, cooldownInMs, 'live/') };
}

describe('CooldownGate on blob storage', () => {
  it('lets exactly one of many concurrent claims for a model pass', async () => {
    const { gate: g } = await gate();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => g.enter('default', `claim-${i}`, `job-${i}`)),
    );
    expect(outcomes.filter((o) => o.kind === 'passed')).toHaveLength(1);
    const cooling = outcomes.filter((o) => o.kind === 'cooling');
    expect(cooling).toHaveLength(39);
    expect(cooling[0]).toMatchObject({ until: '2026-03-03T10:00:00.000Z' });
  });

  it('lets the holder pass again (a retry of the claim that started the job) and other models through', async () => {
    const { gate: g } = await gate();
    expect((await g.enter('default', 'c1', 'j1')).kind).toBe('passed');
    expect(await g.enter('default', 'c1', 'j1')).toEqual({ kind: 'passed', entry: undefined });
    expect((await g.enter('churn', 'c2', 'j2')).kind).toBe('passed');
    expect((await g.enter('default', 'c3', 'j3')).kind).toBe('cooling');
  });

  it('opens again when the cooldown has passed', async () => {
    const { gate: g, clock } = await gate(24 * HOUR);
    await g.enter('default', 'c1', 'j1');
    clock.advance(24 * HOUR - 1);
    expect((await g.enter('default', 'c2', 'j2')).kind).toBe('cooling');
    clock.advance(1);
    expect(await g.enter('default', 'c2', 'j2')).toMatchObject({
      kind: 'passed',
      entry: { previous: { claimKey: 'c1', jobName: 'j1' } },
    });
  });

  it('undoes an entry (configuration error): the previous holder, or nothing, is back', async () => {
    const { gate: g, clock } = await gate(HOUR);
    const first = await g.enter('default', 'c1', 'j1');
    if (first.kind !== 'passed') throw new Error('expected to pass');
    await g.undo(first.entry);
    expect((await g.enter('default', 'c2', 'j2')).kind).toBe('passed');
    clock.advance(2 * HOUR);
    const third = await g.enter('default', 'c3', 'j3');
    if (third.kind !== 'passed') throw new Error('expected to pass');
    await g.undo(third.entry);
    expect(await g.enter('default', 'c4', 'j4')).toMatchObject({
      kind: 'passed',
      entry: { previous: { claimKey: 'c2' } },
    });
  });

  it('never holds anything back with a cooldown of 0', async () => {
    const { gate: g, store } = await gate(0);
    expect(await g.enter('default', 'c1', 'j1')).toEqual({ kind: 'passed', entry: undefined });
    expect(await g.enter('default', 'c2', 'j2')).toEqual({ kind: 'passed', entry: undefined });
    expect(await store.read('live/cooldowns/default.json')).toBeUndefined();
  });
});
