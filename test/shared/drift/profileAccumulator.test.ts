import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileAccumulator } from '../../../shared/drift/profileAccumulator.js';
import { ContractScanner } from '../../../shared/contracts/fast/contractScanner.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

const schema = transactionBaseline().schema;

// Values the event contract admits, which are all a scanned body can hold: finite numbers or null for a numeric
// feature, strings or null for a categorical one.
const numeric = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom<number | null>(null, 0, -0, 1e300, -1e-300) },
);
const category = fc.constantFrom<string | null>(null, 'pos', 'web', 'grocery', 'fax', '', '12');
const event = fc.record(
  Object.fromEntries(schema.features.map((f) => [f.name, f.type === 'numeric' ? numeric : category])),
);

describe('ProfileAccumulator.addScanned', () => {
  it('gives the profile of addFeatures, however scanned and parsed events interleave and snapshots cut in', () => {
    fc.assert(
      fc.property(
        // Enough events to cross the numeric batch (256 events) more than once.
        fc.array(fc.tuple(event, fc.constantFrom('scan', 'scan', 'scan', 'parse', 'snapshot')), {
          minLength: 200,
          maxLength: 700,
        }),
        (steps) => {
          const reference = new ProfileAccumulator(schema);
          const mixed = new ProfileAccumulator(schema);
          const scanner = new ContractScanner(schema.features, 256);
          const snapshots: unknown[] = [];
          const expected: unknown[] = [];
          for (const [features, how] of steps) {
            reference.addFeatures(features);
            if (how === 'parse') mixed.addFeatures(features);
            else {
              expect(scanner.scan(Buffer.from(JSON.stringify({ id: 'e', features })))).toBe(true);
              mixed.addScanned(scanner.values);
            }
            if (how === 'snapshot') {
              snapshots.push(mixed.toProfile());
              expected.push(reference.toProfile());
            }
          }
          expect(snapshots).toEqual(expected);
          expect(mixed.toProfile()).toEqual(reference.toProfile());
        },
      ),
      { numRuns: 40 },
    );
    // About 18 s alone; a loaded two-core machine running the whole suite has needed 75 s.
  }, 180_000);
});
