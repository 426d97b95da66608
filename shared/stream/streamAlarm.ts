import type { ScoredRecord } from '../contracts/records.js';
import type { BernoulliCusumDesign, CusumState } from './bernoulliCusum.js';
import type { DetectorName, StreamAlarm } from '../contracts/streamAlarms.js';

export { DETECTORS, type DetectorName, type StreamAlarm } from '../contracts/streamAlarms.js';

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
