import type { ScoredRecord } from '../../shared/contracts/records.js';
import { AUC_BINS, type PerformanceState } from '../../shared/drift/profile.js';
import { createRandom, type Random } from '../../shared/baseline/random.js';
import type { StreamBaseline } from '../../shared/stream/baselineReference.js';

/**
 * Seeded scored streams of a calibrated binary classifier, for the stream detectors' tests and benchmark: the score is
 * sigmoid(mean + spread·g) with g standard normal, the label is drawn with the score's probability (so the
 * probabilities are calibrated), the prediction is the score rounded. A scenario changes, per event index, how much
 * of the label is forced wrong (concept drift: the accuracy drops, the scores do not move) and how far the score's
 * mean moves (prediction drift).
 */
export interface StreamScenario {
  seed: number;
  /** Extra error rate at event i: the share of events whose label is forced to disagree with the prediction. */
  extraError?: (i: number) => number;
  /** Shift of the score's logit mean at event i. */
  logitShift?: (i: number) => number;
  /** Share of events sent as FLAG at event i (default BASE_FLAG_SHARE). */
  flagShare?: (i: number) => number;
  /** Share of events that carry their label (default 1). */
  labelledShare?: number;
}

export const STREAM_LOGIT_MEAN = -1.5;
export const STREAM_LOGIT_SPREAD = 1.5;
export const BASE_FLAG_SHARE = 0.05;

/** One mutable record reused for every event: the detectors keep no reference to it, only ids. */
export class ScoredStream {
  private readonly random: Random;
  private readonly record: ScoredRecord;
  private index = 0;

  constructor(private readonly scenario: StreamScenario) {
    this.random = createRandom(scenario.seed);
    this.record = blankScoredRecord('synthetic', 'synthetic');
  }

  /** The next event, and whether the model's prediction of it is wrong (known even when its label is not sent). */
  next(): { record: ScoredRecord; error: boolean } {
    const i = this.index++;
    const r = this.record;
    const s = this.scenario;
    const logit = STREAM_LOGIT_MEAN + (s.logitShift?.(i) ?? 0) + STREAM_LOGIT_SPREAD * this.random.nextGaussian();
    const score = 1 / (1 + Math.exp(-logit));
    const prediction = score >= 0.5 ? 1 : 0;
    let label = this.random.nextFloat() < score ? 1 : 0;
    if (this.random.nextFloat() < (s.extraError?.(i) ?? 0)) label = 1 - prediction;
    const confidence = Math.max(score, 1 - score);
    r.id = `e${i}`;
    r.sequenceNumber = i;
    r.score = score;
    r.confidence = confidence;
    r.entropy = binaryEntropy(score);
    r.prediction = String(prediction);
    r.label = s.labelledShare === undefined || this.random.nextFloat() < s.labelledShare ? label : null;
    r.decision = this.random.nextFloat() < (s.flagShare?.(i) ?? BASE_FLAG_SHARE) ? 'FLAG' : 'ACCEPT';
    return { record: r, error: label !== prediction };
  }
}

/**
 * The baseline of a stationary stream, built as `mrm baseline` builds its held-out part: confusion counts, the AUC
 * score histograms and the score's decile edges and counts over `rows` held-out events.
 */
export function syntheticStreamBaseline(rows: number, seed: number): StreamBaseline {
  const stream = new ScoredStream({ seed });
  const scores: number[] = [];
  const performance: PerformanceState = {
    labelled: 0,
    confusion: new Array<number>(9).fill(0),
    scoreHistogram: { positive: new Array<number>(AUC_BINS).fill(0), negative: new Array<number>(AUC_BINS).fill(0) },
  };
  for (let i = 0; i < rows; i++) {
    const { record } = stream.next();
    const label = Number(record.label);
    const predicted = Number(record.prediction);
    performance.labelled++;
    performance.confusion[label * 3 + predicted]!++;
    const bin = Math.min(AUC_BINS - 1, Math.floor(record.score! * AUC_BINS));
    (label === 1 ? performance.scoreHistogram!.positive : performance.scoreHistogram!.negative)[bin]!++;
    scores.push(record.score!);
  }
  scores.sort((a, b) => a - b);
  const decileEdges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((q) => scores[Math.floor((q / 10) * (scores.length - 1))]!);
  const decileCounts = new Array<number>(10).fill(0);
  for (const score of scores) {
    let bucket = 0;
    while (bucket < decileEdges.length && decileEdges[bucket]! <= score) bucket++;
    decileCounts[bucket]!++;
  }
  return {
    profileVersion: `synthetic-${seed}-${rows}`,
    heldOut: { performance, scoredBy: { classes: ['0', '1'] } },
    schema: { prediction: { score: { decileEdges } } },
    data: { prediction: { score: { decileCounts } } },
  };
}

function binaryEntropy(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
}

/** The scored record a stream reuses for every event (fields it sets per event start empty). */
export function blankScoredRecord(modelVersion: string, profileVersion: string): ScoredRecord {
  return {
    kind: 'mrm.scored',
    id: '',
    callerId: null,
    partition: '0',
    sequenceNumber: 0,
    enqueuedTime: null,
    features: {},
    label: null,
    prediction: null,
    probabilities: null,
    score: null,
    confidence: null,
    entropy: null,
    risk: 'LOW',
    issues: [],
    decision: 'ACCEPT',
    reasons: [],
    modelVersion,
    modelKind: 'classifier',
    profileVersion,
    scoredAt: '2026-11-10T12:00:00.000Z',
  };
}
