import { MrmError } from '../../errors.js';
import type { ProfileSchema } from '../schema.js';
import type { Implementation } from '../../contracts/implementation.js';
import { decodeStoredDocument, encodeStoredDocument, type Unpacker } from '../storedDocument.js';
import { packProfile, unpackProfile } from '../storedProfile.js';
import type { RollupKey } from './types.js';
import { HubTallyBuilder, type HubTally } from './hubTally.js';
import type { CachedBlobOutcome, RollupStore } from './ports.js';

export const HOUR_IN_MS = 3_600_000;

/** The stored roll-up: the hour's tally and exactly which blob versions are in it. */
export interface RollupDocument {
  kind: 'mrm.rollup';
  key: RollupKey;
  /**
   * The blobs merged, in merge order, and the ETag whose profile was merged (blobEtags[i] is blobNames[i]'s). A blob is
   * merged once, whatever the redeliveries. Two arrays rather than an object keyed by name: an hour's 384 names read
   * and write several times faster, and a landed blob's update copies them.
   */
  blobNames: string[];
  blobEtags: string[];
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

/** A stored roll-up (either encoding) for exactly this key, or undefined (missing, unreadable, or another key's). */
export function readRollupDocument(stored: Uint8Array, key: RollupKey): RollupDocument | undefined {
  const decoded = decodeStoredDocument(stored);
  const doc = decoded?.document;
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Partial<RollupDocument>;
  if (d.kind !== 'mrm.rollup' || !d.key || !d.tally || !Array.isArray(d.conflicts)) return undefined;
  const blobs = blobListOf(doc as Record<string, unknown>, decoded!.unpack);
  if (!blobs) return undefined;
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
  if (!t.merged?.exactSums || !Array.isArray(t.skipped)) return undefined;
  const profile = unpackProfile(t.merged.profile, decoded!.unpack);
  if (profile?.schemaId !== key.schemaId) return undefined;
  return {
    kind: 'mrm.rollup',
    key: k,
    ...blobs,
    conflicts: d.conflicts,
    tally: { ...t, merged: { ...t.merged, profile } },
  };
}

/** The ETag whose profile the roll-up holds for this blob, if it holds the blob. */
export function mergedEtagOf(doc: RollupDocument, blobName: string): string | undefined {
  const i = doc.blobNames.indexOf(blobName);
  return i < 0 ? undefined : doc.blobEtags[i];
}

/** Blob name → merged ETag, for readers that look many up. */
export function rollupBlobs(doc: RollupDocument): Map<string, string> {
  return new Map(doc.blobNames.map((name, i) => [name, doc.blobEtags[i]!]));
}

/** The stored blob list: two string arrays of one length, or the name → ETag object of the first roll-ups. */
function blobListOf(
  doc: Record<string, unknown>,
  unpack: Unpacker,
): { blobNames: string[]; blobEtags: string[] } | undefined {
  const blobNames = unpack.strings(doc.blobNames);
  const blobEtags = unpack.strings(doc.blobEtags);
  if (blobNames && blobEtags && blobNames.length === blobEtags.length) return { blobNames, blobEtags };
  const { blobs } = doc;
  if (typeof blobs === 'object' && blobs !== null && !Array.isArray(blobs))
    return { blobNames: Object.keys(blobs), blobEtags: Object.values(blobs) as string[] };
  return undefined;
}

/** The document as stored (storedDocument.ts; `fast` unless told otherwise). */
export function rollupDocumentBytes(doc: RollupDocument, encoding: Implementation = 'fast'): Uint8Array {
  return encodeStoredDocument((pack) => {
    const merged = { ...doc.tally.merged, profile: packProfile(doc.tally.merged.profile, pack) };
    return {
      ...doc,
      blobNames: pack.strings(doc.blobNames),
      blobEtags: pack.strings(doc.blobEtags),
      tally: { ...doc.tally, merged },
    };
  }, encoding);
}

export type RollupMergeOutcome = 'merged' | 'already-merged' | 'conflict';

export interface RollupMergeOptions {
  /** Read-merge-write rounds before giving up (each lost round means another writer's merge landed). Default 64. */
  maxAttempts?: number;
  /** How the roll-up is written (storedDocument.ts); default `fast`. */
  encoding?: Implementation;
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
    const current = stored ? readRollupDocument(stored.bytes, key) : undefined;
    const merged = current && mergedEtagOf(current, blob.name);
    if (merged === blob.etag) return 'already-merged';
    if (current && merged !== undefined && current.conflicts.includes(blob.name)) return 'conflict';
    const next = nextDocument(schema, key, current, blob, outcome);
    // An unreadable document is replaced (its ETag is still the condition, so a concurrent repair is not lost).
    const bytes = rollupDocumentBytes(next, options.encoding);
    const written = await store.write(name, bytes, stored ? { version: stored.version } : 'absent');
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
  if (current && mergedEtagOf(current, blob.name) !== undefined) {
    // Overwritten after its merge: remember it, merge nothing (the hour is folded blob by blob from now on).
    return { ...current, conflicts: [...current.conflicts, blob.name].sort() };
  }
  const builder = new HubTallyBuilder(schema);
  if (current) builder.addTally(current.tally);
  builder.addOutcome(blob.name, outcome);
  return {
    kind: 'mrm.rollup',
    key,
    blobNames: [...(current?.blobNames ?? []), blob.name],
    blobEtags: [...(current?.blobEtags ?? []), blob.etag],
    conflicts: current?.conflicts ?? [],
    tally: builder.tally(),
  };
}
