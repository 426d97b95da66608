import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileAccumulator } from '../../../shared/drift/profileAccumulator.js';
import { EventBodyScanner } from '../../../shared/drift/run/fast/eventBodyScanner.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

const schema = transactionBaseline().schema;
const names = schema.features.map((f) => f.name);

const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e4, max: 1e4, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'pos', 'web', 'grocery', true, 0, -0, 1e300) },
);
const event = fc.record(Object.fromEntries(names.map((n) => [n, value])), { requiredKeys: [] });

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
          const scanner = new EventBodyScanner(mixed.featureNames);
          const snapshots: unknown[] = [];
          const expected: unknown[] = [];
          for (const [features, how] of steps) {
            reference.addFeatures(features);
            if (how === 'parse') mixed.addFeatures(features);
            else {
              expect(scanner.scan(Buffer.from(JSON.stringify({ features })))).toBe(true);
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
