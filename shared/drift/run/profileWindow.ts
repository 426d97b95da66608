import { MrmError, errorMessage, kindOf } from '../../errors.js';
import type { CaptureBlobRef } from '../../capture/types.js';
import type { DatasetProfile } from '../profile.js';
import type { ProfileSchema } from '../schema.js';
import { foldCaptureBlob, type FoldCaptureOptions } from './foldCaptureBlob.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../contracts/eventContract.js';
import type { CapturedHub } from './types.js';
import type { DriftWindow } from './driftWindow.js';
import { TaskPool } from '../../concurrency/taskPool.js';
import type { BlobProfileKey, CachedBlobOutcome, CaptureSource, Clock, DriftProgress, ProfileCache } from './ports.js';
import { HubTallyBuilder, type SkippedBlob } from './hubTally.js';

/**
 * Bump when the fold's semantics change (body rules, what is counted): cached profiles of older code are ignored.
 * 2: event bodies are read through the event contract scoreEvents reads them with (issue 15).
 */
export const FOLD_VERSION = 2;

/** What, besides the bytes and the schema, decides a blob's profile: the fold's code and the body limit it read with. */
export function foldIdentity(decoder: FoldCaptureOptions | undefined): { foldVersion: number; maxBodyBytes: number } {
  return { foldVersion: FOLD_VERSION, maxBodyBytes: decoder?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES };
}

export type { SkippedBlob };

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
  | { status: 'incomplete'; blobsDone: number; blobsTotal: number }
  /** More to backfill than the caller's limit (profileWindowFromRollups): nothing read, the caller fans out. */
  | { status: 'handover'; blobsPending: number; bytesPending: number; blobsTotal: number };

export interface ProfileWindowRequest {
  schema: ProfileSchema;
  window: DriftWindow;
  /** Blobs read at once. Default 4. */
  concurrency?: number;
  /** Clock time after which no new blob is started (in-flight ones finish). Default: none. */
  deadlineInMs?: number;
  /** Limits of the Capture decoder, and which implementations read the files and bodies (fast by default). */
  decoder?: FoldCaptureOptions;
}

export interface ProfileWindowDeps {
  source: CaptureSource;
  cache: ProfileCache;
  clock: Clock;
  progress: DriftProgress;
}

type Outcome = CachedBlobOutcome & { source: 'read' | 'cache' };

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

  // Exact merges (see ExactProfileMerger): the week's profile is the same as a merge of hourly roll-ups.
  const tallies: Partial<Record<CapturedHub, HubTallyBuilder>> = {};
  const fromCache = { events: 0, scored: 0 } as Record<CapturedHub, number>;
  for (const hub of source.hubs) tallies[hub] = new HubTallyBuilder(schema);

  const concurrency = Math.max(1, request.concurrency ?? 4);
  const maxAhead = concurrency * 4;
  const finished = new Map<number, Outcome>();
  let mergeAt = 0;
  let outOfTime = false;
  let readFailure: { blob: string; error: unknown } | undefined;
  let wake: Array<() => void> = [];

  const profileOne = async (ref: CaptureBlobRef & { hub: CapturedHub }): Promise<Outcome | undefined> => {
    const key: BlobProfileKey = {
      schemaId: schema.id,
      hub: ref.hub,
      blobName: ref.name,
      etag: ref.etag,
      ...foldIdentity(request.decoder),
    };
    const cached = await cache.get(key);
    if (cached) return { ...cached, source: 'cache' };
    let folded;
    try {
      folded = await foldCaptureBlob(source.read(ref), ref.hub, schema, request.decoder);
    } catch (error) {
      // Bad bytes are values (folded.ok false); anything thrown while reading is the store's, or ours. A blob read
      // for now is not a bad blob: the run stops, and the retry finds every blob profiled so far in the cache.
      if (kindOf(error) === 'bug') throw error;
      readFailure ??= { blob: ref.name, error };
      return undefined;
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
      tallies[ref.hub]!.addOutcome(ref.name, outcome);
      if (outcome.source === 'cache') fromCache[ref.hub]++;
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

  // Blobs start in name order, at most `concurrency` at once and at most `maxAhead` past the next one to merge.
  const pool = new TaskPool(concurrency);
  let bug = false;
  const wakeAll = (): void => {
    for (const resume of wake.splice(0)) resume();
  };
  for (let index = 0; index < refs.length; index++) {
    while (index - mergeAt >= maxAhead && !readFailure && !bug)
      await new Promise<void>((resolve) => wake.push(resolve));
    await pool.whenFree();
    if (readFailure) break;
    if (request.deadlineInMs !== undefined && clock.nowInMs() >= request.deadlineInMs) {
      outOfTime = true;
      break;
    }
    await pool.submit(async () => {
      let outcome: Outcome | undefined;
      try {
        outcome = await profileOne(refs[index]!);
      } catch (error) {
        bug = true;
        wakeAll();
        throw error;
      }
      // A read failure stops the run: wake the producer if it waits for this blob's turn to merge.
      if (outcome === undefined) return wakeAll();
      finished.set(index, outcome);
      mergeReady();
    });
  }
  await pool.drain();

  if (readFailure) throw captureReadFailed(readFailure.blob, window.label, readFailure.error);
  if (outOfTime) {
    progress.note(
      `Time budget used up after ${mergeAt} of ${refs.length} blobs; the next run resumes from the cached profiles`,
    );
    return { status: 'incomplete', blobsDone: mergeAt, blobsTotal: refs.length };
  }
  const hubs: Partial<Record<CapturedHub, HubWindow>> = {};
  for (const hub of source.hubs) hubs[hub] = hubWindowOf(tallies[hub]!, counts[hub], fromCache[hub]);
  return { status: 'complete', hubs };
}

/** A hub's window from its tally: `blobs` listed, `fromCache` of them taken from stored profiles. */
export function hubWindowOf(tally: HubTallyBuilder, blobs: number, fromCache: number): HubWindow {
  return {
    profile: tally.profile(),
    blobs,
    folded: tally.folded,
    fromCache,
    skipped: tally.skipped(),
    records: tally.records,
    firstEnqueuedInMs: tally.firstEnqueuedInMs,
    lastEnqueuedInMs: tally.lastEnqueuedInMs,
    unparsedTimes: tally.unparsedTimes,
  };
}

/** A Capture blob that could not be read: retried by the host, unless it is a setting or permission to fix. */
export function captureReadFailed(blob: string, label: string, error: unknown): MrmError {
  return new MrmError(
    kindOf(error) === 'configuration' ? 'configuration' : 'transient',
    'CAPTURE.READ_FAILED',
    `Could not read Capture blob ${blob} of ${label}: ${errorMessage(error)}`,
    { cause: error, detail: { blob } },
  );
}
