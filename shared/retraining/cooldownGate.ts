import { MrmError } from '../errors.js';
import type { Clock, StateStore } from './ports.js';

/** The last retraining started for a model. */
export interface CooldownRecord {
  model: string;
  claimKey: string;
  jobName: string;
  startedAt: string;
}

export type CooldownOutcome =
  | { kind: 'cooling'; holder: CooldownRecord; until: string }
  /** Passed: `entry` undoes our write if the submission fails for a configuration error. */
  | { kind: 'passed'; entry: CooldownEntry | undefined };

export interface CooldownEntry {
  model: string;
  etag: string;
  previous: CooldownRecord | undefined;
}

const MAX_RACES = 16;

/**
 * One retraining per model per cooldown. Entering reads the model's record and replaces it conditionally on its ETag
 * (or creates it with If-None-Match), so of concurrent distinct alerts exactly one passes and the others, re-reading,
 * find it cooling. The claim that holds the cooldown passes again, which is what lets a crashed call's retry finish.
 */
export class CooldownGate {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
    private readonly cooldownInMs: number,
    private readonly prefix: string,
  ) {}

  async enter(model: string, claimKey: string, jobName: string): Promise<CooldownOutcome> {
    if (this.cooldownInMs <= 0) return { kind: 'passed', entry: undefined };
    const name = this.nameOf(model);
    for (let race = 0; race < MAX_RACES; race++) {
      const now = this.clock.now();
      const current = await this.store.read(name);
      const holder = current?.value as CooldownRecord | undefined;
      if (current && holder) {
        if (holder.claimKey === claimKey) return { kind: 'passed', entry: undefined };
        const until = Date.parse(holder.startedAt) + this.cooldownInMs;
        if (now.getTime() < until) return { kind: 'cooling', holder, until: new Date(until).toISOString() };
      }
      const next: CooldownRecord = { model, claimKey, jobName, startedAt: now.toISOString() };
      const written = current
        ? await this.store.replace(name, next, current.etag)
        : await this.store.create(name, next);
      if (written.ok) return { kind: 'passed', entry: { model, etag: written.etag, previous: holder } };
    }
    throw new MrmError(
      'transient',
      'RETRAIN.COOLDOWN_CONTENTION',
      `Cooldown of model ${model} kept changing under ${MAX_RACES} attempts`,
    );
  }

  /** Puts back what was there before our entry, unless someone has moved on since. */
  async undo(entry: CooldownEntry | undefined): Promise<void> {
    if (!entry) return;
    const name = this.nameOf(entry.model);
    if (entry.previous) await this.store.replace(name, entry.previous, entry.etag);
    else await this.store.remove(name, entry.etag);
  }

  private nameOf(model: string): string {
    return `${this.prefix}cooldowns/${model}.json`;
  }
}
