import { describe, expect, it } from 'vitest';
import { confidenceErrors, confidenceGroup } from '../../../shared/stream/confidenceErrors.js';
import { StreamMonitor, type StreamMonitorOptions } from '../../../shared/stream/streamMonitor.js';
import { ScoredStream, syntheticStreamBaseline, type StreamScenario } from '../../../dev/synthetic/scoredStream.js';

const OPTIONS: StreamMonitorOptions = {
  windowEvents: 1000,
  minDrop: 0.05,
  falseAlarmBudgetInEvents: 10_000_000,
  referenceEvents: 10_000,
  shift: 0.05,
};
const baseline = syntheticStreamBaseline(20_000, 101);
/** The same baseline without score histograms: the error walks fall back to the overall error rate. */
const withoutHistograms = {
  ...baseline,
  heldOut: { ...baseline.heldOut, performance: { ...baseline.heldOut.performance!, scoreHistogram: null } },
};

/** Events from the onset to the first errorCusum page (null: none in `events`). */
function errorCusumDelay(monitor: StreamMonitor, scenario: StreamScenario, events: number, onset: number) {
  const stream = new ScoredStream(scenario);
  const state = monitor.fresh();
  for (let start = 0; start < events; start += 500) {
    const batch = Array.from({ length: 500 }, () => ({ ...stream.next().record }));
    const alarm = monitor.observe(state, batch, '0').alarms.find((a) => a.detector === 'errorCusum');
    if (alarm) return alarm.atEvent - onset;
  }
  return null;
}

describe('confidenceErrors', () => {
  it('folds the held-out score histogram at 0.5 into confidence groups that keep every row and error', () => {
    const performance = baseline.heldOut.performance!;
    const groups = confidenceErrors(performance)!;
    const errors = performance.labelled - performance.confusion[0]! - performance.confusion[4]!;
    expect(groups.rows.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(groups.errors.reduce((a, b) => a + b, 0)).toBe(errors);
    expect(groups.edges).toEqual([...groups.edges].sort((a, b) => a - b));
    expect(groups.edges[0]).toBeGreaterThan(0.5);
    // A calibrated model is wrong less often the surer it is.
    const rates = groups.rows.map((n, g) => groups.errors[g]! / n);
    for (let g = 1; g < rates.length; g++) expect(rates[g]).toBeLessThan(rates[g - 1]!);
    for (const g of groups.errors) expect(g).toBeGreaterThanOrEqual(10);
    expect(confidenceGroup(groups, 0.5)).toBe(0);
    expect(confidenceGroup(groups, 1)).toBe(groups.rows.length - 1);
  });

  it('is null without histograms, or when their errors disagree with the confusion counts (no argmax prediction)', () => {
    expect(confidenceErrors(null)).toBeNull();
    expect(confidenceErrors(withoutHistograms.heldOut.performance)).toBeNull();
    const p = structuredClone(baseline.heldOut.performance!);
    // 300 predictions counted right that the histogram calls wrong.
    p.confusion[1] = p.confusion[1]! - 300;
    p.confusion[0] = p.confusion[0]! + 300;
    expect(confidenceErrors(p)).toBeNull();
  });
});

describe('the error walks against the error rate of each confidence', () => {
  it('stay in control when the model grows less sure but is as right as it says (covariate shift)', () => {
    // The score's logit moves up by 1: more events near 0.5, the overall error rate rises from 20 % to 26 %.
    const scenario = { seed: 21, logitShift: () => 1 };
    expect(errorCusumDelay(new StreamMonitor(baseline, OPTIONS), scenario, 200_000, 0)).toBeNull();
    // The walk on the overall error rate pages on the same stream: it watches accuracy, not the concept.
    expect(errorCusumDelay(new StreamMonitor(withoutHistograms, OPTIONS), scenario, 200_000, 0)).not.toBeNull();
  });

  it('find an abrupt 10-point drop sooner than the walks on the overall error rate', () => {
    const delays = (monitor: StreamMonitor) =>
      [1, 2, 3, 4, 5, 6, 7].map((seed) =>
        errorCusumDelay(monitor, { seed, extraError: (i) => (i >= 20_000 ? 0.1255 : 0) }, 30_000, 20_000)!,
      );
    const median = (x: number[]) => [...x].sort((a, b) => a - b)[3]!;
    const byConfidence = delays(new StreamMonitor(baseline, OPTIONS));
    const overall = delays(new StreamMonitor(withoutHistograms, OPTIONS));
    for (const d of [...byConfidence, ...overall]) expect(d).toBeGreaterThan(0);
    expect(median(byConfidence)).toBeLessThan(0.8 * median(overall));
  });
});
