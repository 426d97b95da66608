import { describe, expect, it } from 'vitest';
import { fail, ok, type Result } from '../../../../shared/errors.js';
import { previousIsoWeek, previousUtcDay } from '../../../../shared/drift/run/driftWindow.js';
import type { ReportHistory } from '../../../../shared/drift/run/ports.js';
import { readTrend } from '../../../../shared/drift/run/readTrend.js';
import { trendPointOf } from '../../../../shared/drift/trend.js';
import { reportOf } from '../fixtures/trendReports.js';

const DAY = 86_400_000;
const WEEK = previousIsoWeek(Date.UTC(2024, 0, 22, 3)); // 2024-W03
const iso = (ms: number): string => new Date(ms).toISOString();
const windowOf = (fromInMs: number, length: number) => ({ from: iso(fromInMs), to: iso(fromInMs + length) });

/** Earlier reports as the sink stored them (parsed JSON), and labels whose read fails. */
function historyOf(reports: Record<string, unknown>, failing: Record<string, string> = {}) {
  const asked: string[] = [];
  const history: ReportHistory = {
    read: async (label): Promise<Result<unknown>> => {
      asked.push(label);
      if (failing[label]) return fail('transient', 'TREND.READ_FAILED', failing[label]);
      return ok(reports[label]);
    },
  };
  return { history, asked };
}

const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
const notes: string[] = [];
const progress = { note: (m: string) => notes.push(m) };

describe('readTrend', () => {
  it('puts the earlier weeks that have reports first, oldest first, and this week last', async () => {
    const w01 = reportOf(windowOf(WEEK.fromInMs - 2 * 7 * DAY, 7 * DAY), 0.5);
    const w02 = reportOf(windowOf(WEEK.fromInMs - 7 * DAY, 7 * DAY), 2);
    const current = reportOf(windowOf(WEEK.fromInMs, 7 * DAY), 5);
    const { history, asked } = historyOf({ '2024-W01': json(w01), '2024-W02': json(w02) });
    const trend = await readTrend(history, WEEK, 3, current, progress);
    expect(asked.slice(0, 3)).toEqual(['2023-W52', '2024-W01', '2024-W02']);
    expect(trend.windows).toEqual([
      trendPointOf(w01, '2024-W01'),
      trendPointOf(w02, '2024-W02'),
      trendPointOf(current, '2024-W03'),
    ]);
    expect(trend.missing).toEqual([{ label: '2023-W52', reason: 'no report' }]);
    // No daily report at all (dailyDrift off): no day is listed as missing.
    expect(trend.days).toEqual([]);
  });

  it("adds the week's daily reports, and lists the days without one once some exist", async () => {
    const day = (d: number, shift: number) => reportOf(windowOf(WEEK.fromInMs + d * DAY, DAY), shift);
    const { history } = historyOf({ '2024-01-15': json(day(0, 0)), '2024-01-17': json(day(2, 5)) });
    const trend = await readTrend(history, WEEK, 0, reportOf(windowOf(WEEK.fromInMs, 7 * DAY), 5), progress);
    expect(trend.days.map((d) => [d.label, d.datasetDrift])).toEqual([
      ['2024-01-15', false],
      ['2024-01-17', true],
    ]);
    expect(trend.missing.map((m) => m.label)).toEqual([
      '2024-01-16',
      '2024-01-18',
      '2024-01-19',
      '2024-01-20',
      '2024-01-21',
    ]);
  });

  it('lists an unreadable or failing report as missing with the reason and still reports', async () => {
    notes.length = 0;
    const day = previousUtcDay(Date.UTC(2024, 0, 22, 2));
    const { history } = historyOf(
      { '2024-01-20': { kind: 'mrm.driftReport', window: {} } },
      { '2024-01-19': 'storage said 503' },
    );
    const trend = await readTrend(history, day, 2, reportOf(windowOf(day.fromInMs, DAY), 0), progress);
    expect(trend.windows.map((w) => w.label)).toEqual(['2024-01-21']);
    expect(trend.missing).toEqual([
      { label: '2024-01-19', reason: 'TREND.READ_FAILED: storage said 503' },
      { label: '2024-01-20', reason: expect.stringMatching(/^TREND\.UNREADABLE_REPORT: not a drift report/) },
    ]);
    expect(notes).toEqual([expect.stringMatching(/2024-01-19 could not be read: storage said 503/)]);
  });
});
