import type { InputEvent } from '../../shared/contracts/records.js';
import type { TransactionFeatures } from './transactions.js';

/** One feature a prober sweeps: from, to, step (in the feature's own unit). */
interface Sweep {
  feature: 'amount' | 'device_trust' | 'distance_km' | 'hour';
  from: number;
  to: number;
  step: number;
}

// Steps of at least 0.05 baseline standard deviations, so each query lands in a new cell of the defence's grid.
const SWEEPS: readonly Sweep[] = [
  { feature: 'amount', from: 5, to: 1500, step: 5 },
  { feature: 'device_trust', from: 0, to: 1, step: 0.01 },
  { feature: 'distance_km', from: 0, to: 200, step: 1 },
  { feature: 'hour', from: 0, to: 23, step: 1 },
];

/** An ordinary-looking transaction the prober starts from and returns to between sweeps. */
const BASE: TransactionFeatures = {
  amount: 42,
  hour: 14,
  distance_km: 4.2,
  account_age_days: 900,
  tx_count_24h: 3,
  avg_amount_30d: 40,
  device_trust: 0.82,
  merchant_category: 'online',
  channel: 'web',
};

/**
 * A caller trying to steal the model (drift-methods.md "Extraction defence"): it holds every feature of one ordinary
 * transaction fixed and sweeps one feature at a time across its range (a line search per feature), querying far
 * faster than any cardholder. scoreEvents should flag the sweep as probing and, past the per-caller limit, reject it.
 */
export class ProbingCaller {
  private sweep = 0;
  private step = 0;

  constructor(readonly callerId: string) {}

  next(id: string, timestamp: string): InputEvent {
    const sweep = SWEEPS[this.sweep]!;
    const value = Math.round((sweep.from + this.step * sweep.step) * 1000) / 1000;
    this.step++;
    if (sweep.from + this.step * sweep.step > sweep.to + 1e-9) {
      this.step = 0;
      this.sweep = (this.sweep + 1) % SWEEPS.length;
    }
    return { id, callerId: this.callerId, timestamp, features: { ...BASE, [sweep.feature]: value } };
  }
}
