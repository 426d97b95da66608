import type { BlobProfileKey, CachedBlobOutcome } from './ports.js';

/** A cached per-blob outcome as stored: the key is written back so a stale or foreign entry is never trusted. */
export interface CachedBlobEntry {
  kind: 'mrm.blobProfile';
  key: BlobProfileKey;
  outcome: CachedBlobOutcome;
}

/**
 * Where a blob's profile is cached: readable, unique per (schema, fold version, body limit, hub, blob name, ETag). ETags are
 * quoted hex strings in Azure; anything outside `[A-Za-z0-9._-]` is replaced so the name stays a plain path.
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

/** Reads a stored entry back; `undefined` unless it is a well-formed entry for exactly this key. */
export function readCachedBlobEntry(text: string, key: BlobProfileKey): CachedBlobOutcome | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return undefined;
  }
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
  if (e.outcome.ok === true && (typeof e.outcome.profile !== 'object' || e.outcome.profile?.schemaId !== key.schemaId))
    return undefined;
  if (e.outcome.ok === false && typeof e.outcome.code !== 'string') return undefined;
  return e.outcome;
}

export function cachedBlobEntryText(key: BlobProfileKey, outcome: CachedBlobOutcome): string {
  const entry: CachedBlobEntry = { kind: 'mrm.blobProfile', key, outcome };
  return JSON.stringify(entry);
}
