import { createRandom, type Random } from '../../shared/baseline/random.js';
import type { InputEvent } from '../../shared/contracts/records.js';

/**
 * A synthetic card-transaction stream, as in an anomaly-detection pipeline: the demo's training set and its live
 * traffic, with optional drift and attacks. Seeded, so every run (and every test) sees the same data.
 */
export const TRANSACTION_FEATURES = [
  { name: 'amount', type: 'numeric' },
  { name: 'hour', type: 'numeric' },
  { name: 'distance_km', type: 'numeric' },
  { name: 'account_age_days', type: 'numeric' },
  { name: 'tx_count_24h', type: 'numeric' },
  { name: 'avg_amount_30d', type: 'numeric' },
  { name: 'device_trust', type: 'numeric' },
  { name: 'merchant_category', type: 'categorical' },
  { name: 'channel', type: 'categorical' },
] as const;

const CATEGORIES = ['grocery', 'restaurants', 'fuel', 'online', 'travel', 'electronics', 'pharmacy'];
const CATEGORY_WEIGHTS = [0.28, 0.2, 0.14, 0.18, 0.06, 0.08, 0.06];
const CHANNELS = ['pos', 'web', 'app'];
const CHANNEL_WEIGHTS = [0.55, 0.25, 0.2];

export interface TransactionOptions {
  /** Share of fraudulent transactions (label 1). Default 0.03. */
  fraudRate?: number;
  /**
   * Drift strength in [0, 1]: 0 is the training distribution; 1 shifts amounts up ~60%, moves activity to late
   * hours, favours online/electronics and the app channel.
   */
  drift?: number;
  /**
   * Concept drift in [0, 1]: fraudsters adapt, and this share of half the frauds look like ordinary transactions.
   * Their label stays fraud, so a model trained on the old pattern misses them.
   */
  camouflage?: number;
}

export type TransactionFeatures = Record<(typeof TRANSACTION_FEATURES)[number]['name'], number | string>;

export class TransactionGenerator {
  private readonly random: Random;

  constructor(seed: number) {
    this.random = createRandom(seed);
  }

  next(options: TransactionOptions = {}): { features: TransactionFeatures; label: 0 | 1 } {
    const r = this.random;
    const drift = options.drift ?? 0;
    const fraud = r.nextFloat() < (options.fraudRate ?? 0.03);
    const category = pick(r, CATEGORIES, drift > 0 ? tilt(CATEGORY_WEIGHTS, [3, 4], drift) : CATEGORY_WEIGHTS);
    const channel = pick(r, CHANNELS, drift > 0 ? tilt(CHANNEL_WEIGHTS, [2], drift) : CHANNEL_WEIGHTS);
    const avg30 = round2(Math.exp(3.6 + 0.5 * r.nextGaussian()));
    let amount = avg30 * Math.exp(0.45 * r.nextGaussian()) * (1 + 0.6 * drift);
    let hour = Math.round(14 + 4 * r.nextGaussian() + 5 * drift);
    let distance = Math.exp(1.5 + 0.9 * r.nextGaussian());
    let accountAge = Math.floor(30 + r.nextFloat() * 3000);
    let count24h = poisson(r, 3 + 2 * drift);
    let deviceTrust = clamp(0.8 + 0.12 * r.nextGaussian(), 0, 1);
    if (fraud) {
      const ordinary = { amount, hour, distance, accountAge, count24h, deviceTrust };
      amount *= 4 + 4 * r.nextFloat();
      hour = Math.round(2 + 3 * r.nextGaussian());
      distance *= 20 + 30 * r.nextFloat();
      accountAge = Math.floor(r.nextFloat() * 40);
      count24h += 6 + poisson(r, 4);
      deviceTrust = clamp(0.3 + 0.15 * r.nextGaussian(), 0, 1);
      // Without camouflage no draw is made: the values are exactly the ones before it existed (seeded tests rely on
      // them). With it, a share of the frauds (half at full strength) looks like an ordinary transaction.
      const camouflage = clamp(options.camouflage ?? 0, 0, 1);
      if (camouflage > 0 && r.nextFloat() < 0.5 * camouflage) {
        ({ amount, hour, distance, accountAge, count24h, deviceTrust } = ordinary);
      }
    }
    hour = ((hour % 24) + 24) % 24;
    return {
      features: {
        amount: round2(amount),
        hour,
        distance_km: round2(distance),
        account_age_days: accountAge,
        tx_count_24h: count24h,
        avg_amount_30d: avg30,
        device_trust: round2(deviceTrust * 1000) / 1000,
        merchant_category: category,
        channel,
      },
      label: fraud ? 1 : 0,
    };
  }

  /** Training data as CSV text with a header, `id` and `label` columns. */
  csv(rows: number, options: TransactionOptions = {}): string {
    const names = TRANSACTION_FEATURES.map((f) => f.name);
    const lines = [['id', ...names, 'label'].join(',')];
    for (let i = 0; i < rows; i++) {
      const { features, label } = this.next(options);
      lines.push([`t${i}`, ...names.map((n) => features[n]), label].join(','));
    }
    return lines.join('\n') + '\n';
  }

  /** An input event of the contract. */
  event(id: string, callerId: string, timestamp: string, options: TransactionOptions = {}): InputEvent {
    const { features, label } = this.next(options);
    return { id, callerId, timestamp, features, label };
  }

  get rng(): Random {
    return this.random;
  }
}

function pick(r: Random, values: readonly string[], weights: readonly number[]): string {
  let u = r.nextFloat() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < values.length; i++) {
    u -= weights[i]!;
    if (u < 0) return values[i]!;
  }
  return values[values.length - 1]!;
}

function tilt(weights: readonly number[], favoured: readonly number[], strength: number): number[] {
  return weights.map((w, i) => (favoured.includes(i) ? w * (1 + 3 * strength) : w));
}

function poisson(r: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = r.nextFloat();
  while (p > limit) {
    k++;
    p *= r.nextFloat();
  }
  return k;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round2 = (x: number): number => Math.round(x * 100) / 100;
