import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { checkCategoricalCase, checkNumericCase, checkSpecialFunctions, type GoldenFile } from './goldenCases.js';

// Reference values committed with the script that made them: scripts/golden/drift_stats.py (numpy + scipy).
const golden = JSON.parse(
  readFileSync(new URL('../../../fixtures/golden/drift_stats.json', import.meta.url), 'utf8'),
) as GoldenFile;

describe('stat tests agree with the seed and scipy (committed golden values)', () => {
  for (const c of golden.numeric) {
    it(`numeric: ${c.name} — PSI to 1e-9, KS statistic and asymptotic p-value, Wasserstein, JS, Hellinger, mean shift`, () => {
      checkNumericCase(c);
    });
  }
  for (const c of golden.categorical) {
    it(`categorical: ${c.name} — chi-square test of homogeneity (scipy chi2_contingency), JS base 2, PSI with __other__/__missing__`, () => {
      checkCategoricalCase(c);
    });
  }
  it('the Kolmogorov distribution matches scipy.stats.kstwo.sf in every algorithm region, chi-square sf matches chi2.sf', () => {
    checkSpecialFunctions(golden);
  });
});
