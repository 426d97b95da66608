import { describe, expect, it } from 'vitest';
import { StreamMonitor, type StreamMonitorOptions, type StreamAlarm } from '../../../shared/stream/streamMonitor.js';
import type { StreamState } from '../../../shared/stream/streamState.js';
import { ScoredStream, syntheticStreamBaseline, type StreamScenario } from '../../../dev/synthetic/scoredStream.js';

const DEFAULTS: StreamMonitorOptions = {
  windowEvents: 1000,
  minDrop: 0.05,
  falseAlarmBudgetInEvents: 10_000_000,
  referenceEvents: 10_000,
  shift: 0.05,
};
const baseline = syntheticStreamBaseline(20_000, 101);

/** Runs `events` of a scenario through one state in batches of 500; every alarm, and the state at the end. */
function run(
  monitor: StreamMonitor,
  scenario: StreamScenario,
  events: number,
  state: StreamState = monitor.fresh(),
): { alarms: StreamAlarm[]; state: StreamState } {
  const stream = new ScoredStream(scenario);
  const alarms: StreamAlarm[] = [];
  const batch = [];
  for (let i = 0; i < events; i++) {
    batch.push({ ...stream.next().record });
    if (batch.length === 500 || i === events - 1) {
      alarms.push(...monitor.observe(state, batch, '3').alarms);
      batch.length = 0;
    }
  }
  return { alarms, state };
}

const first = (alarms: StreamAlarm[], detector: string) => alarms.find((a) => a.detector === detector);

