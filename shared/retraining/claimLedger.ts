import { MrmError } from '../errors.js';
import type { Clock, StateStore } from './ports.js';
import type { ClaimOutcome, ClaimRecord, HeldClaim } from './types.js';

const MAX_RACES = 8;

/**
 * Claims alerts in the state store. A claim is created with a conditional create, so of any number of concurrent
 * calls for one alert exactly one proceeds; the others see the claim: decided (answer `duplicate`), held (answer 503,
 * retry later) or abandoned past its lease (take it over with an ETag-conditional update and finish the work).
 */
export class ClaimLedger {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly leaseInMs: number,
    private readonly prefix: string,
  ) {}

  async claim(
    fresh: Omit<ClaimRecord, 'version' | 'state' | 'claimedAt' | 'leaseUntil' | 'attempts'>,
  ): Promise<ClaimOutcome> {
    const name = this.nameOf(fresh.claimKey);
    for (let race = 0; race < MAX_RACES; race++) {
      const now = new Date(this.clock.nowInMs());
      const record: ClaimRecord = {
        version: 1,
        ...fresh,
        state: 'claimed',
        claimedAt: now.toISOString(),
        leaseUntil: new Date(now.getTime() + this.leaseInMs).toISOString(),
        attempts: 1,
      };
      // Read first: replays, the common case under retries, then cost one read.
      const existing = await this.store.read(name);
      if (!existing) {
        const created = await this.store.create(name, record);
        if (created.ok) return { kind: 'acquired', claim: { record, etag: created.etag, takenOver: false } };
        continue; // another call created it between our read and create: look again
      }
      const current = existing.value as ClaimRecord;
      if (current.state !== 'claimed') return { kind: 'decided', record: current };
      const leaseLeftInMs = Date.parse(current.leaseUntil) - now.getTime();
      if (leaseLeftInMs > 0)
        return {
          kind: 'in_progress',
          record: current,
          retryAfterInSeconds: Math.max(1, Math.ceil(leaseLeftInMs / 1000)),
        };

      const takeover: ClaimRecord = {
        ...current,
        leaseUntil: new Date(now.getTime() + this.leaseInMs).toISOString(),
        attempts: current.attempts + 1,
      };
      const replaced = await this.store.replace(name, takeover, existing.etag);
      if (replaced.ok) return { kind: 'acquired', claim: { record: takeover, etag: replaced.etag, takenOver: true } };
    }
    throw new MrmError(
      'transient',
      'RETRAIN.CLAIM_CONTENTION',
      `Claim ${fresh.claimKey} kept changing under ${MAX_RACES} attempts`,
    );
  }

  /** The claim as stored, without taking it: lets replays of a decided alert be answered before any other work. */
  async peek(claimKey: string): Promise<ClaimRecord | undefined> {
    return (await this.store.read(this.nameOf(claimKey)))?.value as ClaimRecord | undefined;
  }

  /** Records the final decision; replays of the alert then answer `duplicate`. */
  async decide(claim: HeldClaim, state: 'retraining_triggered' | 'cooldown', reason: string): Promise<void> {
    const name = this.nameOf(claim.record.claimKey);
    const decided: ClaimRecord = {
      ...claim.record,
      state,
      decidedAt: new Date(this.clock.nowInMs()).toISOString(),
      reason,
    };
    if ((await this.store.replace(name, decided, claim.etag)).ok) return;
    // Our lease ran out and a retry took the claim over: it submits the same job name, so recording ours is still true.
    for (let race = 0; race < MAX_RACES; race++) {
      const existing = await this.store.read(name);
      if (!existing || (existing.value as ClaimRecord).state !== 'claimed') return;
      if ((await this.store.replace(name, decided, existing.etag)).ok) return;
    }
  }

  /** Ends our lease early after a retryable failure, so the caller's retry proceeds at once. */
  async releaseLease(claim: HeldClaim): Promise<void> {
    const released: ClaimRecord = { ...claim.record, leaseUntil: new Date(this.clock.nowInMs()).toISOString() };
    await this.store.replace(this.nameOf(claim.record.claimKey), released, claim.etag);
  }

  /** Forgets the claim (configuration error): once the setting is fixed, the alert's retry starts afresh. */
  async release(claim: HeldClaim): Promise<void> {
    await this.store.remove(this.nameOf(claim.record.claimKey), claim.etag);
  }

  private nameOf(claimKey: string): string {
    return `${this.prefix}claims/${claimKey}.json`;
  }
}
