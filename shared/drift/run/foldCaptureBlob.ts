import { ok, type Result } from '../../errors.js';
import { readCaptureFileViews } from '../../capture/readCaptureFile.js';
import type { CaptureChunks, CaptureReadOptions, CaptureRecordView } from '../../capture/types.js';
import { parseEnqueuedTimeUtc } from '../../capture/enqueuedTime.js';
import { ProfileAccumulator, type ScoredFields } from '../profileAccumulator.js';
import type { DatasetProfile } from '../profile.js';
import type { ProfileSchema } from '../schema.js';
import type { Implementation } from '../../contracts/implementation.js';
import { EventBodyScanner } from './fast/eventBodyScanner.js';
import type { CapturedHub } from './types.js';

/**
 * Reasons a body is not folded, counted per reason in the report. The EVENT.* codes are the event contract's (the
 * dead letters of scoreEvents use the same words); feature-level type errors are not bodies' faults here: the
 * profile counts such values as missing, and the report's missing rate shows them.
 */
export const BODY_REASONS = {
  empty: 'EVENT.EMPTY',
  notJson: 'EVENT.NOT_JSON',
  notObject: 'EVENT.NOT_OBJECT',
  missingFeatures: 'EVENT.MISSING_FEATURES',
  notScoredRecord: 'SCORED.NOT_SCORED_RECORD',
} as const;

export interface FoldCaptureOptions extends CaptureReadOptions {
  /**
   * How event bodies are read. `plain`: JSON.parse of the body's UTF-8 text. `fast` (the default): a byte scanner
   * (fast/eventBodyScanner.ts) reads well-formed bodies into the accumulator's slots and hands every other to the plain
   * path, which decides its reason; a contract suite holds both to the same profile.
   */
  bodyDecoding?: Implementation;
}

/** What one Capture blob contributes to the week. */
export interface BlobFold {
  profile: DatasetProfile;
  /** Avro records read (good and bad bodies). */
  records: number;
  /** Earliest and latest EnqueuedTimeUtc of the blob (null when it has no records). */
  firstEnqueuedInMs: number | null;
  lastEnqueuedInMs: number | null;
  /** Records whose EnqueuedTimeUtc did not parse (they still count). */
  unparsedTimes: number;
}

/**
 * Streams one Capture blob into a profile: decode block by block, read each body per the hub's contract, fold it.
 * A blob that fails to decode yields the decoder's failure (the caller skips it whole, never a partial profile).
 */
export async function foldCaptureBlob(
  chunks: CaptureChunks,
  hub: CapturedHub,
  schema: ProfileSchema,
  options: FoldCaptureOptions = {},
): Promise<Result<BlobFold>> {
  const accumulator = new ProfileAccumulator(schema);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let unparsedTimes = 0;
  let lastTimeText = '';
  const scanner = (options.bodyDecoding ?? 'fast') === 'fast' ? scannerOf(schema, accumulator) : undefined;
  const addBody = hub === 'events' ? eventBodyFolder(accumulator, scanner) : scoredBodyFolder(accumulator);
  const onView = (view: CaptureRecordView): void => {
    // Records of one file share a handful of distinct seconds (the decoder reuses their strings): parse each once.
    const timeText = view.enqueuedTimeUtc;
    if (timeText !== lastTimeText) {
      lastTimeText = timeText;
      const time = parseEnqueuedTimeUtc(timeText);
      if (time === undefined) {
        unparsedTimes++;
        lastTimeText = '';
      } else {
        if (time < first) first = time;
        if (time > last) last = time;
      }
    }
    addBody(view);
  };
  try {
    const summary = await readCaptureFileViews(chunks, onView, options);
    if (!summary.ok) return summary;
    return ok({
      profile: accumulator.toProfile(),
      records: summary.value.records,
      firstEnqueuedInMs: Number.isFinite(first) ? first : null,
      lastEnqueuedInMs: Number.isFinite(last) ? last : null,
      unparsedTimes,
    });
  } finally {
    // The profile is a copy: the accumulator's dense buffers go to the next blob's.
    accumulator.release();
  }
}

/** The body's JSON object, or undefined after counting why it is not one. */
function parseObject(accumulator: ProfileAccumulator, view: CaptureRecordView): Record<string, unknown> | undefined {
  if (view.bodyStart < 0 || view.bodyEnd === view.bodyStart) {
    accumulator.addBadBody(BODY_REASONS.empty);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(view.block.toString('utf8', view.bodyStart, view.bodyEnd));
  } catch {
    accumulator.addBadBody(BODY_REASONS.notJson);
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    accumulator.addBadBody(BODY_REASONS.notObject);
    return undefined;
  }
  return parsed as Record<string, unknown>;
}

function hasFeatureObject(value: Record<string, unknown>): value is { features: Record<string, unknown> } {
  const features = value.features;
  return typeof features === 'object' && features !== null && !Array.isArray(features);
}

/**
 * One body scanner per schema for every blob: a scan and the read of its values are one synchronous step, so folds
 * running side by side can share it. A new scanner per blob changed the type V8 had recorded for its fields when the
 * second blob began, which threw away the fold's optimised code and compiled it again.
 */
const scannerBySchema = new WeakMap<ProfileSchema, EventBodyScanner>();

/** The schema's scanner, built for the slots of its accumulators (the same for every accumulator of the schema). */
function scannerOf(schema: ProfileSchema, accumulator: ProfileAccumulator): EventBodyScanner {
  let scanner = scannerBySchema.get(schema);
  if (scanner === undefined) {
    scanner = new EventBodyScanner(accumulator.featureNames);
    scannerBySchema.set(schema, scanner);
  }
  return scanner;
}

function eventBodyFolder(
  accumulator: ProfileAccumulator,
  scanner: EventBodyScanner | undefined,
): (view: CaptureRecordView) => void {
  return (view) => {
    // Well-formed bodies take the scanner; anything it does not vouch for gets JSON.parse and a reason.
    if (scanner !== undefined && view.bodyStart >= 0 && scanner.scan(view.block, view.bodyStart, view.bodyEnd)) {
      accumulator.addScanned(scanner.values);
      return;
    }
    const event = parseObject(accumulator, view);
    if (event === undefined) return;
    if (!hasFeatureObject(event)) {
      accumulator.addBadBody(BODY_REASONS.missingFeatures);
      return;
    }
    accumulator.addFeatures(event.features);
  };
}

function scoredBodyFolder(accumulator: ProfileAccumulator): (view: CaptureRecordView) => void {
  return (view) => {
    const record = parseObject(accumulator, view);
    if (record === undefined) return;
    if (record.kind !== 'mrm.scored') {
      accumulator.addBadBody(BODY_REASONS.notScoredRecord);
      return;
    }
    if (!hasFeatureObject(record)) {
      accumulator.addBadBody(BODY_REASONS.missingFeatures);
      return;
    }
    accumulator.addScored(record as unknown as ScoredFields);
  };
}