describe('StreamMonitor', () => {
  it('takes its in-control distributions from the baseline and calibrates each walk at the least favourable one', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    // A binary classifier's baseline has its held-out error rate per confidence: the error walks use it.
    expect(monitor.errorCusums).toEqual([]);
    const walks = monitor.confidenceErrors!;
    expect(walks.reference.total).toBe(20_000);
    // Two walks (0.6 and 1 times the drop) share the budget: 2 × 10M each.
    expect(walks.walks).toHaveLength(2);
    for (const design of walks.walks) expect(design.inControlRunLength).toBeGreaterThanOrEqual(20_000_000);
    // Four score walks (two shifts each way) share a two-sided budget of 2 × 2 × 10M.
    expect(monitor.scoreWalks.map((w) => w.direction)).toEqual(['up', 'up', 'down', 'down']);
    for (const w of monitor.scoreWalks) expect(w.design.inControlRunLength).toBeGreaterThanOrEqual(40_000_000);
    expect(monitor.scoreBins!.probabilities).toHaveLength(10);
    expect(monitor.reference.calibration!.expectedCalibrationError).toBeLessThan(0.02);
  });

  it('falls back to the overall error rate, bounded above by its sampling error, without score histograms', () => {
    const multiclass = {
      ...baseline,
      heldOut: { ...baseline.heldOut, performance: { ...baseline.heldOut.performance!, scoreHistogram: null } },
    };
    const monitor = new StreamMonitor(multiclass, DEFAULTS);
    expect(monitor.confidenceErrors).toBeNull();
    const p = baseline.heldOut.performance!;
    const observedError = (p.labelled - p.confusion[0]! - p.confusion[4]!) / p.labelled;
    const se = Math.sqrt((observedError * (1 - observedError)) / p.labelled);
    expect(monitor.errorCusums).toHaveLength(2);
    for (const design of monitor.errorCusums) {
      expect(design.baseRate).toBeGreaterThan(observedError + 2.9 * se);
      expect(design.baseRate).toBeLessThan(observedError + 3.1 * se);
      expect(design.inControlRunLength).toBeGreaterThanOrEqual(20_000_000);
    }
    expect(monitor.errorCusums.map((d) => d.shiftedRate - d.baseRate)).toEqual(
      [0.03, 0.05].map((x) => expect.closeTo(x, 9)),
    );
  });

  it('raises no alarm on a stationary stream at a budget 10 times the stream', () => {
    const monitor = new StreamMonitor(baseline, { ...DEFAULTS, falseAlarmBudgetInEvents: 2_000_000 });
    // The stationary stream of the baseline's own generator (another seed): 200k events, budget 2M per detector.
    expect(run(monitor, { seed: 5 }, 200_000).alarms).toEqual([]);
  });

  it('false-alarms at most at the budgeted rate on a stationary stream', () => {
    const monitor = new StreamMonitor(baseline, { ...DEFAULTS, falseAlarmBudgetInEvents: 20_000, windowEvents: 200 });
    const { alarms } = run(monitor, { seed: 6 }, 1_000_000);
    for (const detector of ['errorWindow', 'errorCusum', 'score', 'entropy', 'decisions'] as const) {
      const count = alarms.filter((a) => a.detector === detector).length;
      // At most 50 expected per detector (1M / 20k); Poisson's 4σ above that is 78.
      expect(count, detector).toBeLessThanOrEqual(78);
    }
  });

  it('detects an abrupt 10-point accuracy drop within 2k labelled events, naming the evidence', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const onset = 30_000;
    const { alarms } = run(monitor, { seed: 7, extraError: (i) => (i >= onset ? 0.11 : 0) }, 40_000);
    const cusum = first(alarms, 'errorCusum')!;
    const window = first(alarms, 'errorWindow')!;
    for (const alarm of [cusum, window]) {
      expect(alarm.atEvent).toBeGreaterThan(onset);
      expect(alarm.atEvent - onset).toBeLessThan(2000);
      expect(alarm.window.rate).toBeGreaterThan(alarm.window.baseRate);
      expect(alarm.partition).toBe('3');
      expect(alarm.firstEventId).toMatch(/^e\d+$/);
    }
    expect(cusum.statistic).toBeGreaterThanOrEqual(cusum.threshold);
    // The score did not move: concept drift without prediction drift.
    expect(first(alarms, 'score')).toBeUndefined();
  });

  it('detects a gradual drop over 50k events', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const onset = 20_000;
    const ramp = (i: number) => (i < onset ? 0 : Math.min(1, (i - onset) / 50_000) * 0.11);
    const { alarms } = run(monitor, { seed: 8, extraError: ramp }, 80_000);
    const alarm = first(alarms, 'errorCusum')!;
    expect(alarm.atEvent).toBeGreaterThan(onset);
    expect(alarm.atEvent - onset).toBeLessThan(50_000);
  });

  it('detects a shift of the score distribution on unlabelled events, and the estimate sees the accuracy move', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const onset = 30_000;
    const { alarms } = run(monitor, { seed: 9, labelledShare: 0, logitShift: (i) => (i >= onset ? 1.0 : 0) }, 40_000);
    expect(first(alarms, 'errorCusum')).toBeUndefined();
    const score = first(alarms, 'score')!;
    expect(score.direction).toBe('up');
    expect(score.atEvent - onset).toBeGreaterThan(0);
    expect(score.atEvent - onset).toBeLessThan(2000);
    expect(first(alarms, 'entropy')!.atEvent).toBeGreaterThan(onset);
  });

  it('pages once per detector and direction per quiet period while a drift persists', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const { alarms } = run(monitor, { seed: 9, labelledShare: 0, logitShift: (i) => (i >= 10_000 ? 1.0 : 0) }, 60_000);
    const score = alarms.filter((a) => a.detector === 'score' && a.direction === 'up').map((a) => a.atEvent);
    // 50k drifted events, one page per 10 windows of 1000: five pages, ten thousand events apart.
    expect(score.length).toBe(5);
    for (let i = 1; i < score.length; i++) expect(score[i]! - score[i - 1]!).toBeGreaterThanOrEqual(10_000);
  });

  it('learns the FLAG share from the partition and alarms when it rises', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const onset = 30_000;
    const { alarms, state } = run(monitor, { seed: 10, flagShare: (i) => (i >= onset ? 0.15 : 0.05) }, 40_000);
    expect(state.decisions.reference!.rate).toBeCloseTo(0.05, 1);
    const alarm = first(alarms, 'decisions')!;
    expect(alarm.atEvent - onset).toBeGreaterThan(0);
    expect(alarm.atEvent - onset).toBeLessThan(2000);
  });

  it('estimates accuracy from calibrated probabilities beside the realised accuracy, and alarms on an estimated drop', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const stream = new ScoredStream({ seed: 12, logitShift: (i) => (i >= 5000 ? 1.5 : 0) });
    const state = monitor.fresh();
    const records = Array.from({ length: 10_000 }, () => ({ ...stream.next().record }));
    const { estimates, alarms } = monitor.observe(state, records, '0');
    expect(estimates).toHaveLength(10);
    const before = estimates[0]!;
    expect(before.valid).toBe(true);
    expect(Math.abs(before.estimatedAccuracy - before.realisedAccuracy!)).toBeLessThan(4 * before.standardError + 0.02);
    const after = estimates[9]!;
    expect(after.estimatedAccuracy).toBeLessThan(before.estimatedAccuracy - 0.05);
    expect(alarms.some((a) => a.detector === 'estimatedAccuracy' && a.atEvent > 5000)).toBe(true);
  });

  it('says the estimate is not valid under concept drift and for an uncalibrated model', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const stream = new ScoredStream({ seed: 13, extraError: () => 0.2 });
    const records = Array.from({ length: 3000 }, () => ({ ...stream.next().record }));
    const { estimates } = monitor.observe(monitor.fresh(), records, '0');
    expect(estimates.at(-1)!.valid).toBe(false);
    expect(estimates.at(-1)!.invalidBecause).toContain('CONCEPT_DRIFT.REALISED_DIFFERS');

    // Held-out probabilities that promise more than the labels gave: every positive counted as a negative.
    const p = structuredClone(baseline);
    const h = p.heldOut.performance!.scoreHistogram!;
    for (let b = 500; b < h.positive.length; b++) [h.positive[b], h.negative[b]] = [0, h.positive[b]! + h.negative[b]!];
    const uncalibrated = new StreamMonitor(p, DEFAULTS);
    const { estimates: e2, alarms } = uncalibrated.observe(uncalibrated.fresh(), records.slice(0, 1000), '0');
    expect(e2[0]!.invalidBecause).toContain('CALIBRATION.POOR');
    expect(alarms.filter((a) => a.detector === 'estimatedAccuracy')).toEqual([]);
  });

  it('goes on from a stored state exactly as if it had never stopped', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    const scenario = { seed: 14, extraError: (i: number) => (i >= 12_000 ? 0.11 : 0) };
    const whole = run(monitor, scenario, 16_000);
    // Same stream, the state serialised through JSON after every batch.
    const stream = new ScoredStream(scenario);
    let stored: unknown = JSON.parse(JSON.stringify(monitor.fresh()));
    const alarms: StreamAlarm[] = [];
    for (let b = 0; b < 32; b++) {
      const { state, restored } = monitor.restore(stored);
      expect(restored).toBe(true);
      const batch = Array.from({ length: 500 }, () => ({ ...stream.next().record }));
      alarms.push(...monitor.observe(state, batch, '3').alarms);
      stored = JSON.parse(JSON.stringify(state));
      expect(JSON.stringify(stored).length).toBeLessThan(2000);
    }
    expect(alarms).toEqual(whole.alarms);
  });

  it('starts afresh from a state that is not one of this profile, and a lost state costs delay, not a false alarm', () => {
    const monitor = new StreamMonitor(baseline, DEFAULTS);
    for (const bad of [
      null,
      'x',
      { version: 2 },
      { ...monitor.fresh(), profileVersion: 'other' },
      { ...monitor.fresh(), events: -1 },
      // Another number of score walks: a state of another design.
      { ...monitor.fresh(), scoreWalks: [] },
    ])
      expect(monitor.restore(bad).restored).toBe(false);
    // The state is lost at 25k, mid-way through a drift that began at 24k: the fresh state still finds it.
    const scenario = { seed: 15, extraError: (i: number) => (i >= 24_000 ? 0.11 : 0) };
    const stream = new ScoredStream(scenario);
    for (let i = 0; i < 25_000; i++) stream.next();
    const state = monitor.restore(undefined).state;
    const records = Array.from({ length: 5000 }, () => ({ ...stream.next().record }));
    const { alarms } = monitor.observe(state, records, '3');
    expect(first(alarms, 'errorCusum')!.atEvent).toBeLessThan(2000);
  });
});
