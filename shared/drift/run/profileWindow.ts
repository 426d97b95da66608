import { MrmError, errorMessage } from '../../errors.js';
import type { CaptureFileDecoderOptions } from '../../capture/captureFileDecoder.js';
import { CAPTURE_FAILURES } from '../../capture/captureFailures.js';
import type { CaptureBlobRef } from '../../capture/listCaptureBlobs.js';
import { emptyProfile, mergeProfiles, type DatasetProfile } from '../profile.js';
import type { ProfileSchema } from '../schema.js';
import { foldCaptureBlob, type CapturedHub } from './foldCaptureBlob.js';
import type { DriftWindow } from './driftWindow.js';
import type { BlobProfileKey, CachedBlobOutcome, CaptureSource, Clock, DriftProgress, ProfileCache } from './ports.js';

/** Bump when the fold's semantics change (body rules, what is counted): cached profiles of older code are ignored. */
export const FOLD_VERSION = 1;

export interface SkippedBlob {
  name: string;
  /** Stable code, e.g. CAPTURE.TRUNCATED. */
  reason: string;
  message: string;
}

/** One hub's week: the merged profile and what was read to build it. */
export interface HubWindow {
  profile: DatasetProfile;
  blobs: number;
  /** Blobs folded in (read now or taken from the cache). */
  folded: number;
  /** Blobs (folded or skipped) whose outcome came from the cache. */
  fromCache: number;
  skipped: SkippedBlob[];
  records: number;
  firstEnqueuedInMs: number | null;
  lastEnqueuedInMs: number | null;
  unparsedTimes: number;
}

export type ProfileWindowOutcome =
  | { status: 'complete'; hubs: Partial<Record<CapturedHub, HubWindow>> }
  /** The time budget ran out: every blob done so far is cached, the next run resumes from there. */
  | { status: 'incomplete'; blobsDone: number; blobsTotal: number };

export interface ProfileWindowRequest {
  schema: ProfileSchema;
  window: DriftWindow;
  /** Blobs read at once. Default 4. */
  concurrency?: number;
  /** Clock time after which no new blob is started (in-flight ones finish). Default: none. */
  deadlineInMs?: number;
  decoder?: CaptureFileDecoderOptions;
}

export interface ProfileWindowDeps {
  source: CaptureSource;
  cache: ProfileCache;
  clock: Clock;
  progress: DriftProgress;
}

type Outcome = CachedBlobOutcome & { source: 'read' | 'cache'; transient?: boolean };

/**
 * The fold of the weekly drift: list the window's blobs, profile each one (from the cache when its name and ETag
 * were profiled before, else by streaming it), and merge. Merges happen in blob-name order whatever order reads
 * finish in, so a resumed or re-run week gives bit-identical profiles. Memory: one merged profile per hub plus the
 * blobs in flight (a bounded number of finished-but-unmerged profiles waits for a slower predecessor).
 */
