import { expect } from 'vitest';
import { deriveSchema, type NumericFeatureSchema } from '../../../../shared/drift/schema.js';
import { profileFromColumns } from '../../../../shared/drift/profileFromColumns.js';
import { chiSquareContingency } from '../../../../shared/drift/stats/chiSquare.js';
import { hellingerTest } from '../../../../shared/drift/stats/hellinger.js';
import { jensenShannonTest } from '../../../../shared/drift/stats/jensenShannon.js';
import { ksPValue, ksTest } from '../../../../shared/drift/stats/ks.js';
import { meanShiftTest } from '../../../../shared/drift/stats/meanShift.js';
import { psiTest } from '../../../../shared/drift/stats/psi.js';
import type { StatContext } from '../../../../shared/drift/stats/statTest.js';
import { wassersteinTest } from '../../../../shared/drift/stats/wasserstein.js';
import { jensenShannonOf } from '../../../../shared/drift/stats/jensenShannon.js';
import { psiOf } from '../../../../shared/drift/stats/psi.js';
import { kolmogorovSf } from '../../../../shared/drift/stats/special/kolmogorov.js';
import { chiSquareSf } from '../../../../shared/drift/stats/special/gamma.js';

/** The shape scripts/golden/drift_stats.py writes; shared by the committed-golden test and the live system test. */
export interface GoldenFile {
  numeric: Array<{
    name: string;
    reference: number[];
    current: number[];
    psi: number;
    psiDecile: number;
    ksStatistic: number;
    ksPValue: number;
    wasserstein: number;
    jensenShannon: number;
    hellinger: number;
    meanShift: number;
    referenceRange: number;
    referenceStd: number;
  }>;
  categorical: Array<{
    name: string;
    referenceCounts: number[];
    currentCounts: number[];
    chiSquareStatistic: number;
    chiSquarePValue: number;
    jensenShannon: number;
    psi: number;
  }>;
  kolmogorov: Array<[number, number, number]>;
  chiSquare: Array<[number, number, number]>;
}

const close = (actual: number, expected: number, relative: number, absolute = 0): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(absolute, relative * Math.abs(expected)));
};

/** Runs our stat tests on a numeric case exactly as compareProfiles does (schema → profiles → registry). */
export function checkNumericCase(c: GoldenFile['numeric'][number]): void {
  const column = (values: number[]) => [{ name: 'x', type: 'numeric' as const, values: Float64Array.from(values) }];
  const schema = deriveSchema(column(c.reference), { exactValueCap: 10_000 });
  const feature = schema.features[0] as NumericFeatureSchema;
  const reference = profileFromColumns(schema, column(c.reference)).features.x!;
  const current = profileFromColumns(schema, column(c.current)).features.x!;
  const context = (threshold: number, psiBinning: StatContext['psiBinning'] = 'equal-width'): StatContext => ({
    feature,
    threshold,
    psiBinning,
    detectionLevel: 0.05,
  });
  close(psiTest.run(reference, current, context(0.2))!.score, c.psi, 0, 1e-9);
  close(psiTest.run(reference, current, context(0.2, 'decile'))!.score, c.psiDecile, 0, 1e-9);
  const ks = ksTest.run(reference, current, context(0.05))!;
  expect(ks.details.method).toBe('exact');
  close(ks.details.statistic as number, c.ksStatistic, 0, 1e-12);
  // scipy's asymptotic p-value; the test's own p-value may only be smaller where the baseline is discrete.
  close(ksPValue(c.ksStatistic, c.reference.length, c.current.length), c.ksPValue, 1e-9, 1e-15);
  if (ks.details.nullDistribution === 'kolmogorov') close(ks.score, c.ksPValue, 1e-9, 1e-15);
  else expect(ks.score).toBeLessThanOrEqual(c.ksPValue);
  const w = wassersteinTest.run(reference, current, context(0.1))!;
  close(w.details.raw as number, c.wasserstein, 1e-9);
  close(w.details.perRange as number, c.wasserstein / c.referenceRange, 1e-9);
  close(w.score, c.wasserstein / c.referenceStd, 1e-9);
  close(jensenShannonTest.run(reference, current, context(0.1))!.score, c.jensenShannon, 0, 1e-9);
  close(hellingerTest.run(reference, current, context(0.1))!.score, c.hellinger, 0, 1e-9);
  close(meanShiftTest.run(reference, current, context(0.5))!.score, c.meanShift, 1e-9);
}

export function checkCategoricalCase(c: GoldenFile['categorical'][number]): void {
  const chi = chiSquareContingency(c.referenceCounts, c.currentCounts);
  close(chi.statistic, c.chiSquareStatistic, 1e-12, 1e-12);
  close(chi.pValue, c.chiSquarePValue, 1e-9, 1e-300);
  close(jensenShannonOf(c.referenceCounts, c.currentCounts), c.jensenShannon, 0, 1e-12);
  close(psiOf(c.referenceCounts, c.currentCounts), c.psi, 0, 1e-9);
}

export function checkSpecialFunctions(golden: GoldenFile): void {
  for (const [n, x, expected] of golden.kolmogorov) close(kolmogorovSf(n, x), expected, 1e-9, 1e-300);
  for (const [x, k, expected] of golden.chiSquare) close(chiSquareSf(x, k), expected, 1e-9, 1e-300);
}
