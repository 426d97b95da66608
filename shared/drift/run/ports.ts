import type { Result } from '../../errors.js';
import type { CaptureBlobRef } from '../../capture/types.js';
import type { DatasetProfile } from '../profile.js';
import type { CapturedHub } from './types.js';
import type { DriftWindow } from './driftWindow.js';

/** Where Capture blobs come from (Azure container or a local folder); listing follows the Capture name format. */
export interface CaptureSource {
  /** Hubs this source has Capture for (each optional: events → data drift, scored → prediction and performance). */
  readonly hubs: ReadonlyArray<CapturedHub>;
  /** The hub's blobs of the window, any order. */
  list(hub: CapturedHub, window: DriftWindow): AsyncIterable<CaptureBlobRef>;
  /**
   * The blob's bytes, streamed. Throws on faults of the store (after its own retries). A chunk is valid until the
   * next one is asked for (see CaptureStore.read).
   */
  read(blob: CaptureBlobRef): AsyncIterable<Uint8Array>;
}

/** Identifies one blob's profile: the same bytes counted on the same schema by the same fold code. */
export interface BlobProfileKey {
  schemaId: string;
  hub: CapturedHub;
  blobName: string;
  etag: string;
  foldVersion: number;
  /** The event contract's body limit the fold read with (MRM_MAX_BODY_BYTES): larger bodies are counted bad. */
  maxBodyBytes: number;
}

/** What is cached per blob: its profile, or why it was skipped (so a resumed run does not read it again). */
export type CachedBlobOutcome =
  | {
      ok: true;
      profile: DatasetProfile;
      records: number;
      firstEnqueuedInMs: number | null;
      lastEnqueuedInMs: number | null;
      unparsedTimes: number;
    }
  | { ok: false; code: string; message: string };

/** Per-blob profiles kept between runs, so a run cut short by its time budget (or a crash) resumes. */
export interface ProfileCache {
  get(key: BlobProfileKey): Promise<CachedBlobOutcome | undefined>;
  put(key: BlobProfileKey, outcome: CachedBlobOutcome): Promise<void>;
}

export const noProfileCache: ProfileCache = { get: async () => undefined, put: async () => undefined };

export type { Clock } from '../../contracts/clock.js';

/** Progress of one run, for logs (function) and the progress bar (CLI). */
export interface DriftProgress {
  /** Every blob of the window has been listed. */
  listed(counts: Record<CapturedHub, number>): void;
  /** One blob was folded, taken from the cache, or skipped. */
  blobDone(event: {
    hub: CapturedHub;
    name: string;
    events: number;
    source: 'read' | 'cache';
    skipped?: { code: string; message: string };
  }): void;
  /** Something worth a log line (a cache write that failed, the budget running out). */
  note(message: string): void;
}

export const silentProgress: DriftProgress = {
  listed: () => undefined,
  blobDone: () => undefined,
  note: () => undefined,
};

/** The week's scoring telemetry, from Log Analytics (AppMetrics); see ScoringTelemetrySource. */
export interface ScoringTelemetry {
  /** Rejected events / events over the window (null when no events were scored). */
  rejectedRate: number | null;
  /** Mean of the per-batch low-confidence rates (null when none was recorded). */
  lowConfidenceRate: number | null;
  /** Events scoreEvents counted in the window. */
  events: number;
}

/** Reads the week's scoring telemetry; an expected failure (no access, throttled) is a value, and the report says so. */
export interface ScoringTelemetrySource {
  /** Where the numbers come from, for the report (e.g. `log-analytics:<workspace id>`). */
  readonly description: string;
  weekTelemetry(window: DriftWindow): Promise<Result<ScoringTelemetry>>;
}

/** Where reports go: `reports/<YYYY>-W<ww>/report.json` and `report.html` beside it, in the function. */
export interface ReportSink {
  write(window: DriftWindow, reportJson: string, html: string): Promise<{ json: string; html: string }>;
}

/** A stored document (either encoding of storedDocument.ts) and the version (ETag) a conditional write must match. */
export interface VersionedBytes {
  bytes: Uint8Array;
  version: string;
}

/** Where roll-ups live, with optimistic concurrency (blob ETags: If-Match, If-None-Match: *). */
export interface RollupStore {
  read(name: string): Promise<VersionedBytes | undefined>;
  /** Writes if the stored version is still `expected` (`absent`: only if nothing is stored); false on a conflict. */
  write(name: string, bytes: Uint8Array, expected: { version: string } | 'absent'): Promise<boolean>;
}

/** Earlier reports, by window label, for the trend: where the ReportSink wrote them. */
export interface ReportHistory {
  /**
   * The parsed report.json of the window labelled `label`; undefined when there is none. A report that is not JSON
   * or a store that fails is a value: the trend lists the window as missing, and the run goes on.
   */
  read(label: string): Promise<Result<unknown>>;
}
