import { MrmError } from '../../errors.js';
import type { ProfileSchema } from '../schema.js';
import type { RollupKey } from './types.js';
import { HubTallyBuilder, type HubTally } from './hubTally.js';
import type { CachedBlobOutcome, RollupStore } from './ports.js';

export const HOUR_IN_MS = 3_600_000;

/** The stored roll-up: the hour's tally and exactly which blob versions are in it. */
export interface RollupDocument {
  kind: 'mrm.rollup';
  key: RollupKey;
  /** Blob name → the ETag whose profile was merged. A blob is merged once, whatever the redeliveries. */
  blobs: Record<string, string>;
  /**
   * Blobs seen again with another ETag (overwritten after being merged): a merge cannot be taken back, so weeklyDrift
   * does not trust this roll-up and folds the hour blob by blob.
   */
  conflicts: string[];
  tally: HubTally;
}

export function rollupName(key: RollupKey): string {
  const d = new Date(key.hourStartInMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `rollups/${key.schemaId}/v${key.foldVersion}/body-${key.maxBodyBytes}/${key.hub}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}.json`;
}

export function hourOf(timeInMs: number): number {
  return Math.floor(timeInMs / HOUR_IN_MS) * HOUR_IN_MS;
}

/** A stored roll-up for exactly this key, or undefined (missing, unreadable, or another key's). */
export function readRollupDocument(text: string, key: RollupKey): RollupDocument | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Partial<RollupDocument>;
  if (d.kind !== 'mrm.rollup' || !d.key || !d.tally || typeof d.blobs !== 'object' || !Array.isArray(d.conflicts))
    return undefined;
  const k = d.key;
  if (
    k.schemaId !== key.schemaId ||
    k.hub !== key.hub ||
    k.foldVersion !== key.foldVersion ||
    k.maxBodyBytes !== key.maxBodyBytes ||
    k.hourStartInMs !== key.hourStartInMs
  )
    return undefined;
  const t = d.tally;
  if (
    !t.merged?.profile ||
    t.merged.profile.schemaId !== key.schemaId ||
    !t.merged.exactSums ||
    !Array.isArray(t.skipped)
  )
    return undefined;
  return d as RollupDocument;
}

export type RollupMergeOutcome = 'merged' | 'already-merged' | 'conflict';

export interface RollupMergeOptions {
  /** Read-merge-write rounds before giving up (each lost round means another writer's merge landed). Default 64. */
  maxAttempts?: number;
}

/**
 * Merges one blob's outcome into its hour's roll-up: read, merge, write conditionally on the version read; on a
 * conflict (another instance wrote first) read again and redo the merge, so no writer's merge is lost. A blob already
 * in the roll-up with the same ETag is not merged again (redelivery, a backfill after the trigger). Throws a transient
 * ROLLUP.CONTENDED after maxAttempts lost rounds (the invocation fails and the platform redelivers).
 */
export async function mergeIntoRollup(
  store: RollupStore,
  schema: ProfileSchema,
  key: RollupKey,
  blob: { name: string; etag: string },
  outcome: CachedBlobOutcome,
  options: RollupMergeOptions = {},
): Promise<RollupMergeOutcome> {
  const name = rollupName(key);
  const maxAttempts = options.maxAttempts ?? 64;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const stored = await store.read(name);
    const current = stored ? readRollupDocument(stored.text, key) : undefined;
    const merged = current?.blobs[blob.name];
    if (merged === blob.etag) return 'already-merged';
    if (current && merged !== undefined && current.conflicts.includes(blob.name)) return 'conflict';
    const next = nextDocument(schema, key, current, blob, outcome);
    // An unreadable document is replaced (its ETag is still the condition, so a concurrent repair is not lost).
    const written = await store.write(name, JSON.stringify(next), stored ? { version: stored.version } : 'absent');
    if (written) return merged !== undefined ? 'conflict' : 'merged';
  }
  throw new MrmError(
    'transient',
    'ROLLUP.CONTENDED',
    `Could not merge ${blob.name} into roll-up ${name}: ${maxAttempts} conditional writes lost to other writers`,
    { detail: { rollup: name, blob: blob.name } },
  );
}

function nextDocument(
  schema: ProfileSchema,
  key: RollupKey,
  current: RollupDocument | undefined,
  blob: { name: string; etag: string },
  outcome: CachedBlobOutcome,
): RollupDocument {
  if (current && current.blobs[blob.name] !== undefined) {
    // Overwritten after its merge: remember it, merge nothing (the hour is folded blob by blob from now on).
    return { ...current, conflicts: [...current.conflicts, blob.name].sort() };
  }
  const builder = new HubTallyBuilder(schema);
  if (current) builder.addTally(current.tally);
  builder.addOutcome(blob.name, outcome);
  return {
    kind: 'mrm.rollup',
    key,
    blobs: { ...(current?.blobs ?? {}), [blob.name]: blob.etag },
    conflicts: current?.conflicts ?? [],
    tally: builder.tally(),
  };
}
