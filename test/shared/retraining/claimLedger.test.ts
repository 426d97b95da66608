import { describe, expect, it } from 'vitest';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { ClaimLedger } from '../../../shared/retraining/claimLedger.js';
import { freshContainer } from '../../helpers/storage.js';
import { ManualClock } from './fakes/manualClock.js';

const claimOf = (claimKey: string) => ({
  claimKey,
  source: 'alert' as const,
  alertId: `/alerts/${claimKey}`,
  rule: 'mrm-drift',
  model: 'default',
  magnitude: 0.4,
  jobName: `job-${claimKey}`,
  request: { properties: { n: 1 } },
});

async function ledger(leaseInMs = 60_000) {
  const clock = new ManualClock();
  const store = new BlobStateStore(await freshContainer('ledger'));
  return { clock, store, ledger: new ClaimLedger(store, clock, leaseInMs, 'live/') };
}

describe('ClaimLedger on blob storage', () => {
  it('lets exactly one of many concurrent claims of a key acquire it', async () => {
    const { ledger: l } = await ledger();
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => l.claim(claimOf('a'))));
    expect(outcomes.filter((o) => o.kind === 'acquired')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'in_progress')).toHaveLength(29);
  });

  it('answers a decided claim as decided, with what was decided', async () => {
    const { ledger: l } = await ledger();
    const first = await l.claim(claimOf('a'));
    if (first.kind !== 'acquired') throw new Error('expected to acquire');
    await l.decide(first.claim, 'retraining_triggered', 'submitted');
    const again = await l.claim(claimOf('a'));
    expect(again).toMatchObject({
      kind: 'decided',
      record: {
        state: 'retraining_triggered',
        reason: 'submitted',
        jobName: 'job-a',
        decidedAt: '2026-03-02T10:00:00.000Z',
      },
    });
  });

  it('tells a call inside the lease to come back when it ends, and lets one call past the lease take over', async () => {
    const { ledger: l, clock } = await ledger(60_000);
    await l.claim(claimOf('a'));
    clock.advance(20_000);
    expect(await l.claim(claimOf('a'))).toMatchObject({ kind: 'in_progress', retryAfterInSeconds: 40 });
    clock.advance(40_000);
    const takeovers = await Promise.all(
      Array.from({ length: 10 }, () => l.claim({ ...claimOf('a'), jobName: 'a-new-name' })),
    );
    const won = takeovers.filter((o) => o.kind === 'acquired');
    expect(won).toHaveLength(1);
    // The takeover keeps the original job name and request: the retry sends exactly what the crashed call would have.
    expect(won[0]).toMatchObject({
      kind: 'acquired',
      claim: { takenOver: true, record: { jobName: 'job-a', attempts: 2, leaseUntil: '2026-03-02T10:02:00.000Z' } },
    });
  });

  it('frees the claim at once after a retryable failure, and forgets it after a configuration error', async () => {
    const { ledger: l } = await ledger();
    const first = await l.claim(claimOf('a'));
    if (first.kind !== 'acquired') throw new Error('expected to acquire');
    await l.releaseLease(first.claim);
    const retry = await l.claim(claimOf('a'));
    expect(retry).toMatchObject({ kind: 'acquired', claim: { takenOver: true } });
    if (retry.kind !== 'acquired') return;
    await l.release(retry.claim);
    expect(await l.claim(claimOf('a'))).toMatchObject({
      kind: 'acquired',
      claim: { takenOver: false, record: { attempts: 1 } },
    });
  });

  it('records its decision even when a retry took the claim over meanwhile', async () => {
    const { ledger: l, clock } = await ledger(1000);
    const slow = await l.claim(claimOf('a'));
    if (slow.kind !== 'acquired') throw new Error('expected to acquire');
    clock.advance(2000);
    expect((await l.claim(claimOf('a'))).kind).toBe('acquired');
    await l.decide(slow.claim, 'retraining_triggered', 'slow call finished');
    expect(await l.claim(claimOf('a'))).toMatchObject({ kind: 'decided', record: { reason: 'slow call finished' } });
  });
});
