import { binomialCriticalCount, binomialUpperTail } from './binomialTail.js';

/**
 * The seed's windowed accuracy rule made sound: tumbling windows of `windowEvents` labelled events; a window alarms
 * when its error rate exceeds the baseline's by at least `minDrop` and an exact binomial test rejects "the error rate
 * is still the baseline's" at the level the false-alarm budget allows a window: alpha = windowEvents / budget, so that
 * on a stationary stream the expected number of events between false alarms is at least the budget.
 */
export interface WindowRuleDesign {
  windowEvents: number;
  baseRate: number;
  minDrop: number;
  alpha: number;
  /** The smallest error count of a full window that alarms. */
  criticalErrors: number;
}

export interface WindowState {
  events: number;
  errors: number;
  firstId: string | null;
}

export const freshWindow = (): WindowState => ({ events: 0, errors: 0, firstId: null });

export function designWindowRule(
  windowEvents: number,
  baseRate: number,
  minDrop: number,
  falseAlarmBudgetInEvents: number,
): WindowRuleDesign {
  const alpha = Math.min(1, windowEvents / falseAlarmBudgetInEvents);
  const byTest = binomialCriticalCount(windowEvents, baseRate, alpha);
  // Both conditions: the drop is material and beyond sampling error.
  const byDrop = Math.ceil((baseRate + minDrop) * windowEvents - 1e-9);
  return { windowEvents, baseRate, minDrop, alpha, criticalErrors: Math.max(byTest, byDrop) };
}

/** One labelled event into the window; the window's numbers when it closes (alarming or not), else null. */
export function stepWindow(
  state: WindowState,
  design: WindowRuleDesign,
  error: boolean,
  id: string,
): { events: number; errors: number; firstId: string | null; alarm: boolean; pValue: number } | null {
  if (state.events === 0) state.firstId = id;
  state.events++;
  if (error) state.errors++;
  if (state.events < design.windowEvents) return null;
  const closed = { events: state.events, errors: state.errors, firstId: state.firstId };
  state.events = 0;
  state.errors = 0;
  state.firstId = null;
  return {
    ...closed,
    alarm: closed.errors >= design.criticalErrors,
    pValue: binomialUpperTail(closed.events, design.baseRate, closed.errors),
  };
}
