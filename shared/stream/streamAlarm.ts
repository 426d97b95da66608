import type { ScoredRecord } from '../contracts/records.js';
import type { BernoulliCusumDesign, CusumState } from './bernoulliCusum.js';

export type DetectorName = 'errorWindow' | 'errorCusum' | 'score' | 'entropy' | 'decisions' | 'estimatedAccuracy';
export const DETECTORS: readonly DetectorName[] = [
  'errorWindow',
  'errorCusum',
  'score',
  'entropy',
  'decisions',
  'estimatedAccuracy',
];

/** What an on-call engineer is paged with: which detector, how far past its threshold, on what numbers, since when. */
export interface StreamAlarm {
  detector: DetectorName;
  direction: 'up' | 'down';
  partition: string;
  /** The CUSUM's sum, the window's errors, or the estimated accuracy. */
  statistic: number;
  threshold: number;
  /** The evidence: the events since the walk left zero (or the window), how many were hits, against which rate. */
  window: { events: number; hits: number; rate: number; baseRate: number };
  /** The event that started the evidence, and the one that tipped it. */
  firstEventId: string | null;
  lastEventId: string;
  enqueuedTime: string | null;
  /** Events of the partition seen by this state when it fired. */
  atEvent: number;
}

/** Estimated accuracy of one window from the model's own probabilities, beside the realised one when labels came. */
export interface AccuracyEstimate {
  partition: string;
  events: number;
  estimatedAccuracy: number;
  standardError: number;
  /** What the model's probabilities promised on the held-out rows (the like-for-like reference). */
  expectedAccuracy: number | null;
  labelled: number;
  realisedAccuracy: number | null;
  valid: boolean;
  invalidBecause: string[];
  firstEventId: string | null;
}

export interface StreamObservation {
  alarms: StreamAlarm[];
  estimates: AccuracyEstimate[];
}

export function cusumAlarm(
  detector: DetectorName,
  direction: 'up' | 'down',
  walk: CusumState,
  design: BernoulliCusumDesign,
  partition: string,
  r: ScoredRecord,
  atEvent: number,
): StreamAlarm {
  return walkAlarm(detector, direction, walk, design.threshold, design.baseRate, partition, r, atEvent);
}

/** The page of a walk that reached its threshold: its excursion's events, hits among them against the base rate. */
export function walkAlarm(
  detector: DetectorName,
  direction: 'up' | 'down',
  walk: CusumState,
  threshold: number,
  baseRate: number,
  partition: string,
  r: ScoredRecord,
  atEvent: number,
): StreamAlarm {
  return {
    detector,
    direction,
    partition,
    statistic: walk.sum,
    threshold,
    window: {
      events: walk.events,
      hits: walk.hits,
      rate: walk.events > 0 ? walk.hits / walk.events : 0,
      baseRate,
    },
    firstEventId: walk.firstId,
    lastEventId: r.id,
    enqueuedTime: r.enqueuedTime,
    atEvent,
  };
}
