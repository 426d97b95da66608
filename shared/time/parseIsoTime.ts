export interface IsoTimeRules {
  /** Accept a date alone (`2024-01-15`), read as midnight UTC. Default false. */
  dateAlone?: boolean;
  /** Accept a date-time without a zone, read as UTC. Default false: a date-time carries `Z` or an offset. */
  zoneless?: boolean;
}

/** Date, then optionally `T` (or a space, as RFC 3339 allows) and hh:mm[:ss[.fraction]], then optionally a zone. */
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The one ISO-8601 reader: milliseconds since the epoch, or undefined when `text` is not a date-time on the calendar
 * and the clock (Date.parse alone takes 2024-02-30 as March 1st, 24:00 as the next day, and a zoneless date-time as
 * the machine's local time). Fractions below the millisecond are cut, as Date.parse cuts them.
 */
export function parseIsoTime(text: string, rules: IsoTimeRules = {}): number | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, z, sign, zh, zm] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth) return undefined;
  if (h === undefined) return rules.dateAlone ? utc(year, month, day, 0, 0, 0, 0) : undefined;
  if (z === undefined && sign === undefined && !rules.zoneless) return undefined;
  const [hours, minutes, seconds] = [Number(h), Number(mi), Number(s ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const offsetInMinutes = sign === undefined ? 0 : Number(zh) * 60 + Number(zm);
  if (sign !== undefined && (Number(zh) > 23 || Number(zm) > 59)) return undefined;
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const local = utc(year, month, day, hours, minutes, seconds, milliseconds);
  return sign === '-' ? local + offsetInMinutes * 60_000 : local - offsetInMinutes * 60_000;
}

function utc(year: number, month: number, day: number, h: number, mi: number, s: number, ms: number): number {
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear takes the year as written.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}
