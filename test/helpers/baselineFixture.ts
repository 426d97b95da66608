import { buildBaseline } from '../../shared/baseline/buildBaseline.js';
import { readTrainingData } from '../../shared/baseline/trainingData.js';
import type { BaselineProfile } from '../../shared/baseline/profile.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';

const cache = new Map<string, BaselineProfile>();

/** A baseline built the way `mrm baseline` builds it, from the synthetic transactions (memoised per process). */
export function transactionBaseline(rows = 4000, seed = 7): BaselineProfile {
  const key = `${rows}:${seed}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const csv = new TransactionGenerator(seed).csv(rows);
  const table = readTrainingData(csv, {
    format: 'csv',
    id: 'id',
    label: 'label',
    categorical: ['merchant_category', 'channel'],
  });
  if (!table.ok) throw new Error(table.error.message);
  const built = buildBaseline(table.value, {
    seed,
    createdAt: '2026-11-02T00:00:00.000Z',
    source: { file: 'synthetic.csv', format: 'csv' },
    columns: { id: 'id', label: 'label' },
  });
  if (!built.ok) throw new Error(built.error.message);
  cache.set(key, built.value);
  return built.value;
}

/** A typical, valid event body of the transaction contract. */
export function goodBody(id: string, overrides: Record<string, number | string | null> = {}, callerId = 'caller-1') {
  return {
    id,
    callerId,
    timestamp: '2026-11-10T12:00:00Z',
    features: {
      amount: 40,
      hour: 14,
      distance_km: 4.5,
      account_age_days: 1200,
      tx_count_24h: 3,
      avg_amount_30d: 38,
      device_trust: 0.8,
      merchant_category: 'grocery',
      channel: 'pos',
      ...overrides,
    },
  };
}