export async function profileWindow(
  deps: ProfileWindowDeps,
  request: ProfileWindowRequest,
): Promise<ProfileWindowOutcome> {
  const { source, cache, clock, progress } = deps;
  const { schema, window } = request;
  const refs: Array<CaptureBlobRef & { hub: CapturedHub }> = [];
  const counts = { events: 0, scored: 0 } as Record<CapturedHub, number>;
  for (const hub of source.hubs) {
    const listed: CaptureBlobRef[] = [];
    for await (const blob of source.list(hub, window)) listed.push(blob);
    listed.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const blob of listed) refs.push({ ...blob, hub });
    counts[hub] = listed.length;
  }
  progress.listed(counts);

  const hubs: Partial<Record<CapturedHub, HubWindow>> = {};
  for (const hub of source.hubs) hubs[hub] = emptyHubWindow(schema, counts[hub]);

  const concurrency = Math.max(1, request.concurrency ?? 4);
  const maxAhead = concurrency * 4;
  const finished = new Map<number, Outcome>();
  let next = 0;
  let mergeAt = 0;
  let outOfTime = false;
  let unreadable: unknown;
  let wake: Array<() => void> = [];

  const profileOne = async (ref: CaptureBlobRef & { hub: CapturedHub }): Promise<Outcome> => {
    const key: BlobProfileKey = {
      schemaId: schema.id,
      hub: ref.hub,
      blobName: ref.name,
      etag: ref.etag,
      foldVersion: FOLD_VERSION,
    };
    const cached = await cache.get(key);
    if (cached) return { ...cached, source: 'cache' };
    let folded;
    try {
      folded = await foldCaptureBlob(source.read(ref), ref.hub, schema, request.decoder);
    } catch (error) {
      if (error instanceof MrmError || !isStoreFault(error)) throw error;
      unreadable ??= error;
      // Not cached: a store fault may be gone by the next run.
      return {
        ok: false,
        code: CAPTURE_FAILURES.unreadable,
        message: `Could not read the blob: ${errorMessage(error)}`,
        source: 'read',
        transient: true,
      };
    }
    const outcome: CachedBlobOutcome = folded.ok
      ? { ok: true, ...folded.value }
      : { ok: false, code: folded.error.code, message: folded.error.message };
    try {
      await cache.put(key, outcome);
    } catch (error) {
      progress.note(
        `Could not cache the profile of ${ref.name} (a resumed run will read it again): ${errorMessage(error)}`,
      );
    }
    return { ...outcome, source: 'read' };
  };

  const mergeReady = (): void => {
    while (finished.has(mergeAt)) {
      const outcome = finished.get(mergeAt)!;
      finished.delete(mergeAt);
      const ref = refs[mergeAt]!;
      fold(hubs[ref.hub]!, ref.name, outcome);
      progress.blobDone({
        hub: ref.hub,
        name: ref.name,
        events: outcome.ok ? outcome.profile.events : 0,
        source: outcome.source,
        ...(outcome.ok ? {} : { skipped: { code: outcome.code, message: outcome.message } }),
      });
      mergeAt++;
    }
    const waiting = wake;
    wake = [];
    for (const resume of waiting) resume();
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      while (next < refs.length && next - mergeAt >= maxAhead) await new Promise<void>((resolve) => wake.push(resolve));
      if (next >= refs.length || outOfTime) return;
      if (request.deadlineInMs !== undefined && clock.nowInMs() >= request.deadlineInMs) {
        outOfTime = true;
        return;
      }
      const index = next++;
      finished.set(index, await profileOne(refs[index]!));
      mergeReady();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, refs.length)) }, worker));

  if (outOfTime) {
    progress.note(
      `Time budget used up after ${mergeAt} of ${refs.length} blobs; the next run resumes from the cached profiles`,
    );
    return { status: 'incomplete', blobsDone: mergeAt, blobsTotal: refs.length };
  }
  const unreadableCount = Object.values(hubs).reduce(
    (n, h) => n + h.skipped.filter((s) => s.reason === CAPTURE_FAILURES.unreadable).length,
    0,
  );
  if (refs.length > 0 && unreadableCount === refs.length) {
    throw new MrmError(
      'transient',
      CAPTURE_FAILURES.unreadable,
      `None of the ${refs.length} Capture blobs of ${window.label} could be read: ${errorMessage(unreadable)}`,
      {
        cause: unreadable,
      },
    );
  }
  return { status: 'complete', hubs };
}

function emptyHubWindow(schema: ProfileSchema, blobs: number): HubWindow {
  return {
    profile: emptyProfile(schema),
    blobs,
    folded: 0,
    fromCache: 0,
    skipped: [],
    records: 0,
    firstEnqueuedInMs: null,
    lastEnqueuedInMs: null,
    unparsedTimes: 0,
  };
}

function fold(hub: HubWindow, name: string, outcome: Outcome): void {
  if (outcome.source === 'cache') hub.fromCache++;
  if (!outcome.ok) {
    hub.skipped.push({ name, reason: outcome.code, message: outcome.message });
    return;
  }
  hub.profile = mergeProfiles(hub.profile, outcome.profile);
  hub.folded++;
  hub.records += outcome.records;
  hub.unparsedTimes += outcome.unparsedTimes;
  if (
    outcome.firstEnqueuedInMs !== null &&
    (hub.firstEnqueuedInMs === null || outcome.firstEnqueuedInMs < hub.firstEnqueuedInMs)
  ) {
    hub.firstEnqueuedInMs = outcome.firstEnqueuedInMs;
  }
  if (
    outcome.lastEnqueuedInMs !== null &&
    (hub.lastEnqueuedInMs === null || outcome.lastEnqueuedInMs > hub.lastEnqueuedInMs)
  ) {
    hub.lastEnqueuedInMs = outcome.lastEnqueuedInMs;
  }
}

/** Errors a store raises for I/O (network, HTTP status, missing file), as opposed to bugs in our code. */
function isStoreFault(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { statusCode?: unknown; code?: unknown };
  return (
    e.name === 'RestError' ||
    typeof e.statusCode === 'number' ||
    (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) ||
    e.name === 'AbortError'
  );
}
