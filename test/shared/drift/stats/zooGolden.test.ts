import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { checkSameZoo, checkZooWindow, drawChecked, type ZooGoldenFile } from './zooGoldenCases.js';

// scipy's ks_2samp and wasserstein_distance on the zoo, committed with the script that made them
// (scripts/golden/distribution_zoo.py); the values themselves are drawn again here by the same generator.
const golden = JSON.parse(
  readFileSync(new URL('../../../fixtures/golden/distribution_zoo.json', import.meta.url), 'utf8'),
) as ZooGoldenFile;

describe('sketch KS and Wasserstein agree with scipy on the distribution zoo (committed golden values)', () => {
  it('the fixture was made from the zoo that bench/quality/distributionZoo.ts declares', () => {
    checkSameZoo(golden);
  });
  for (const c of golden.cases) {
    describe(c.name, () => {
      const reference = () => drawChecked(c.reference, c.referenceSample);
      it(`the issue's sizes: ${c.issueSizes.reference.size} baseline rows, ${c.issueSizes.current.size} events`, () => {
        checkZooWindow(
          drawChecked(c.reference, c.issueSizes.reference),
          drawChecked(c.current, c.issueSizes.current),
          c.issueSizes,
        );
      });
      for (const w of c.windows) {
        it(`${w.drifted ? 'drifted' : 'undrifted'} window of ${w.size} against ${c.referenceSample.size}`, () => {
          checkZooWindow(reference(), drawChecked(w.drifted ? c.current : c.reference, w), w);
        });
      }
    });
  }
});
