import { describe, expect, it } from 'vitest';
import { binomialCriticalCount, binomialUpperTail } from '../../../shared/stream/binomialTail.js';
import { designWindowRule, freshWindow, stepWindow } from '../../../shared/stream/windowedErrorRule.js';
import { createRandom } from '../../../shared/baseline/random.js';

describe('designWindowRule', () => {
  it('needs both the material drop and the binomial test at the level the budget allows one window', () => {
    const design = designWindowRule(1000, 0.05, 0.05, 10_000_000);
    expect(design.alpha).toBe(1e-4);
    // The test alone would alarm below 8 % errors; the drop asks for 10 %.
    expect(binomialCriticalCount(1000, 0.05, 1e-4)).toBeLessThan(80);
    expect(design.criticalErrors).toBe(100);
    // A small window: the test, not the drop, is the binding condition.
    const small = designWindowRule(100, 0.05, 0.05, 10_000_000);
    expect(small.criticalErrors).toBeGreaterThan(10);
    expect(binomialUpperTail(100, 0.05, small.criticalErrors)).toBeLessThanOrEqual(1e-5);
    expect(binomialUpperTail(100, 0.05, small.criticalErrors - 1)).toBeGreaterThan(1e-5);
  });
});

describe('stepWindow', () => {
  it('closes tumbling windows with their numbers and the id of the event that opened them', () => {
    const design = designWindowRule(4, 0.1, 0.05, 1000);
    const state = freshWindow();
    expect(stepWindow(state, design, true, 'a')).toBeNull();
    stepWindow(state, design, false, 'b');
    stepWindow(state, design, true, 'c');
    const closed = stepWindow(state, design, true, 'd');
    expect(closed).toMatchObject({ events: 4, errors: 3, firstId: 'a' });
    expect(closed!.pValue).toBeCloseTo(binomialUpperTail(4, 0.1, 3), 12);
    expect(state).toEqual(freshWindow());
  });

  it('false-alarms on a stationary stream no more often than the budget allows', () => {
    // Budget 20k events with windows of 200: at most one alarming window in 100 on average.
    const design = designWindowRule(200, 0.1, 0.0, 20_000);
    const random = createRandom(11);
    const state = freshWindow();
    let alarms = 0;
    const events = 2_000_000;
    for (let i = 0; i < events; i++) if (stepWindow(state, design, random.nextFloat() < 0.1, 'x')?.alarm) alarms++;
    // Expected at most 100 (the test is conservative); Poisson's 4σ above that is 140.
    expect(alarms).toBeLessThanOrEqual(140);
    expect(alarms).toBeGreaterThan(0);
  });

  it('alarms on the first full window after a 10-point drop, with the default window and budget', () => {
    const design = designWindowRule(1000, 0.05, 0.05, 10_000_000);
    const random = createRandom(12);
    const state = freshWindow();
    let firstAlarm = -1;
    for (let i = 0; i < 20_000 && firstAlarm < 0; i++) {
      const rate = i < 10_500 ? 0.05 : 0.15;
      if (stepWindow(state, design, random.nextFloat() < rate, `e${i}`)?.alarm) firstAlarm = i;
    }
    expect(firstAlarm).toBeGreaterThanOrEqual(10_500);
    expect(firstAlarm - 10_500).toBeLessThan(2000);
  });
});
