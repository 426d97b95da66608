import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import {
  checkCategoricalCase,
  checkNumericCase,
  checkSpecialFunctions,
  type GoldenFile,
} from '../shared/drift/stats/goldenCases.js';
import { checkSameZoo, checkZooWindow, drawChecked, type ZooGoldenFile } from '../shared/drift/stats/zooGoldenCases.js';

// Live variant of the golden tests: regenerates the reference values with Debian's numpy/scipy right now.
const dir = mkdtempSync(join(tmpdir(), 'mrm-drift-golden-'));
const out = join(dir, 'drift_stats.json');
execFileSync('/usr/bin/python3', ['scripts/golden/drift_stats.py', out], { stdio: 'pipe' });
const live = JSON.parse(readFileSync(out, 'utf8')) as GoldenFile;
// The zoo with a window of 1,000,000 values per case on top of the committed sizes.
const zooOut = join(dir, 'distribution_zoo.json');
execFileSync('/usr/bin/python3', ['scripts/golden/distribution_zoo.py', '--large', zooOut], { stdio: 'pipe' });
const zoo = JSON.parse(readFileSync(zooOut, 'utf8')) as ZooGoldenFile;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stat tests agree with live numpy/scipy', () => {
  for (const c of live.numeric) it(`numeric: ${c.name}`, () => checkNumericCase(c));
  for (const c of live.categorical) it(`categorical: ${c.name}`, () => checkCategoricalCase(c));
  it('Kolmogorov and chi-square survival functions', () => checkSpecialFunctions(live));
});

describe('sketch KS and Wasserstein agree with live scipy on the distribution zoo, up to 1M values', () => {
  it('numpy drew the zoo that bench/quality/distributionZoo.ts declares', () => checkSameZoo(zoo));
  for (const c of zoo.cases) {
    it(`${c.name}: the issue's sizes`, () => {
      const { reference, current } = c.issueSizes;
      checkZooWindow(drawChecked(c.reference, reference), drawChecked(c.current, current), c.issueSizes);
    });
    for (const w of c.windows) {
      it(`${c.name}: ${w.drifted ? 'drifted' : 'undrifted'} window of ${w.size}`, () => {
        const reference = drawChecked(c.reference, c.referenceSample);
        checkZooWindow(reference, drawChecked(w.drifted ? c.current : c.reference, w), w);
      });
    }
  }
});
