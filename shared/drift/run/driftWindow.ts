/** The time span a drift report covers: events whose Capture window starts in [fromInMs, toInMs), UTC. */
export interface DriftWindow {
  fromInMs: number;
  toInMs: number;
  /** Names the report folder: the ISO week of a weekly window (`2024-W03`), the date of a daily one (`2024-01-21`). */
  label: string;
}

const DAY_IN_MS = 86_400_000;
const WEEK_IN_MS = 7 * DAY_IN_MS;

/** The previous complete ISO week (Monday 00:00 to Monday 00:00 UTC) before `nowInMs`. */
export function previousIsoWeek(nowInMs: number): DriftWindow {
  const today = Math.floor(nowInMs / DAY_IN_MS) * DAY_IN_MS;
  // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
  const daysSinceMonday = (new Date(today).getUTCDay() + 6) % 7;
  const thisMonday = today - daysSinceMonday * DAY_IN_MS;
  return windowOf(thisMonday - WEEK_IN_MS, thisMonday);
}

/** The previous complete UTC day (00:00 to 00:00) before `nowInMs`, labelled with its date. */
export function previousUtcDay(nowInMs: number): DriftWindow {
  const today = Math.floor(nowInMs / DAY_IN_MS) * DAY_IN_MS;
  return { fromInMs: today - DAY_IN_MS, toInMs: today, label: new Date(today - DAY_IN_MS).toISOString().slice(0, 10) };
}

/** A window with its label. */
export function windowOf(fromInMs: number, toInMs: number): DriftWindow {
  return { fromInMs, toInMs, label: isoWeekLabel(fromInMs) };
}

/** `YYYY-Www` of the ISO week containing the instant (the ISO week-year can differ from the calendar year). */
export function isoWeekLabel(timeInMs: number): string {
  const day = Math.floor(timeInMs / DAY_IN_MS) * DAY_IN_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  // The Thursday of this week decides the ISO year.
  const thursday = new Date(day + (3 - weekday) * DAY_IN_MS);
  const isoYear = thursday.getUTCFullYear();
  const firstThursdayOrdinal = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / DAY_IN_MS);
  const week = Math.floor(firstThursdayOrdinal / 7) + 1;
  return `${isoYear}-W${String(week).padStart(2, '0')}`;
}

/**
 * The `count` windows of the same length before `window`, oldest first, labelled as their runs label them: a day's
 * by its date, any other length by its ISO week (the weekly run's windows).
 */
export function earlierWindows(window: DriftWindow, count: number): DriftWindow[] {
  const length = window.toInMs - window.fromInMs;
  const earlier: DriftWindow[] = [];
  for (let k = count; k >= 1; k--) {
    const fromInMs = window.fromInMs - k * length;
    earlier.push(length === DAY_IN_MS ? previousUtcDay(fromInMs + DAY_IN_MS) : windowOf(fromInMs, fromInMs + length));
  }
  return earlier;
}

/** The UTC days a window of whole days covers, as dailyDrift labels them; none for a window of one day or less. */
export function daysOf(window: DriftWindow): DriftWindow[] {
  if (window.toInMs - window.fromInMs <= DAY_IN_MS) return [];
  const days: DriftWindow[] = [];
  for (let from = window.fromInMs; from + DAY_IN_MS <= window.toInMs; from += DAY_IN_MS)
    days.push(previousUtcDay(from + DAY_IN_MS));
  return days;
}
