import type { DriftReport, DriftTrend, TrendPoint } from '../report.js';
import { trendPointOf, trendPointOfEarlier } from '../trend.js';
import { daysOf, earlierWindows, type DriftWindow } from './driftWindow.js';
import type { DriftProgress, ReportHistory } from './ports.js';

/**
 * The trend of `report`: the `count` windows of its cadence before it (read from their reports) and itself, plus,
 * for a weekly window, its days' daily reports. A window whose report is absent or unreadable is listed as missing
 * with the reason: the trend never fails the run, and never invents a point.
 */
export async function readTrend(
  history: ReportHistory,
  window: DriftWindow,
  count: number,
  report: DriftReport,
  progress: Pick<DriftProgress, 'note'>,
): Promise<DriftTrend> {
  const missing: DriftTrend['missing'] = [];
  const read = async (earlier: DriftWindow): Promise<TrendPoint | undefined> => {
    const got = await history.read(earlier.label);
    if (!got.ok) {
      missing.push({ label: earlier.label, reason: `${got.error.code}: ${got.error.message}` });
      progress.note(`Trend: the report of ${earlier.label} could not be read: ${got.error.message}`);
      return undefined;
    }
    if (got.value === undefined) {
      missing.push({ label: earlier.label, reason: 'no report' });
      return undefined;
    }
    const point = trendPointOfEarlier(got.value, earlier.label);
    if (!point.ok) {
      missing.push({ label: earlier.label, reason: `${point.error.code}: ${point.error.message}` });
      return undefined;
    }
    return point.value;
  };
  // A few small reads: one after another keeps the order of `missing` that of the windows.
  const windows: TrendPoint[] = [];
  for (const earlier of earlierWindows(window, count)) {
    const point = await read(earlier);
    if (point) windows.push(point);
  }
  windows.push(trendPointOf(report, window.label));
  const days: TrendPoint[] = [];
  const dayMissing = missing.length;
  for (const day of daysOf(window)) {
    const point = await read(day);
    if (point) days.push(point);
  }
  // Days without a daily report are the usual case when dailyDrift is off: not worth a line each.
  if (days.length === 0) missing.splice(dayMissing);
  return { windows, days, missing };
}
