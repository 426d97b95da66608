import { describe, expect, it } from 'vitest';
import { streamAlarmsOf, streamTimelineSection } from '../../../../shared/drift/report/streamTimeline.js';
import type { AlarmHistory, StoredAlarm } from '../../../../shared/stream/alarmLog.js';

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 10, 16);
const WINDOW = { from: new Date(FROM).toISOString(), to: new Date(FROM + 7 * DAY).toISOString() };
const WEEK = { fromInMs: FROM, toInMs: FROM + 7 * DAY };

function alarm(over: Partial<StoredAlarm>): StoredAlarm {
  return {
    detector: 'errorCusum',
    direction: 'up',
    partition: '3',
    statistic: 880,
    threshold: 874,
    window: { events: 400, hits: 120, rate: 0.3, baseRate: 0.203 },
    firstEventId: 'e1',
    lastEventId: 'e400',
    enqueuedTime: null,
    atEvent: 41_000,
    raisedAt: new Date(FROM + DAY).toISOString(),
    ...over,
  };
}

const history = (alarms: StoredAlarm[]): AlarmHistory => ({
  description: 'memory',
  between: async (from, to, limit) => {
    const inside = alarms.filter((a) => Date.parse(a.raisedAt) >= from && Date.parse(a.raisedAt) < to);
    return { alarms: inside.slice(0, limit), total: inside.length };
  },
});

describe('the report’s stream alarm timeline', () => {
  it('draws a lane per detector that paged and a mark per page at its time, up or down, with its numbers', async () => {
    const summary = await streamAlarmsOf(
      history([
        alarm({}),
        alarm({
          detector: 'score',
          direction: 'down',
          partition: '<b>',
          raisedAt: new Date(FROM + 3.5 * DAY).toISOString(),
        }),
      ]),
      WEEK,
    );
    const html = streamTimelineSection({ window: WINDOW, streamAlarms: summary });
    expect(html).toContain('2 pages in the window');
    expect(html).toContain('errorCusum (1)');
    expect(html).toContain('score (1)');
    // Seven labelled days; the axis runs from x = 130 to 950.
    expect(html.match(/<text x="[\d.]+" y="13">11-\d\d<\/text>/g)).toHaveLength(7);
    // A day in: 130 + 820 / 7; half way: 130 + 410. Up points up, down points down.
    expect(html).toMatch(/<polygon points="247\.1,28 241\.1,40 253\.1,40" class="alarm up">/);
    expect(html).toMatch(/<polygon points="540\.0,68 534\.0,56 546\.0,56" class="alarm down">/);
    expect(html).toContain('880 ≥ 874; 400 events since e1, 30.0 % vs 20.3 %');
    // Data is escaped wherever it appears.
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;b&gt;');
  });

  it('lists at most 50 pages in its table and says how many more the JSON has', async () => {
    const many = Array.from({ length: 120 }, (_, i) => alarm({ raisedAt: new Date(FROM + i * 60_000).toISOString() }));
    const summary = await streamAlarmsOf(history(many), WEEK);
    const html = streamTimelineSection({ window: WINDOW, streamAlarms: summary });
    expect(html.match(/<tr><td class="nb">/g)).toHaveLength(50);
    expect(html).toContain('The first 50 of 120 alarms; report.json lists 120.');
  });

  it('says when no detector paged, and when the log could not be read', async () => {
    const none = await streamAlarmsOf(history([]), WEEK);
    expect(streamTimelineSection({ window: WINDOW, streamAlarms: none })).toContain('No stream detector paged');
    const broken = await streamAlarmsOf(
      { description: 'blob container s', between: () => Promise.reject(new Error('timeout')) },
      WEEK,
    );
    expect(broken).toEqual({ available: false, reason: 'blob container s: timeout' });
    expect(streamTimelineSection({ window: WINDOW, streamAlarms: broken })).toContain(
      'could not be read: blob container s: timeout',
    );
    expect(streamTimelineSection({ window: WINDOW })).toBe('');
    expect(await streamAlarmsOf(undefined, WEEK)).toBeUndefined();
  });
});
