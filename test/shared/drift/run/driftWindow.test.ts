import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  daysOf,
  earlierWindows,
  isoWeekLabel,
  previousIsoWeek,
  previousUtcDay,
} from '../../../../shared/drift/run/driftWindow.js';

describe('previousUtcDay', () => {
  it('is yesterday, 00:00 to 00:00 UTC, named by its date, whatever the hour of the tick', () => {
    for (const hour of [0, 2, 23])
      expect(previousUtcDay(Date.UTC(2024, 0, 1, hour, 30))).toEqual({
        fromInMs: Date.UTC(2023, 11, 31),
        toInMs: Date.UTC(2024, 0, 1),
        label: '2023-12-31',
      });
  });
});

describe('previousIsoWeek', () => {
  it('is the Monday-to-Monday UTC week before the invocation', () => {
    // Monday 2024-01-22 03:00 UTC, the default schedule's tick.
    expect(previousIsoWeek(Date.UTC(2024, 0, 22, 3))).toEqual({
      fromInMs: Date.UTC(2024, 0, 15),
      toInMs: Date.UTC(2024, 0, 22),
      label: '2024-W03',
    });
    // Any time in the following week gives the same window; Sunday night still belongs to it.
    expect(previousIsoWeek(Date.UTC(2024, 0, 28, 23, 59, 59)).label).toBe('2024-W03');
    expect(previousIsoWeek(Date.UTC(2024, 0, 29)).label).toBe('2024-W04');
  });

  it('always spans seven days starting on a Monday and ending at or before now', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (now) => {
        const window = previousIsoWeek(now);
        expect(window.toInMs - window.fromInMs).toBe(7 * 86_400_000);
        expect(new Date(window.fromInMs).getUTCDay()).toBe(1);
        expect(window.toInMs).toBeLessThanOrEqual(now);
        expect(now - window.toInMs).toBeLessThan(7 * 86_400_000);
      }),
    );
  });
});

describe('isoWeekLabel', () => {
  it.each([
    [Date.UTC(2021, 0, 3), '2020-W53'], // Sunday 2021-01-03 belongs to 2020's last week
    [Date.UTC(2021, 0, 4), '2021-W01'],
    [Date.UTC(2024, 11, 30), '2025-W01'], // Monday 2024-12-30 starts 2025-W01
    [Date.UTC(2026, 11, 31), '2026-W53'],
    [Date.UTC(2027, 0, 1), '2026-W53'],
  ])('labels %s as %s', (time, label) => {
    expect(isoWeekLabel(time)).toBe(label);
  });
});

describe('earlierWindows', () => {
  it('gives the weeks before a weekly window, oldest first, labelled by ISO week across a year boundary', () => {
    const week = previousIsoWeek(Date.UTC(2024, 0, 15, 3)); // 2024-W02
    const earlier = earlierWindows(week, 3);
    expect(earlier.map((w) => w.label)).toEqual(['2023-W51', '2023-W52', '2024-W01']);
    expect(earlier[2]).toEqual({ fromInMs: Date.UTC(2024, 0, 1), toInMs: Date.UTC(2024, 0, 8), label: '2024-W01' });
  });

  it('gives the days before a daily window, labelled by date as dailyDrift labels them', () => {
    const day = previousUtcDay(Date.UTC(2024, 2, 1, 2, 30)); // 2024-02-29
    expect(earlierWindows(day, 2)).toEqual([
      { fromInMs: Date.UTC(2024, 1, 27), toInMs: Date.UTC(2024, 1, 28), label: '2024-02-27' },
      { fromInMs: Date.UTC(2024, 1, 28), toInMs: Date.UTC(2024, 1, 29), label: '2024-02-28' },
    ]);
  });

  it('gives nothing for a count of 0', () => {
    expect(earlierWindows(previousIsoWeek(Date.UTC(2024, 0, 15)), 0)).toEqual([]);
  });
});

describe('daysOf', () => {
  it("lists a week's seven days by date, and no days for a daily window", () => {
    const week = previousIsoWeek(Date.UTC(2024, 0, 22, 3));
    expect(daysOf(week).map((d) => d.label)).toEqual([
      '2024-01-15',
      '2024-01-16',
      '2024-01-17',
      '2024-01-18',
      '2024-01-19',
      '2024-01-20',
      '2024-01-21',
    ]);
    expect(daysOf(previousUtcDay(Date.UTC(2024, 0, 22)))).toEqual([]);
  });
});
