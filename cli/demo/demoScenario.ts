import { previousIsoWeek, type DriftWindow } from '../../shared/drift/run/driftWindow.js';

const HOUR_IN_MS = 3_600_000;
const DAY_IN_MS = 24 * HOUR_IN_MS;

/** The simulated week the demo plays: when things happen, and how much of each. */
export interface DemoScenario {
  /** The previous ISO week before `nowInMs`: exactly the window weeklyDrift reports on when it runs at `nowInMs`. */
  window: DriftWindow;
  /** When weeklyDrift runs (and the alert fires just after). */
  nowInMs: number;
  seed: number;
  /** Events in, of every kind. */
  events: number;
  partitions: number;
  callers: number;
  /**
   * Drift starts mid-week and reaches full strength after a ramp: data drift of `strength`, and concept drift of
   * `camouflage` × that (fraudsters adapt: at full strength half the frauds look ordinary).
   */
  drift: { onsetInMs: number; rampInMs: number; strength: number; camouflage: number };
  /** A faulty producer release sends broken bodies for an hour; a trickle arrives at other times too. */
  malformed: { fromInMs: number; toInMs: number; share: number; backgroundShare: number };
  /** One caller sweeps the model, faster than the per-caller limit allows. */
  probe: { callerId: string; fromInMs: number; toInMs: number; queries: number };
  /** Capture's window: one file per partition and hub per window. */
  captureIntervalInMs: number;
  /** The Event Hubs namespace name as it appears in Capture blob names. */
  namespace: string;
}

export interface DemoScenarioOptions {
  events: number;
  seed: number;
  nowInMs: number;
  /** Default 3,600 s (see docs/emulators.md: Azure allows at most 900 s; hour files keep the demo's blob count small). */
  captureIntervalInSeconds?: number;
  /** Default 4. */
  partitions?: number;
}

/**
 * Plans the demo's week: traffic all week long on four partitions, a faulty producer release on Tuesday morning, an
 * attacker probing the model early on Wednesday, and drift setting in on Wednesday at noon (ramping up over six
 * hours) in the amounts, hours, activity counts, merchant categories and channels, while fraudsters adapt so that
 * half the frauds come to look like ordinary transactions.
 */
export function planDemoScenario(options: DemoScenarioOptions): DemoScenario {
  if (!Number.isSafeInteger(options.events) || options.events < 1000)
    throw new RangeError(`events must be a whole number >= 1000, got ${options.events}`);
  const window = previousIsoWeek(options.nowInMs);
  const monday = window.fromInMs;
  const interval = options.captureIntervalInSeconds ?? 3600;
  if (!Number.isInteger(interval) || interval < 60 || 86_400 % interval !== 0) {
    throw new RangeError(
      `captureIntervalInSeconds must be a whole number of seconds >= 60 that divides a day, got ${interval}`,
    );
  }
  return {
    window,
    nowInMs: options.nowInMs,
    seed: options.seed,
    events: options.events,
    partitions: options.partitions ?? 4,
    // Some 40 transactions per cardholder a week; never so few that one caller nears the query limit.
    callers: Math.min(20_000, Math.max(200, Math.round(options.events / 40))),
    drift: {
      onsetInMs: monday + 2 * DAY_IN_MS + 12 * HOUR_IN_MS,
      rampInMs: 6 * HOUR_IN_MS,
      strength: 1,
      camouflage: 1,
    },
    malformed: {
      fromInMs: monday + DAY_IN_MS + 9 * HOUR_IN_MS,
      toInMs: monday + DAY_IN_MS + 10 * HOUR_IN_MS,
      share: 0.3,
      backgroundShare: 0.0002,
    },
    // Enough queries to cross the 1,000-per-hour limit at the default size; fewer (flagged, not limited) for small runs.
    probe: {
      callerId: 'partner-api-7f3a',
      fromInMs: monday + 2 * DAY_IN_MS + 2 * HOUR_IN_MS,
      toInMs: monday + 2 * DAY_IN_MS + 3 * HOUR_IN_MS,
      queries: Math.min(1500, Math.max(150, Math.round(options.events * 0.0075))),
    },
    captureIntervalInMs: interval * 1000,
    namespace: 'evhns-mrm-demo',
  };
}

/** Drift strength at a time: 0 before the onset, rising linearly over the ramp to the full strength. */
export function driftAt(scenario: DemoScenario, timeInMs: number): number {
  const { onsetInMs, rampInMs, strength } = scenario.drift;
  if (timeInMs < onsetInMs) return 0;
  return strength * Math.min(1, (timeInMs - onsetInMs) / rampInMs);
}
