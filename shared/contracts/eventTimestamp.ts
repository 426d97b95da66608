const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * Whether an event's `timestamp` is an ISO-8601 date or date-time that is on the calendar and the clock: Date.parse
 * alone takes 2026-02-30 (as March 2nd) and 24:00.
 */
export function isEventTimestamp(text: string): boolean {
  const m = ISO_8601.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth) return false;
  return (
    below(m[4], 24) &&
    below(m[5], 60) &&
    below(m[6], 60) &&
    below(m[7], 24) &&
    below(m[8], 60) &&
    !Number.isNaN(Date.parse(text))
  );
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function below(value: string | undefined, limit: number): boolean {
  return value === undefined || Number(value) < limit;
}
