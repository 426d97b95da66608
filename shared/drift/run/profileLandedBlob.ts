import type { CaptureReadOptions } from '../../capture/types.js';
import { parseCaptureBlobName, type CaptureNameFormat } from '../../capture/captureNameFormat.js';
import type { ProfileSchema } from '../schema.js';
import { foldCaptureBlob } from './foldCaptureBlob.js';
import type { CapturedHub } from './types.js';
import { FOLD_VERSION } from './profileWindow.js';
import { canonicalEtag } from './blobProfileCacheKey.js';
import type { BlobProfileKey, CachedBlobOutcome, ProfileCache, RollupStore } from './ports.js';
import { hourOf, mergeIntoRollup, type RollupMergeOutcome } from './rollups.js';

/** Which blobs of the capture container are ours: the name format, the namespace, and each hub's Event Hub. */
export interface CaptureBlobFilter {
  format: CaptureNameFormat;
  /** Undefined: any namespace. */
  namespace?: string | undefined;
  hubNames: Partial<Record<CapturedHub, string>>;
}

export interface LandedBlob {
  name: string;
  etag: string;
  /** The blob's bytes (the trigger's content, or a stream). */
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

export interface LandedBlobDeps {
  cache: ProfileCache;
  rollups: RollupStore;
}

export type LandedBlobOutcome =
  | { status: 'ignored'; reason: string }
  | {
      status: 'profiled';
      hub: CapturedHub;
      /** `cache`: a redelivery, or a blob profiled before (by weeklyDrift's backfill). */
      source: 'read' | 'cache';
      outcome: CachedBlobOutcome;
      rollup: RollupMergeOutcome;
    };

/**
 * Profiles one Capture blob as it lands: fold it into the per-blob profile cache (key: name, ETag, fold version) and
 * merge that into its hub's hourly roll-up. Each step is idempotent, so a redelivered or late event is harmless: the
 * cached profile is reused and a roll-up that already holds the blob is left alone. A blob that does not decode is
 * cached as skipped with its reason (and recorded in the roll-up), and the outcome says so: it is never read again.
 * Store faults throw, so the platform redelivers.
 */
export async function profileLandedBlob(
  deps: LandedBlobDeps,
  request: { schema: ProfileSchema; filter: CaptureBlobFilter; blob: LandedBlob; decoder?: CaptureReadOptions },
): Promise<LandedBlobOutcome> {
  const { schema, filter } = request;
  const blob = { ...request.blob, etag: canonicalEtag(request.blob.etag) };
  const parsed = parseCaptureBlobName(filter.format, blob.name);
  if (!parsed) return { status: 'ignored', reason: `does not follow the Capture name format ${filter.format.text}` };
  if (filter.namespace !== undefined && parsed.namespace !== filter.namespace)
    return { status: 'ignored', reason: `namespace ${parsed.namespace} is not ${filter.namespace}` };
  const hub = (Object.keys(filter.hubNames) as CapturedHub[]).find((h) => filter.hubNames[h] === parsed.eventHub);
  if (hub === undefined) return { status: 'ignored', reason: `Event Hub ${parsed.eventHub} is not monitored` };

  const key: BlobProfileKey = {
    schemaId: schema.id,
    hub,
    blobName: blob.name,
    etag: blob.etag,
    foldVersion: FOLD_VERSION,
  };
  let outcome = await deps.cache.get(key);
  const source = outcome ? 'cache' : 'read';
  if (!outcome) {
    const folded = await foldCaptureBlob(blob.content, hub, schema, request.decoder);
    outcome = folded.ok
      ? { ok: true, ...folded.value }
      : { ok: false, code: folded.error.code, message: folded.error.message };
    await deps.cache.put(key, outcome);
  }
  const rollup = await mergeIntoRollup(
    deps.rollups,
    schema,
    { schemaId: schema.id, hub, foldVersion: FOLD_VERSION, hourStartInMs: hourOf(parsed.windowStartInMs) },
    { name: blob.name, etag: blob.etag },
    outcome,
  );
  return { status: 'profiled', hub, source, outcome, rollup };
}
