import { parseIsoTime } from '../time/parseIsoTime.js';

/**
 * Event Hubs Capture writes `EnqueuedTimeUtc` in the .NET US format (`11/16/2016 4:44:11 PM`, month first, 12-hour
 * clock, no zone) although the value is UTC. `Date.parse` would read it as local time, so it is parsed by hand.
 * ISO-8601 strings with an explicit zone are accepted too (some tools re-write Capture files that way).
 */
const US_FORMAT = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?\s*([AP]M)?\s*$/i;

/** Milliseconds since the epoch, or `undefined` when the text is not a Capture time. */
export function parseEnqueuedTimeUtc(text: string): number | undefined {
  const match = US_FORMAT.exec(text);
  if (!match) {
    return parseIsoTime(text);
  }
  const [, month, day, year, hour, minute, second, fraction, meridiem] = match;
  let hours = Number(hour);
  if (meridiem !== undefined) {
    if (hours < 1 || hours > 12) return undefined;
    const pm = meridiem.toUpperCase() === 'PM';
    hours = (hours % 12) + (pm ? 12 : 0);
  } else if (hours > 23) {
    return undefined;
  }
  const monthIndex = Number(month) - 1;
  const dayOfMonth = Number(day);
  const milliseconds = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const time = Date.UTC(Number(year), monthIndex, dayOfMonth, hours, Number(minute), Number(second), milliseconds);
  const check = new Date(time);
  // Date.UTC rolls 2/30 over to 3/2: reject instead of silently moving the event.
  if (
    check.getUTCMonth() !== monthIndex ||
    check.getUTCDate() !== dayOfMonth ||
    Number(minute) > 59 ||
    Number(second) > 59
  ) {
    return undefined;
  }
  return time;
}

/** Formats a time the way Capture does (`11/16/2016 4:44:11 PM`), for the Capture-format writer. */
export function formatEnqueuedTimeUtc(timeInMs: number): string {
  const date = new Date(timeInMs);
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const pad = (value: number): string => String(value).padStart(2, '0');
  return (
    `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ` +
    `${hour12}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`
  );
}
