import {
  dayTokens,
  parseCaptureBlobName,
  renderPrefix,
  type CaptureNameFormat,
  type CaptureToken,
  type CaptureTokenValues,
} from './captureNameFormat.js';
import type { BlobListing } from './ports.js';
import type { CaptureBlobRef } from './types.js';

export interface CaptureListingRequest {
  eventHub: string;
  /** The Event Hubs namespace name; undefined discovers every namespace in the container. */
  namespace?: string;
  /** Blobs whose Capture window starts in [fromInMs, toInMs). */
  fromInMs: number;
  toInMs: number;
}

const DAY_IN_MS = 86_400_000;
const DATE_TOKENS: ReadonlySet<CaptureToken> = new Set(['Year', 'Month', 'Day']);
const DISCOVERABLE: ReadonlySet<CaptureToken> = new Set(['Namespace', 'PartitionId']);

/**
 * Lists only the blobs of one hub in one window, never the whole container: the namespace and partitions are
 * discovered with delimiter listings at their path level, then each partition is listed per day by prefix
 * (`ns/hub/3/2024/01/15/` with the default format). Whatever the token order, the walk renders the longest prefix
 * the known values fix; a token it cannot enumerate is covered by a prefix listing filtered by the name pattern.
 * A blob belongs to the window in which its Capture window starts (its name's time), so weeks never share a file.
 */
export async function* listCaptureBlobs(
  listing: BlobListing,
  format: CaptureNameFormat,
  request: CaptureListingRequest,
): AsyncGenerator<CaptureBlobRef> {
  const days: number[] = [];
  for (let day = Math.floor(request.fromInMs / DAY_IN_MS) * DAY_IN_MS; day < request.toInMs; day += DAY_IN_MS)
    days.push(day);
  const listedPrefixes = new Set<string>();
  const segmentCache = new Map<string, string[]>();
  const yielded = new Set<string>();

  async function segmentsUnder(prefix: string): Promise<string[]> {
    let segments = segmentCache.get(prefix);
    if (!segments) {
      segments = [];
      for await (const child of listing.listPrefixes(prefix)) {
        const segment = child.slice(prefix.length).replace(/\/$/, '');
        if (segment !== '' && !segment.includes('/')) segments.push(segment);
      }
      segmentCache.set(prefix, segments);
    }
    return segments;
  }

  async function* walk(values: CaptureTokenValues): AsyncGenerator<CaptureBlobRef> {
    const { prefix, next, nextIsWholeSegment } = renderPrefix(format, values);
    if (next !== null && DATE_TOKENS.has(next) && values.Year === undefined) {
      for (const day of days) yield* walk({ ...values, ...dayTokens(day) });
      return;
    }
    if (next !== null && DISCOVERABLE.has(next) && nextIsWholeSegment) {
      for (const segment of await segmentsUnder(prefix)) yield* walk({ ...values, [next]: segment });
      return;
    }
    if (listedPrefixes.has(prefix)) return;
    listedPrefixes.add(prefix);
    for await (const blob of listing.listBlobs(prefix)) {
      if (yielded.has(blob.name)) continue;
      const parsed = parseCaptureBlobName(format, blob.name);
      if (!parsed || parsed.eventHub !== request.eventHub) continue;
      if (request.namespace !== undefined && parsed.namespace !== request.namespace) continue;
      if (parsed.windowStartInMs < request.fromInMs || parsed.windowStartInMs >= request.toInMs) continue;
      yielded.add(blob.name);
      yield {
        ...blob,
        eventHub: parsed.eventHub,
        partitionId: parsed.partitionId,
        windowStartInMs: parsed.windowStartInMs,
      };
    }
  }

  const start: CaptureTokenValues = { EventHub: request.eventHub };
  if (request.namespace !== undefined) start.Namespace = request.namespace;
  yield* walk(start);
}
