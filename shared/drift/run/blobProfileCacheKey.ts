import type { Implementation } from '../../contracts/implementation.js';
import { decodeStoredDocument, encodeStoredDocument } from '../storedDocument.js';
import { packProfile, unpackProfile } from '../storedProfile.js';
import type { BlobProfileKey, CachedBlobOutcome } from './ports.js';

/** A cached per-blob outcome as stored: the key is written back so a stale or foreign entry is never trusted. */
export interface CachedBlobEntry {
  kind: 'mrm.blobProfile';
  key: BlobProfileKey;
  outcome: CachedBlobOutcome;
}

/**
 * Where a blob's profile is cached: readable, unique per (schema, fold version, body limit, hub, blob name, ETag). ETags
 * are quoted hex strings in Azure; anything outside `[A-Za-z0-9._-]` is replaced so the name stays a plain path. The
 * `.json` of the first entries stays so they are still found; the content says its encoding (storedDocument.ts).
 */
export function blobProfileCacheName(key: BlobProfileKey): string {
  const etag = key.etag
    .replace(/^W\//, '')
    .replace(/"/g, '')
    .replace(/[^A-Za-z0-9._-]/g, '_');
  return `profiles/${key.schemaId}/v${key.foldVersion}/body-${key.maxBodyBytes}/${key.hub}/${key.blobName}@${etag}.json`;
}

/**
 * An ETag without its weak marker and quotes: listings give `0x8D…`, response headers `"0x8D…"` (the blob trigger
 * and a listing must find the same cached profile).
 */
export function canonicalEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Reads a stored entry back (either encoding); `undefined` unless it is a well-formed entry for exactly this key. */
export function readCachedBlobEntry(stored: Uint8Array, key: BlobProfileKey): CachedBlobOutcome | undefined {
  const decoded = decodeStoredDocument(stored);
  const entry = decoded?.document;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const e = entry as Partial<CachedBlobEntry>;
  if (e.kind !== 'mrm.blobProfile' || !e.key || !e.outcome) return undefined;
  const k = e.key;
  if (
    k.schemaId !== key.schemaId ||
    k.hub !== key.hub ||
    k.blobName !== key.blobName ||
    canonicalEtag(k.etag) !== canonicalEtag(key.etag) ||
    k.foldVersion !== key.foldVersion ||
    k.maxBodyBytes !== key.maxBodyBytes
  )
    return undefined;
  if (e.outcome.ok === false) return typeof e.outcome.code === 'string' ? e.outcome : undefined;
  if (e.outcome.ok !== true) return undefined;
  const profile = unpackProfile(e.outcome.profile, decoded!.unpack);
  if (profile?.schemaId !== key.schemaId) return undefined;
  return { ...e.outcome, profile };
}

/** The entry as stored (storedDocument.ts; `fast` unless told otherwise). */
export function cachedBlobEntryBytes(
  key: BlobProfileKey,
  outcome: CachedBlobOutcome,
  encoding: Implementation = 'fast',
): Uint8Array {
  return encodeStoredDocument(
    (pack) => ({
      kind: 'mrm.blobProfile',
      key,
      outcome: outcome.ok ? { ...outcome, profile: packProfile(outcome.profile, pack) } : outcome,
    }),
    encoding,
  );
}
