import { ok, type Result } from '../../errors.js';
import { readCaptureFileViews } from '../../capture/readCaptureFile.js';
import type { CaptureChunks, CaptureReadOptions, CaptureRecordView } from '../../capture/types.js';
import { parseEnqueuedTimeUtc } from '../../capture/enqueuedTime.js';
import { ProfileAccumulator, type ScoredFields } from '../profileAccumulator.js';
import type { DatasetProfile } from '../profile.js';
import type { ProfileSchema } from '../schema.js';
import type { Implementation } from '../../contracts/implementation.js';
import {
  compileEventContract,
  DEFAULT_MAX_BODY_BYTES,
  isScanned,
  type EventContract,
} from '../../contracts/eventContract.js';
import { readJsonObject } from '../../contracts/jsonBody.js';
import { SCORED_REASONS } from '../badBodies.js';
import type { CapturedHub } from './types.js';

export interface FoldCaptureOptions extends CaptureReadOptions {
  /**
   * How event bodies are read, both through the event contract that scoreEvents reads them with. `plain`: UTF-8
   * decoding, JSON.parse and the schema. `fast` (the default): its byte scanner reads the bodies that keep the
   * contract straight into the accumulator's slots and hands every other to the plain path, which decides its reason;
   * a contract suite holds both to the same profile and the same counts.
   */
  bodyDecoding?: Implementation;
  /**
   * Largest event body the contract accepts, in bytes: scoreEvents' MRM_MAX_BODY_BYTES, so that a body it
   * dead-letters as EVENT.TOO_LARGE is counted so here. Default 65,536 (that setting's default).
   */
  maxBodyBytes?: number;
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
 * Event bodies are read through the event contract scoreEvents reads them with: a body it dead-letters is counted
 * here under the same reason (profile `badBodies`), and every body it scores is profiled.
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
  const addBody =
    hub === 'events'
      ? eventBodyFolder(
          accumulator,
          contractOf(schema, options.bodyDecoding ?? 'fast', options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
        )
      : scoredBodyFolder(accumulator);
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

/** The body's JSON object, or undefined after counting why it is not one (the event contract's words for it). */
function parseObject(accumulator: ProfileAccumulator, view: CaptureRecordView): Record<string, unknown> | undefined {
  const body = view.bodyStart < 0 ? undefined : view.block.subarray(view.bodyStart, view.bodyEnd);
  const object = readJsonObject(body, MAX_NAME_LENGTH);
  if (object.ok) return object.value;
  accumulator.addBadBody(object.error.code);
  return undefined;
}

/** How far back readJsonObject looks for the name of a NaN member: the contract's longest string. */
const MAX_NAME_LENGTH = 256;

function hasFeatureObject(value: Record<string, unknown>): value is { features: Record<string, unknown> } {
  const features = value.features;
  return typeof features === 'object' && features !== null && !Array.isArray(features);
}

/**
 * One event contract per schema, decoding and body limit for every blob: a scan and the read of its values are one
 * synchronous step, so folds running side by side can share it. A new scanner per blob changed the type V8 had
 * recorded for its fields when the second blob began, which threw away the fold's optimised code and compiled it
 * again.
 */
const contractsBySchema = new WeakMap<ProfileSchema, Map<string, EventContract>>();

/**
 * The schema's event contract: its features in schema order, which is the accumulator's slot order (a body the
 * scanner reads goes to addScanned as it is).
 */
function contractOf(schema: ProfileSchema, decoding: Implementation, maxBodyBytes: number): EventContract {
  let contracts = contractsBySchema.get(schema);
  if (contracts === undefined) {
    contracts = new Map();
    contractsBySchema.set(schema, contracts);
  }
  const key = `${decoding}:${maxBodyBytes}`;
  let contract = contracts.get(key);
  if (contract === undefined) {
    contract = compileEventContract(schema.features, { maxBodyBytes, decoding });
    contracts.set(key, contract);
  }
  return contract;
}

/** Each body as scoreEvents reads it: folded when it keeps the event contract, else counted under its reason. */
function eventBodyFolder(accumulator: ProfileAccumulator, contract: EventContract): (view: CaptureRecordView) => void {
  const scanned = contract.scanned;
  return (view) => {
    const read = contract.readFeatures(view.block, view.bodyStart, view.bodyEnd);
    if (isScanned(read)) accumulator.addScanned(scanned);
    else if (read.ok) accumulator.addFeatures(read.value.features);
    else accumulator.addBadBody(read.error.code);
  };
}

function scoredBodyFolder(accumulator: ProfileAccumulator): (view: CaptureRecordView) => void {
  return (view) => {
    const record = parseObject(accumulator, view);
    if (record === undefined) return;
    if (record.kind !== 'mrm.scored') {
      accumulator.addBadBody(SCORED_REASONS.notScoredRecord);
      return;
    }
    if (!hasFeatureObject(record)) {
      accumulator.addBadBody(SCORED_REASONS.missingFeatures);
      return;
    }
    accumulator.addScored(record as unknown as ScoredFields);
  };
}
