import { ExactProfileMerger, type ExactProfileState } from '../exactProfileMerge.js';
import type { ProfileSchema } from '../schema.js';
import type { CachedBlobOutcome } from './ports.js';

export interface SkippedBlob {
  name: string;
  /** Stable code, e.g. CAPTURE.TRUNCATED. */
  reason: string;
  message: string;
}

/**
 * What a set of blobs of one hub adds up to, as stored in an hourly roll-up: every field merges exactly (integers,
 * min/max, exact sums), so tallies of any grouping of the same blobs are equal to the bit.
 */
export interface HubTally {
  merged: ExactProfileState;
  /** Blobs folded in. */
  folded: number;
  skipped: SkippedBlob[];
  records: number;
  firstEnqueuedInMs: number | null;
  lastEnqueuedInMs: number | null;
  unparsedTimes: number;
}

/** Builds a HubTally from per-blob outcomes and other tallies, in any order. */
export class HubTallyBuilder {
  private readonly merger: ExactProfileMerger;
  folded = 0;
  records = 0;
  unparsedTimes = 0;
  firstEnqueuedInMs: number | null = null;
  lastEnqueuedInMs: number | null = null;
  private readonly skippedBlobs: SkippedBlob[] = [];

  constructor(schema: ProfileSchema) {
    this.merger = new ExactProfileMerger(schema);
  }

  addOutcome(name: string, outcome: CachedBlobOutcome): void {
    if (!outcome.ok) {
      this.skippedBlobs.push({ name, reason: outcome.code, message: outcome.message });
      return;
    }
    this.merger.add(outcome.profile);
    this.count(1, outcome.records, outcome.unparsedTimes, outcome.firstEnqueuedInMs, outcome.lastEnqueuedInMs);
  }

  addTally(tally: HubTally): void {
    this.merger.addState(tally.merged);
    this.skippedBlobs.push(...tally.skipped);
    this.count(tally.folded, tally.records, tally.unparsedTimes, tally.firstEnqueuedInMs, tally.lastEnqueuedInMs);
  }

  /** The merged profile, sums rounded once. */
  profile() {
    return this.merger.profile();
  }

  /** Skipped blobs in name order (the order of a fold in blob-name order). */
  skipped(): SkippedBlob[] {
    return [...this.skippedBlobs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  tally(): HubTally {
    return {
      merged: this.merger.state(),
      folded: this.folded,
      skipped: this.skipped(),
      records: this.records,
      firstEnqueuedInMs: this.firstEnqueuedInMs,
      lastEnqueuedInMs: this.lastEnqueuedInMs,
      unparsedTimes: this.unparsedTimes,
    };
  }

  private count(
    folded: number,
    records: number,
    unparsedTimes: number,
    first: number | null,
    last: number | null,
  ): void {
    this.folded += folded;
    this.records += records;
    this.unparsedTimes += unparsedTimes;
    if (first !== null && (this.firstEnqueuedInMs === null || first < this.firstEnqueuedInMs))
      this.firstEnqueuedInMs = first;
    if (last !== null && (this.lastEnqueuedInMs === null || last > this.lastEnqueuedInMs)) this.lastEnqueuedInMs = last;
  }
}
