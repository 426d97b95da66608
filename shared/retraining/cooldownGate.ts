import { MrmError } from '../errors.js';
import type { Clock, JobLookup, StateStore } from './ports.js';

/** A job submitted for a model: the cooldown counts from it. */
export interface StartedJob {
  claimKey: string;
  jobName: string;
  startedAt: string;
}

/**
 * The model's cooldown: the last job actually submitted, and the submission under way if there is one. A submission
 * under way holds other alerts back only while its lease lasts (the claim's); after it, its job is looked up, so a
 * holder that crashed or gave up blocks nothing, and one whose answer was lost still counts.
 */
export interface CooldownRecord {
  model: string;
  started?: StartedJob;
  submitting?: { claimKey: string; jobName: string; reservedAt: string; leaseUntil: string };
}

export type CooldownOutcome =
  /** A job submitted within the cooldown; `started` names it. */
  | { kind: 'cooling'; started: StartedJob; until: string }
  /** Another claim is submitting for this model and its lease runs; its job may or may not come to exist. */
  | { kind: 'busy'; retryAfterInSeconds: number }
  /** Go ahead: `entry` is our reservation, to be confirmed (`started`) or given back (`release`, `undo`). */
  | { kind: 'passed'; entry: CooldownEntry | undefined };

export interface CooldownEntry {
  model: string;
  claimKey: string;
  jobName: string;
}

const MAX_RACES = 16;

/**
 * One retraining per model per cooldown, counted from jobs that were submitted. Passing the gate reserves the model
 * for our claim (an ETag-conditional write, so of concurrent distinct alerts one reserves and the others, re-reading,
 * find it busy); a submission confirms the reservation as the model's started job; a failure hands it back. The
 * claim holding the reservation passes again, which is what lets a crashed call's retry finish.
 */
