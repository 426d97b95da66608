import { chiSquareSf } from './special/gamma.js';
import { binnedCounts } from './binned.js';
import { DEFAULT_FALSE_ALARM_BUDGET, type StatTest } from './statTest.js';

/** Cochran's rule: cells whose expected count in either sample is below this are pooled before testing. */
export const MIN_EXPECTED_COUNT = 5;

export interface ContingencyResult {
  statistic: number;
  pValue: number;
  dof: number;
  /** Bins tested after pooling sparse ones. */
  cells: number;
}

/**
 * Pearson's chi-square test of homogeneity on the 2 × k table of reference and current counts (scipy's
 * chi2_contingency without continuity correction): both samples are samples, so under "same distribution" the
 * p-value is uniform whatever their sizes. Categories sparse in the pooled table (expected count below 5 in the
 * smaller sample) are pooled into one cell first, so the chi-square approximation holds; bins empty on both sides
 * carry no information and are left out.
 */
export function chiSquareContingency(
  reference: ReadonlyArray<number>,
  current: ReadonlyArray<number>,
): ContingencyResult {
  const refTotal = reference.reduce((a, b) => a + b, 0);
  const curTotal = current.reduce((a, b) => a + b, 0);
  const total = refTotal + curTotal;
  if (refTotal === 0 || curTotal === 0) return { statistic: 0, pValue: 1, dof: 0, cells: 0 };
  const smaller = Math.min(refTotal, curTotal);
  const cells: Array<[number, number]> = [];
  let pooled: [number, number] = [0, 0];
  const order = reference.map((r, i) => [r, current[i]!] as [number, number]).filter(([r, c]) => r + c > 0);
  for (const [r, c] of order) {
    if (((r + c) / total) * smaller >= MIN_EXPECTED_COUNT) cells.push([r, c]);
    else pooled = [pooled[0] + r, pooled[1] + c];
  }
  if (pooled[0] + pooled[1] > 0) {
    // A pooled cell still too sparse joins the smallest kept cell.
    if (((pooled[0] + pooled[1]) / total) * smaller < MIN_EXPECTED_COUNT && cells.length > 0) {
      let smallest = 0;
      for (let i = 1; i < cells.length; i++)
        if (cells[i]![0] + cells[i]![1] < cells[smallest]![0] + cells[smallest]![1]) smallest = i;
      cells[smallest] = [cells[smallest]![0] + pooled[0], cells[smallest]![1] + pooled[1]];
    } else cells.push(pooled);
  }
  const k = cells.length;
  if (k < 2) return { statistic: 0, pValue: 1, dof: 0, cells: k };
  let statistic = 0;
  for (const [r, c] of cells) {
    const column = r + c;
    const expectedRef = (column * refTotal) / total;
    const expectedCur = (column * curTotal) / total;
    statistic += (r - expectedRef) ** 2 / expectedRef + (c - expectedCur) ** 2 / expectedCur;
  }
  return { statistic, pValue: chiSquareSf(statistic, k - 1), dof: k - 1, cells: k };
}

/** The statistic x with chi2.sf(x, dof) = p, by bisection (the survival function is monotone). */
export function chiSquareCritical(dof: number, p: number): number {
  let lo = 0;
  let hi = Math.max(1, dof);
  while (chiSquareSf(hi, dof) > p) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (chiSquareSf(mid, dof) > p) lo = mid;
    else hi = mid;
  }
  return hi;
}

export const chiSquareTest: StatTest = {
  name: 'chiSquare',
  label: 'χ² p',
  description: 'Chi-square test of homogeneity of the two samples’ categories (significance: p-value)',
  roles: { categorical: 'significance' },
  direction: 'p-value',
  defaultThreshold: DEFAULT_FALSE_ALARM_BUDGET,
  run(reference, current, context) {
    const bins = binnedCounts(reference, current, context);
    const result = chiSquareContingency(bins.reference, bins.current);
    return {
      score: result.pValue,
      threshold: context.threshold,
      direction: 'p-value',
      beyondThreshold: result.pValue < context.threshold,
      minimumDetectable: null,
      details: { statistic: result.statistic, dof: result.dof, cells: result.cells },
    };
  },
};
