import { describe, expect, it } from 'vitest';
import { driftAt, planDemoScenario } from '../../../cli/demo/demoScenario.js';
import { previousIsoWeek } from '../../../shared/drift/run/driftWindow.js';

const NOW = Date.UTC(2026, 2, 4, 10); // Wednesday 2026-03-04: the week played is 2026-W09 (Feb 23 to Mar 2).
const HOUR = 3_600_000;

describe('planDemoScenario', () => {
  it('plays the previous ISO week, the one weeklyDrift reports on when it runs at the same time', () => {
    const scenario = planDemoScenario({ events: 200_000, seed: 1, nowInMs: NOW });
    expect(scenario.window).toEqual(previousIsoWeek(NOW));
    expect(scenario.window.label).toBe('2026-W09');
    expect(new Date(scenario.window.fromInMs).toISOString()).toBe('2026-02-23T00:00:00.000Z');
  });

  it('puts every incident inside the week: the faulty release, the probe burst, then drift from mid-week', () => {
    const s = planDemoScenario({ events: 200_000, seed: 1, nowInMs: NOW });
    const inWeek = (t: number) => t >= s.window.fromInMs && t < s.window.toInMs;
    for (const t of [
      s.malformed.fromInMs,
      s.malformed.toInMs,
      s.probe.fromInMs,
      s.probe.toInMs,
      s.drift.onsetInMs + s.drift.rampInMs,
    ])
      expect(inWeek(t)).toBe(true);
    expect(s.drift.onsetInMs - s.window.fromInMs).toBe(2.5 * 24 * HOUR);
    expect(s.probe.toInMs - s.probe.fromInMs).toBe(HOUR);
  });

  it('sends the attacker past the 1,000-queries-an-hour limit at the default size, and fewer probes in small runs', () => {
    expect(planDemoScenario({ events: 200_000, seed: 1, nowInMs: NOW }).probe.queries).toBe(1500);
    expect(planDemoScenario({ events: 20_000, seed: 1, nowInMs: NOW }).probe.queries).toBe(150);
    expect(planDemoScenario({ events: 1000, seed: 1, nowInMs: NOW }).probe.queries).toBe(150);
  });

  it('keeps ordinary callers far below the per-caller limit', () => {
    const s = planDemoScenario({ events: 200_000, seed: 1, nowInMs: NOW });
    expect(s.events / s.callers).toBeLessThan(100);
  });

  it('uses hour-long Capture files unless told otherwise, and refuses intervals that do not divide a day', () => {
    expect(planDemoScenario({ events: 5000, seed: 1, nowInMs: NOW }).captureIntervalInMs).toBe(HOUR);
    expect(
      planDemoScenario({ events: 5000, seed: 1, nowInMs: NOW, captureIntervalInSeconds: 300 }).captureIntervalInMs,
    ).toBe(300_000);
    expect(() => planDemoScenario({ events: 5000, seed: 1, nowInMs: NOW, captureIntervalInSeconds: 7 })).toThrow(
      'captureIntervalInSeconds must be a whole number of seconds >= 60 that divides a day, got 7',
    );
    expect(() => planDemoScenario({ events: 5000, seed: 1, nowInMs: NOW, captureIntervalInSeconds: 7000 })).toThrow(
      RangeError,
    );
  });

  it('refuses fewer than 1,000 events', () => {
    expect(() => planDemoScenario({ events: 999, seed: 1, nowInMs: NOW })).toThrow(
      'events must be a whole number >= 1000, got 999',
    );
    expect(() => planDemoScenario({ events: 1500.5, seed: 1, nowInMs: NOW })).toThrow(RangeError);
  });
});

describe('driftAt', () => {
  it('is 0 before the onset, ramps linearly, and holds the full strength after the ramp', () => {
    const s = planDemoScenario({ events: 5000, seed: 1, nowInMs: NOW });
    expect(driftAt(s, s.window.fromInMs)).toBe(0);
    expect(driftAt(s, s.drift.onsetInMs - 1)).toBe(0);
    expect(driftAt(s, s.drift.onsetInMs + s.drift.rampInMs / 2)).toBeCloseTo(0.5, 10);
    expect(driftAt(s, s.drift.onsetInMs + s.drift.rampInMs)).toBe(1);
    expect(driftAt(s, s.window.toInMs - 1)).toBe(1);
  });
});