export class CooldownGate {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly cooldownInMs: number,
    private readonly leaseInMs: number,
    private readonly jobs: JobLookup,
    private readonly prefix: string,
  ) {}

  async enter(model: string, claimKey: string, jobName: string): Promise<CooldownOutcome> {
    if (this.cooldownInMs <= 0) return { kind: 'passed', entry: undefined };
    const name = this.nameOf(model);
    for (let race = 0; race < MAX_RACES; race++) {
      const now = new Date(this.clock.nowInMs());
      const current = await this.store.read(name);
      let record = current ? readRecord(model, current.value) : { model };
      const submitting = record.submitting;

      if (submitting && submitting.claimKey !== claimKey) {
        const leaseLeftInMs = Date.parse(submitting.leaseUntil) - now.getTime();
        if (leaseLeftInMs > 0) return { kind: 'busy', retryAfterInSeconds: Math.ceil(leaseLeftInMs / 1000) };
        // The holder's lease is over: did its job come to exist (its answer was lost) or not (a crash, a refusal)?
        const found = await this.jobs.find(submitting.jobName);
        if (found === 'unknown') return { kind: 'busy', retryAfterInSeconds: 30 };
        const { claimKey: holder, jobName: holderJob, reservedAt } = submitting;
        record = {
          model,
          ...(found === 'found'
            ? { started: { claimKey: holder, jobName: holderJob, startedAt: reservedAt } }
            : record.started
              ? { started: record.started }
              : {}),
        };
        if (found === 'found' && current) {
          // Recorded, so that the next alert need not ask Azure ML again.
          await this.store.replace(name, record, current.etag);
          continue;
        }
      }
      const judged = this.judge(record, claimKey);
      if (judged) return judged;
      if (record.started?.claimKey === claimKey) return { kind: 'passed', entry: undefined };

      const reserved: CooldownRecord = {
        ...record,
        submitting: {
          claimKey,
          jobName,
          reservedAt: submitting?.claimKey === claimKey ? submitting.reservedAt : now.toISOString(),
          leaseUntil: new Date(now.getTime() + this.leaseInMs).toISOString(),
        },
      };
      const written = current
        ? await this.store.replace(name, reserved, current.etag)
        : await this.store.create(name, reserved);
      if (written.ok) return { kind: 'passed', entry: { model, claimKey, jobName } };
    }
    throw new MrmError(
      'transient',
      'RETRAIN.COOLDOWN_CONTENTION',
      `Cooldown of model ${model} kept changing under ${MAX_RACES} attempts`,
    );
  }

  /** Our job was submitted (or found submitted): the cooldown counts from now. */
  async started(entry: CooldownEntry | undefined): Promise<void> {
    if (!entry) return;
    const started = {
      claimKey: entry.claimKey,
      jobName: entry.jobName,
      startedAt: new Date(this.clock.nowInMs()).toISOString(),
    };
    await this.settle(entry, (record) => ({
      model: record.model,
      started,
      // Someone who took over after our lease keeps their reservation: their lookup will find our job.
      ...(record.submitting && record.submitting.claimKey !== entry.claimKey ? { submitting: record.submitting } : {}),
    }));
  }

  /**
   * The submission failed for now, and may have reached Azure ML all the same (a timeout): our lease ends at once,
   * and whoever comes next looks our job up before going ahead.
   */
  async release(entry: CooldownEntry | undefined): Promise<void> {
    const now = new Date(this.clock.nowInMs()).toISOString();
    await this.settle(entry, (record) =>
      record.submitting?.claimKey === entry?.claimKey
        ? { ...record, submitting: { ...record.submitting!, leaseUntil: now } }
        : undefined,
    );
  }

  /** The service refused the request (a setting is wrong): no job exists, and the reservation goes. */
  async undo(entry: CooldownEntry | undefined): Promise<void> {
    await this.settle(entry, (record) =>
      record.submitting?.claimKey === entry?.claimKey
        ? record.started
          ? { model: record.model, started: record.started }
          : 'remove'
        : undefined,
    );
  }

  private judge(record: CooldownRecord, claimKey: string): CooldownOutcome | undefined {
    const started = record.started;
    if (!started || started.claimKey === claimKey) return undefined;
    const until = Date.parse(started.startedAt) + this.cooldownInMs;
    return this.clock.nowInMs() < until
      ? { kind: 'cooling', started, until: new Date(until).toISOString() }
      : undefined;
  }

  /** Applies `change` (undefined: nothing to change) to the stored record, re-reading when someone wrote between. */
  private async settle(
    entry: CooldownEntry | undefined,
    change: (record: CooldownRecord) => CooldownRecord | 'remove' | undefined,
  ): Promise<void> {
    if (!entry) return;
    const name = this.nameOf(entry.model);
    for (let race = 0; race < MAX_RACES; race++) {
      const current = await this.store.read(name);
      if (!current) return;
      const next = change(readRecord(entry.model, current.value));
      if (next === undefined) return;
      const done =
        next === 'remove'
          ? await this.store.remove(name, current.etag)
          : (await this.store.replace(name, next, current.etag)).ok;
      if (done) return;
    }
  }

  private nameOf(model: string): string {
    return `${this.prefix}cooldowns/${model}.json`;
  }
}

/** The stored record; one written by an earlier version (`{ claimKey, jobName, startedAt }`) is a started job. */
function readRecord(model: string, value: unknown): CooldownRecord {
  const v = (value ?? {}) as Partial<CooldownRecord> & Partial<StartedJob>;
  if (v.started || v.submitting)
    return {
      model,
      ...(v.started ? { started: v.started } : {}),
      ...(v.submitting ? { submitting: v.submitting } : {}),
    };
  if (typeof v.claimKey === 'string' && typeof v.jobName === 'string' && typeof v.startedAt === 'string')
    return { model, started: { claimKey: v.claimKey, jobName: v.jobName, startedAt: v.startedAt } };
  return { model };
}
