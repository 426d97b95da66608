import { freshCusum, type CusumState } from './bernoulliCusum.js';
import { freshWindow, type WindowState } from './windowedErrorRule.js';

export const STREAM_STATE_VERSION = 2;
/** Bins of the histogram a learned reference collects (a value in [0, 1]); its edges are the candidate thresholds. */
export const REFERENCE_BINS = 20;

/**
 * A hit-rate detector on an indicator of the stream: its reference (the indicator's threshold and in-control rate,
 * from the baseline or learned from the partition's first events) and one CUSUM walk per direction.
 */
export interface IndicatorState {
  /** While the reference is being learned: counts of the value over REFERENCE_BINS equal bins of [0, 1]. */
  learning: number[] | null;
  reference: { edge: number; rate: number; events: number } | null;
  up: CusumState;
  down: CusumState;
}

/** Confidence-based performance estimation over the current tumbling window (CBPE). */
export interface EstimateWindowState {
  events: number;
  confidenceSum: number;
  /** Σ c(1 − c): the variance of the realised accuracy if the probabilities are calibrated. */
  varianceSum: number;
  labelled: number;
  correct: number;
  firstId: string | null;
  /** A labelled-error detector alarmed during this window: the estimate then stands on a broken premise. */
  conceptDrift: boolean;
}

/** Everything the detectors of one partition remember: small, JSON, bounded whatever the stream's length. */
export interface StreamState {
  version: typeof STREAM_STATE_VERSION;
  profileVersion: string;
  events: number;
  errorWindow: WindowState;
  /** The error walks, one per drop they are tuned to (streamMonitor's DROP_MULTIPLES). */
  errorWalks: CusumState[];
  score: IndicatorState;
  /** The score walks against the baseline's score bins (one per direction and shift; none without the bins). */
  scoreWalks: CusumState[];
  entropy: IndicatorState;
  decisions: IndicatorState;
  estimate: EstimateWindowState;
  /** Per detector and direction (`errorCusum.up`): the partition's event count before which it stays silent. */
  quietUntil: Record<string, number>;
}

/** More walks than any design has: a bound on what a stored state may hold. */
const MAX_WALKS = 8;

export function freshIndicator(reference: IndicatorState['reference']): IndicatorState {
  return {
    learning: reference ? null : new Array<number>(REFERENCE_BINS).fill(0),
    reference,
    up: freshCusum(),
    down: freshCusum(),
  };
}

export const freshEstimateWindow = (): EstimateWindowState => ({
  events: 0,
  confidenceSum: 0,
  varianceSum: 0,
  labelled: 0,
  correct: 0,
  firstId: null,
  conceptDrift: false,
});

export function freshStreamState(
  profileVersion: string,
  references: { score: IndicatorState['reference']; decisions: IndicatorState['reference'] },
  walks: { errorWalks: number; scoreWalks: number },
): StreamState {
  return {
    version: STREAM_STATE_VERSION,
    profileVersion,
    events: 0,
    errorWindow: freshWindow(),
    errorWalks: Array.from({ length: walks.errorWalks }, freshCusum),
    score: freshIndicator(references.score),
    scoreWalks: Array.from({ length: walks.scoreWalks }, freshCusum),
    entropy: freshIndicator(null),
    decisions: freshIndicator(references.decisions),
    estimate: freshEstimateWindow(),
    quietUntil: {},
  };
}

/**
 * A stored state, checked field by field; null when it is not one (of another version, another profile, or not a
 * state at all). Starting afresh is always safe: every walk restarts at zero, the in-control start.
 */
export function parseStreamState(value: unknown, profileVersion: string): StreamState | null {
  if (!isObject(value) || value.version !== STREAM_STATE_VERSION || value.profileVersion !== profileVersion)
    return null;
  if (!isCount(value.events) || !isWindow(value.errorWindow) || !isWalks(value.errorWalks)) return null;
  if (!isIndicator(value.score) || !isIndicator(value.entropy) || !isIndicator(value.decisions)) return null;
  if (!isEstimate(value.estimate)) return null;
  if (!isWalks(value.scoreWalks)) return null;
  const quiet = value.quietUntil;
  if (!isObject(quiet) || Object.keys(quiet).length > 16 || !Object.values(quiet).every(isCount)) return null;
  return value as unknown as StreamState;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFinite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): boolean => v === null || typeof v === 'string';

function isWindow(v: unknown): boolean {
  return isObject(v) && isCount(v.events) && isCount(v.errors) && isId(v.firstId);
}
function isCusum(v: unknown): boolean {
  return isObject(v) && isCount(v.sum) && isCount(v.events) && isCount(v.hits) && isId(v.firstId);
}
function isWalks(v: unknown): boolean {
  return Array.isArray(v) && v.length <= MAX_WALKS && v.every(isCusum);
}
function isIndicator(v: unknown): boolean {
  if (!isObject(v) || !isCusum(v.up) || !isCusum(v.down)) return false;
  const learning = v.learning;
  const learningOk =
    learning === null || (Array.isArray(learning) && learning.length === REFERENCE_BINS && learning.every(isCount));
  const reference = v.reference;
  const referenceOk =
    reference === null ||
    (isObject(reference) &&
      isFinite(reference.edge) &&
      isFinite(reference.rate) &&
      (reference.rate as number) > 0 &&
      (reference.rate as number) < 1 &&
      isCount(reference.events));
  return learningOk && referenceOk && (learning === null) !== (reference === null);
}
function isEstimate(v: unknown): boolean {
  return (
    isObject(v) &&
    isCount(v.events) &&
    isFinite(v.confidenceSum) &&
    isFinite(v.varianceSum) &&
    isCount(v.labelled) &&
    isCount(v.correct) &&
    isId(v.firstId) &&
    typeof v.conceptDrift === 'boolean'
  );
}
