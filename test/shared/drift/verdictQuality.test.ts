import { describe, expect, it } from 'vitest';
import { compareProfiles } from '../../../shared/drift/compare.js';
import { profileFromColumns } from '../../../shared/drift/profileFromColumns.js';
import { deriveSchema } from '../../../shared/drift/schema.js';
import { CHANGED_FEATURE, seededColumns } from '../../../bench/quality/seededFeatures.js';

// A small sample of what `npm run bench:quality` measures at full size (50 weeks, 20 windows per cell, beside
// Evidently): the seeded features built to break drift rules, against a 20k-row baseline.
const baselineColumns = seededColumns(1, 20_000);
const schema = deriveSchema(baselineColumns);
const reference = profileFromColumns(schema, baselineColumns);
const judge = (seed: number, rows: number, change: Parameters<typeof seededColumns>[2] = 'none') =>
  compareProfiles(reference, profileFromColumns(schema, seededColumns(seed, rows, change)), { schema });

describe('drift verdicts on seeded features (skewed, integer, binary, heavy-tailed, gapped, near-constant, categorical)', () => {
  it('flags at most one feature over six no-drift weeks of 10k–50k events, and never the dataset', () => {
    const weeks = [10_000, 20_000, 50_000, 10_000, 20_000, 50_000].map((rows, week) => judge(100 + week, rows));
    const flags = weeks.flatMap((a) => a.drift.driftedFeatures);
    expect(flags.length).toBeLessThanOrEqual(1);
    expect(weeks.every((a) => !a.drift.drifted && a.status === 'assessed')).toBe(true);
  });

  it.each(['meanShift', 'variance', 'outliers', 'categoryShift'] as const)(
    'detects %s at 10k events in every one of five windows, and flags no undrifted companion',
    (change) => {
      const target = CHANGED_FEATURE[change];
      for (let rep = 0; rep < 5; rep++) {
        const a = judge(500 + rep, 10_000, change);
        expect(a.drift.driftedFeatures).toEqual([target]);
      }
    },
  );
});
