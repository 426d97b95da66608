import type { CaptureBlobRef } from '../../capture/types.js';
import type { ProfileSchema } from '../schema.js';
import type { DriftWindow } from './driftWindow.js';
import { canonicalEtag } from './blobProfileCacheKey.js';
import type { CaptureSource, DriftProgress, RollupStore } from './ports.js';
import { foldIdentity } from './profileWindow.js';
import type { FoldCaptureOptions } from './foldCaptureBlob.js';
import { hourOf, readRollupDocument, rollupBlobs, rollupName, type RollupDocument } from './rollups.js';
import type { CapturedHub, RollupKey } from './types.js';

export type PendingRef = CaptureBlobRef & { hub: CapturedHub };

/** A window seen through its roll-ups: how many blobs each hub has, and which no roll-up holds yet. */
export interface RollupWindowPlan {
  counts: Record<CapturedHub, number>;
  /** Blobs no usable roll-up holds: to take from the per-blob cache or read (the backfill), in hour order. */
  pending: PendingRef[];
  rollupsUsed: number;
  blobsFromRollups: number;
}

/** One hub's hour with blobs to backfill: the unit the driftBackfill orchestration fans out over. */
export interface PendingHour {
  hub: CapturedHub;
  hourStartInMs: number;
  blobs: number;
  bytes: number;
}

/**
 * Lists the window's blobs hour by hour and reads each hour's roll-up: a roll-up is used when it holds only blobs
 * still listed with the same ETag (and no conflict), and is handed to `onRollup` (to merge, one at a time, so a week
 * of roll-ups is never held at once); its hour's other blobs, and every blob of an hour without a usable roll-up,
 * are pending. Reads only listings and roll-ups, never a Capture blob.
 */
export async function planRollupWindow(
  deps: { source: CaptureSource; rollups: RollupStore; progress: DriftProgress },
  request: { schema: ProfileSchema; window: DriftWindow; decoder?: FoldCaptureOptions | undefined },
  onRollup: (hub: CapturedHub, doc: RollupDocument) => void = () => undefined,
): Promise<RollupWindowPlan> {
  const { source, rollups, progress } = deps;
  const { schema, window } = request;
  const plan: RollupWindowPlan = { counts: { events: 0, scored: 0 }, pending: [], rollupsUsed: 0, blobsFromRollups: 0 };
  for (const hub of source.hubs) {
    const byHour = new Map<number, PendingRef[]>();
    for await (const blob of source.list(hub, window)) {
      const hour = hourOf(blob.windowStartInMs);
      let refs = byHour.get(hour);
      if (!refs) byHour.set(hour, (refs = []));
      refs.push({ ...blob, hub });
      plan.counts[hub]++;
    }
    for (const [hourStartInMs, refs] of [...byHour].sort((a, b) => a[0] - b[0])) {
      const key: RollupKey = { schemaId: schema.id, hub, ...foldIdentity(request.decoder), hourStartInMs };
      const stored = await rollups.read(rollupName(key));
      const doc = stored ? readRollupDocument(stored.bytes, key) : undefined;
      const listed = new Map(refs.map((r) => [r.name, canonicalEtag(r.etag)]));
      const usable =
        doc !== undefined &&
        doc.conflicts.length === 0 &&
        doc.blobNames.every((name, i) => listed.get(name) === doc.blobEtags[i]);
      if (usable) {
        onRollup(hub, doc);
        const inRollup = rollupBlobs(doc);
        plan.blobsFromRollups += inRollup.size;
        plan.rollupsUsed++;
        for (const ref of refs) if (!inRollup.has(ref.name)) plan.pending.push(ref);
      } else {
        if (doc)
          progress.note(`Roll-up ${rollupName(key)} does not match the blobs listed: folding its hour blob by blob`);
        plan.pending.push(...refs);
      }
    }
  }
  return plan;
}

/** The pending blobs by hub and hour, in that order. */
export function pendingHours(pending: ReadonlyArray<PendingRef>): PendingHour[] {
  const hours = new Map<string, PendingHour>();
  for (const ref of pending) {
    const hourStartInMs = hourOf(ref.windowStartInMs);
    const id = `${ref.hub}@${hourStartInMs}`;
    let hour = hours.get(id);
    if (!hour) hours.set(id, (hour = { hub: ref.hub, hourStartInMs, blobs: 0, bytes: 0 }));
    hour.blobs++;
    hour.bytes += ref.sizeInBytes;
  }
  return [...hours.values()].sort((a, b) =>
    a.hub === b.hub ? a.hourStartInMs - b.hourStartInMs : a.hub < b.hub ? -1 : 1,
  );
}
