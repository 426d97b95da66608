import {
  readRealStreamFixture,
  realStreamBaseline,
  REAL_STREAM_DATASETS,
  ResampledStream,
  type RealChange,
} from '../dev/synthetic/resampledStream.js';
import { StreamMonitor } from '../shared/stream/streamMonitor.js';
import type { StreamCase } from './streamCase.js';
import { repoPath } from '../cli/repoPath.js';
import { STREAM_BENCH_OPTIONS } from './streamOptions.js';

const ONSET = 20_000;

/**
 * Streams resampled from a model's out-of-fold probabilities on scikit-learn's breast cancer, digits and diabetes
 * (scripts/stream/make_real_streams.py): per dataset a stationary labelled stream and a stationary unlabelled one
 * (false alarms), a label change for a subgroup (concept drift; River reads the errors) and a switch to a
 * subpopulation (prediction drift; River reads the score).
 */
export function realStreamCases(o: {
  repeats: number;
  stationaryEvents: number;
  stationaryRepeats: number;
}): StreamCase[] {
  const cases: StreamCase[] = [];
  for (const dataset of REAL_STREAM_DATASETS) {
    const fixture = readRealStreamFixture(dataset, repoPath());
    const monitor = new StreamMonitor(realStreamBaseline(fixture), STREAM_BENCH_OPTIONS);
    const make =
      (labelled: boolean, change?: RealChange, seedBase = 0) =>
      (r: number) => {
        const stream = new ResampledStream(fixture, {
          seed: 7000 + seedBase + r,
          ...(change ? { change, onset: ONSET } : {}),
          ...(labelled ? {} : { labelledShare: 0 }),
        });
        return { monitor, next: () => stream.next() };
      };
    const name = dataset.replace('_', ' ');
    cases.push(
      {
        name: `${name}: stationary errors`,
        description: `${dataset}, pool rows resampled, labelled: every alarm is false`,
        segment: o.stationaryEvents,
        onset: null,
        repeats: o.stationaryRepeats,
        riverReads: 'error',
        stationaryPartner: null,
        ourDetector: 'errorCusum',
        run: make(true, undefined, 100),
      },
      {
        name: `${name}: stationary scores`,
        description: `${dataset}, pool rows resampled, no labels: every alarm is false`,
        segment: o.stationaryEvents,
        onset: null,
        repeats: o.stationaryRepeats,
        riverReads: 'score',
        stationaryPartner: null,
        ourDetector: 'score',
        run: make(false, undefined, 200),
      },
      {
        name: `${name}: label change`,
        description: `${dataset}: ${fixture.changes.flip} (labelled)`,
        segment: 2 * ONSET,
        onset: ONSET,
        repeats: o.repeats,
        riverReads: 'error',
        stationaryPartner: `${name}: stationary errors`,
        ourDetector: 'errorCusum',
        run: make(true, 'flip', 300),
      },
      {
        name: `${name}: subpopulation`,
        description: `${dataset}: ${fixture.changes.subpopulation} (no labels)`,
        segment: 2 * ONSET,
        onset: ONSET,
        repeats: o.repeats,
        riverReads: 'score',
        stationaryPartner: `${name}: stationary scores`,
        ourDetector: 'score',
        run: make(false, 'subpopulation', 400),
      },
    );
  }
  return cases;
}
