/**
 * A stream detector's page, as scoreEvents raises it (shared/stream) and the drift report draws it (shared/drift):
 * here so that neither domain imports the other.
 */
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

/** A page as the alarm log keeps it: the alarm and when the detectors raised it (the clock of the instance). */
export interface StoredAlarm extends StreamAlarm {
  raisedAt: string;
}

/**
 * Where the detectors leave a durable record of every page, for the weekly report's timeline: one JSON line per
 * alarm, appended to one blob per partition per UTC day of raising (`alarms/<yyyy-mm-dd>/<partition>.jsonl`). A
 * detector pages at most once per quiet period, so a day's blob stays small whatever the traffic.
 */
export interface AlarmLog {
  append(partition: string, alarms: readonly StoredAlarm[]): Promise<void>;
}

/** The alarms of a window, read back: at most `limit`, the earliest first; `total` counts them all. */
export interface AlarmHistory {
  readonly description: string;
  between(fromInMs: number, toInMs: number, limit: number): Promise<{ alarms: StoredAlarm[]; total: number }>;
}

/** When an alarm happened: the enqueued time of the event that tipped it, else when it was raised. */
export function alarmTimeInMs(alarm: StoredAlarm): number {
  const enqueued = alarm.enqueuedTime === null ? NaN : Date.parse(alarm.enqueuedTime);
  return Number.isNaN(enqueued) ? Date.parse(alarm.raisedAt) : enqueued;
}
