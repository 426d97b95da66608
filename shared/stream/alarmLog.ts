import type { StreamAlarm } from './streamMonitor.js';

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

export function alarmBlobName(partition: string, raisedAt: string): string {
  return `${ALARM_PREFIX}${raisedAt.slice(0, 10)}/${encodeURIComponent(partition)}.jsonl`;
}

export const ALARM_PREFIX = 'alarms/';

/** When an alarm happened: the enqueued time of the event that tipped it, else when it was raised. */
export function alarmTimeInMs(alarm: StoredAlarm): number {
  const enqueued = alarm.enqueuedTime === null ? NaN : Date.parse(alarm.enqueuedTime);
  return Number.isNaN(enqueued) ? Date.parse(alarm.raisedAt) : enqueued;
}

/** The UTC days (yyyy-mm-dd) whose blobs can hold alarms of [from, to): one day either side for clock skew. */
export function alarmDays(fromInMs: number, toInMs: number): string[] {
  const day = 86_400_000;
  const days: string[] = [];
  for (let t = Math.floor(fromInMs / day) * day - day; t < toInMs + day; t += day)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** The alarms of a blob's lines; a line that is not one (cut short by a failed append) is skipped. */
export function parseAlarmLines(text: string): StoredAlarm[] {
  const out: StoredAlarm[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Partial<StoredAlarm>;
      if (
        typeof value.detector === 'string' &&
        typeof value.partition === 'string' &&
        typeof value.raisedAt === 'string' &&
        !Number.isNaN(Date.parse(value.raisedAt))
      )
        out.push(value as StoredAlarm);
    } catch {
      // Not a line of ours: skipped, the others still count.
    }
  }
  return out;
}
