import { describe, expect, it } from 'vitest';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';

const draw = (seed: number, rows: number, options: Parameters<TransactionGenerator['next']>[0] = {}) => {
  const generator = new TransactionGenerator(seed);
  return Array.from({ length: rows }, () => generator.next(options));
};

describe('TransactionGenerator', () => {
  it('is the same stream without camouflage as before it existed: no extra draw, the same values', () => {
    expect(draw(11, 2000, { camouflage: 0 })).toEqual(draw(11, 2000));
    expect(draw(11, 2000, { drift: 1, camouflage: 0 })).toEqual(draw(11, 2000, { drift: 1 }));
  });

  it('with full camouflage, about half the frauds look like ordinary transactions, and keep their fraud label', () => {
    // New accounts (under 40 days) are the fraud signature; ordinary accounts are 30 to 3,030 days old.
    const frauds = draw(12, 40_000, { fraudRate: 0.2, camouflage: 1 }).filter((t) => t.label === 1);
    const disguised = frauds.filter((t) => Number(t.features.account_age_days) >= 40).length / frauds.length;
    expect(frauds.length).toBeGreaterThan(7000);
    expect(disguised).toBeGreaterThan(0.45);
    expect(disguised).toBeLessThan(0.55);
    const plain = draw(12, 40_000, { fraudRate: 0.2 }).filter((t) => t.label === 1);
    expect(plain.every((t) => Number(t.features.account_age_days) < 40)).toBe(true);
  });
});
