/** Where the alarm log keeps its lines (shared/adapters/blobAlarmLog.ts), and reading them back. */
import type { StoredAlarm } from '../contracts/streamAlarms.js';

export { alarmTimeInMs, type AlarmHistory, type AlarmLog, type StoredAlarm } from '../contracts/streamAlarms.js';

export function alarmBlobName(partition: string, raisedAt: string): string {
  return `${ALARM_PREFIX}${raisedAt.slice(0, 10)}/${encodeURIComponent(partition)}.jsonl`;
}

export const ALARM_PREFIX = 'alarms/';

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
