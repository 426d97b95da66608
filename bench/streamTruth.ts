import { syntheticStreamBaseline, STREAM_LOGIT_MEAN, STREAM_LOGIT_SPREAD } from '../dev/synthetic/scoredStream.js';
import { confidenceGroup } from '../shared/stream/confidenceErrors.js';
import { runLength } from '../shared/stream/integerCusum.js';
import { normalCdf, normalQuantile } from '../shared/stream/normalTail.js';
import { StreamMonitor } from '../shared/stream/streamMonitor.js';
import { STREAM_BENCH_OPTIONS } from './streamOptions.js';

/** Per seeded baseline: expected false alarms per 10M events of the error and score walks at the stream's true law. */
export interface ExactFalseAlarms {
  baselineSeed: number;
  errorCusumPerTenMillion: number;
  scorePerTenMillion: number;
}

/**
 * The seeded streams' true distribution is known (a logit-normal score, labels drawn with it), so each walk's exact
 * run length at it, not at the baseline's estimate, says what false-alarm rate the bench's stationary streams have:
 * a count of alarms in 10M events only samples it.
 */
export function exactFalseAlarms(baselineSeeds: readonly number[]): ExactFalseAlarms[] {
  const logit = (p: number): number => Math.log(p / (1 - p));
  return baselineSeeds.map((seed) => {
    const monitor = new StreamMonitor(syntheticStreamBaseline(20_000, seed), STREAM_BENCH_OPTIONS);
    const bins = monitor.scoreBins!;
    const truth: number[] = [];
    let below = 0;
    for (let i = 0; i <= bins.edges.length; i++) {
      const cdf =
        i === bins.edges.length ? 1 : normalCdf((logit(bins.edges[i]!) - STREAM_LOGIT_MEAN) / STREAM_LOGIT_SPREAD);
      truth.push(cdf - below);
      below = cdf;
    }
    const walks = monitor.confidenceErrors!;
    const cells = new Array<number>(2 * walks.reference.rows.length).fill(0);
    const steps = 200_000;
    for (let i = 0; i < steps; i++) {
      const score = 1 / (1 + Math.exp(-(STREAM_LOGIT_MEAN + STREAM_LOGIT_SPREAD * normalQuantile((i + 0.5) / steps))));
      const group = confidenceGroup(walks.reference, Math.max(score, 1 - score));
      const error = Math.min(score, 1 - score);
      cells[2 * group]! += (1 - error) / steps;
      cells[2 * group + 1]! += error / steps;
    }
    const rate = (lengths: number[]): number => lengths.reduce((a, l) => a + 1e7 / l, 0);
    return {
      baselineSeed: seed,
      errorCusumPerTenMillion: rate(walks.walks.map((d) => runLength(d.steps, cells, d.threshold))),
      scorePerTenMillion: rate(monitor.scoreWalks.map((w) => runLength(w.design.steps, truth, w.design.threshold))),
    };
  });
}
