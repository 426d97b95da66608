import { driftQuality } from './driftVerdicts.js';
import { numericAccuracy } from './numericAccuracy.js';

/**
 * `npm run bench:quality`: is every number and verdict right, and how often, against the tools users would otherwise
 * pick, in one run. `--json` adds one JSON object with every figure on the last line; `--quick` runs fewer
 * repetitions.
 */
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const figures: Record<string, unknown> = { node: process.version };
const print = (line: string): void => console.log(line);

figures.numericAccuracy = await numericAccuracy(print);
figures.drift = await driftQuality(
  print,
  quick
    ? {
        nullWeeks: 10,
        evidentlyNullWeeks: 3,
        detectionRepeats: 5,
        evidentlyRepeats: 1,
        calibrationRepeats: 100,
        realSplits: 5,
        conceptRepeats: 100,
      }
    : {},
);

if (json) console.log(JSON.stringify(figures));
