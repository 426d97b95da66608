import { errorMessage, kindOf } from '../../errors.js';
import { TaskPool } from '../../concurrency/taskPool.js';
import { foldCaptureBlob } from './foldCaptureBlob.js';
import type { CapturedHub } from './types.js';
import { HubTallyBuilder } from './hubTally.js';
import { canonicalEtag } from './blobProfileCacheKey.js';
import type { BlobProfileKey, CachedBlobOutcome, RollupStore } from './ports.js';
import {
  foldIdentity,
  captureReadFailed,
  hubWindowOf,
  type HubWindow,
  type ProfileWindowDeps,
  type ProfileWindowOutcome,
  type ProfileWindowRequest,
} from './profileWindow.js';
import { hourOf, mergeIntoRollup } from './rollups.js';
import { planRollupWindow, type PendingRef } from './rollupPlan.js';

export interface RollupWindowDeps extends ProfileWindowDeps {
  rollups: RollupStore;
}

export interface RollupWindowRequest extends ProfileWindowRequest {
  /**
   * Hand the window over instead of backfilling when the blobs no roll-up holds add up to more than this (bytes):
   * nothing is read, and the outcome says how much is pending (weeklyDrift starts the driftBackfill orchestration).
   */
  handOverAboveBytes?: number;
}

type Ref = PendingRef;

/**
 * The window's profiles from hourly roll-ups: list the window's blobs, take each hour's roll-up when it holds only
 * blobs still listed with the same ETag, and fold the rest one by one (from the per-blob cache, else by reading them:
 * the backfill of blobs written while the trigger was off), merging them into their roll-ups for the next run. Every
 * merge is exact, so the outcome equals profileWindow's full fold of every blob, to the bit; only `fromCache` counts
 * blobs taken from stored profiles (roll-ups included). A roll-up that is unreadable, holds blobs no longer listed
 * or overwritten since, is ignored and its hour folded blob by blob.
 */
export async function profileWindowFromRollups(
  deps: RollupWindowDeps,
  request: RollupWindowRequest,
): Promise<ProfileWindowOutcome> {
  const { source, cache, rollups, clock, progress } = deps;
  const { schema, window } = request;
  const fromCache = { events: 0, scored: 0 } as Record<CapturedHub, number>;
  const tallies: Partial<Record<CapturedHub, HubTallyBuilder>> = {};
  for (const hub of source.hubs) tallies[hub] = new HubTallyBuilder(schema);

  const plan = await planRollupWindow(
    { source, rollups, progress },
    { schema, window, decoder: request.decoder },
    (hub, doc) => {
      tallies[hub]!.addTally(doc.tally);
      fromCache[hub] += doc.blobNames.length;
    },
  );
  const { counts, pending: backfill } = plan;
  progress.listed(counts);
  progress.note(
    `${plan.blobsFromRollups} blobs from ${plan.rollupsUsed} hourly roll-ups; ${backfill.length} to take from the per-blob cache or read`,
  );
  const bytesPending = backfill.reduce((n, ref) => n + ref.sizeInBytes, 0);
  if (request.handOverAboveBytes !== undefined && bytesPending > request.handOverAboveBytes)
    return {
      status: 'handover',
      blobsPending: backfill.length,
      bytesPending,
      blobsTotal: counts.events + counts.scored,
    };

  const concurrency = Math.max(1, request.concurrency ?? 4);
  let done = 0;
  let outOfTime = false;
  let readFailure: { blob: string; error: unknown } | undefined;

  const profileOne = async (ref: Ref): Promise<void> => {
    const key: BlobProfileKey = {
      schemaId: schema.id,
      hub: ref.hub,
      blobName: ref.name,
      etag: ref.etag,
      ...foldIdentity(request.decoder),
    };
    let outcome = await cache.get(key);
    const fromStore = outcome !== undefined;
    if (!outcome) {
      let folded;
      try {
        folded = await foldCaptureBlob(source.read(ref), ref.hub, schema, request.decoder);
      } catch (error) {
        if (kindOf(error) === 'bug') throw error;
        readFailure ??= { blob: ref.name, error };
        return;
      }
      const fresh: CachedBlobOutcome = folded.ok
        ? { ok: true, ...folded.value }
        : { ok: false, code: folded.error.code, message: folded.error.message };
      outcome = fresh;
      try {
        await cache.put(key, fresh);
      } catch (error) {
        progress.note(
          `Could not cache the profile of ${ref.name} (a resumed run will read it again): ${errorMessage(error)}`,
        );
      }
    }
    try {
      // So the next run (daily, weekly) finds this hour whole in its roll-up.
      await mergeIntoRollup(
        rollups,
        schema,
        {
          schemaId: schema.id,
          hub: ref.hub,
          ...foldIdentity(request.decoder),
          hourStartInMs: hourOf(ref.windowStartInMs),
        },
        { name: ref.name, etag: canonicalEtag(ref.etag) },
        outcome,
      );
    } catch (error) {
      if (kindOf(error) === 'bug') throw error;
      progress.note(
        `Could not merge ${ref.name} into its roll-up (the next run folds it again): ${errorMessage(error)}`,
      );
    }
    tallies[ref.hub]!.addOutcome(ref.name, outcome);
    if (fromStore) fromCache[ref.hub]++;
    done++;
    progress.blobDone({
      hub: ref.hub,
      name: ref.name,
      events: outcome.ok ? outcome.profile.events : 0,
      source: fromStore ? 'cache' : 'read',
      ...(outcome.ok ? {} : { skipped: { code: outcome.code, message: outcome.message } }),
    });
  };

  // The shared pool: a blob starts only when a slot is free, so the deadline is checked as late as it can be.
  const pool = new TaskPool(Math.max(1, concurrency));
  for (const ref of backfill) {
    await pool.whenFree();
    if (readFailure) break;
    if (request.deadlineInMs !== undefined && clock.nowInMs() >= request.deadlineInMs) {
      outOfTime = true;
      break;
    }
    await pool.submit(() => profileOne(ref));
  }
  await pool.drain();

  if (readFailure) throw captureReadFailed(readFailure.blob, window.label, readFailure.error);
  const total = counts.events + counts.scored;
  if (outOfTime) {
    progress.note(
      `Time budget used up after ${done} of ${backfill.length} blobs to backfill; the next run resumes from the cached profiles and roll-ups`,
    );
    return { status: 'incomplete', blobsDone: total - backfill.length + done, blobsTotal: total };
  }
  const hubs: Partial<Record<CapturedHub, HubWindow>> = {};
  for (const hub of source.hubs) hubs[hub] = hubWindowOf(tallies[hub]!, counts[hub], fromCache[hub]);
  return { status: 'complete', hubs };
}
