import type { ScoredRecord } from '../contracts/records.js';
import { baselineReference, type BaselineReference, type StreamBaseline } from './baselineReference.js';
import { designBernoulliCusum, freshCusum, stepCusum, type BernoulliCusumDesign } from './bernoulliCusum.js';
import { binnedScore, designScoreWalks, scoreBin, type BinnedScore } from './binnedScore.js';
import {
  confidenceErrors,
  confidenceGroup,
  designConfidenceErrorWalk,
  type ConfidenceErrors,
} from './confidenceErrors.js';
import { stepWalk, type IntegerCusumDesign } from './integerCusum.js';
import { normalQuantile, normalUpperQuantile } from './normalTail.js';
import {
  freshEstimateWindow,
  freshStreamState,
  parseStreamState,
  REFERENCE_BINS,
  type IndicatorState,
  type StreamState,
} from './streamState.js';
import { designWindowRule, stepWindow, type WindowRuleDesign } from './windowedErrorRule.js';
import {
  cusumAlarm,
  walkAlarm,
  type AccuracyEstimate,
  type StreamAlarm,
  type StreamObservation,
} from './streamAlarm.js';

export {
  DETECTORS,
  type AccuracyEstimate,
  type DetectorName,
  type StreamAlarm,
  type StreamObservation,
} from './streamAlarm.js';

export interface StreamMonitorOptions {
  /** Labelled events per tumbling window of the windowed rule, and classifier events per estimation window. */
  windowEvents: number;
  /** Smallest accuracy drop (error-rate rise) worth an alarm; also the rise the error CUSUM is tuned to. */
  minDrop: number;
  /** Expected events between false alarms of each detector on a stationary stream, per partition. */
  falseAlarmBudgetInEvents: number;
  /** Events of a partition from which a reference the baseline does not hold is learned. */
  referenceEvents: number;
  /** Rise (or fall) of an unlabelled indicator's rate the CUSUMs are tuned to. */
  shift: number;
}

/**
 * Baseline rates and shares come from a sample: each walk's threshold is calibrated at the least favourable
 * in-control distribution within this many standard errors of the estimate, in the walk's own direction, so the
 * budget holds unless the baseline's sample was off by more than that (0.13 % of baselines). At 2 a baseline drawn
 * near that bound left a walk only 1.15 times its budget at the true distribution (0.45 false alarms per 10M events
 * expected of its detector); at 3 the six seeded baselines of bench/stream.ts expect 0.10 to 0.18 per 10M of the
 * score walks and 0.001 to 0.13 of the error walks, for a tenth more delay. At 1 a 10M-event stream saw a false alarm.
 */
const REFERENCE_Z = 3;
/**
 * A reference learned from a partition's first events is a smaller sample taken once per state, and a low draw would
 * tilt every later run towards false alarms: four standard errors (at 1, 5 false alarms in 10M events; at 3, a
 * non-ACCEPT share drawn 2.5 standard errors low paged twice in 10M, its run length at the true share 16M events;
 * at 4 that draw's is 52M).
 */
const LEARNED_REFERENCE_Z = 4;
/**
 * The score walks are tuned to shifts of the score's distribution (on the normal scale of the baseline's quantiles)
 * of these multiples of the smallest one, the shift that moves the share above the median by `shift`: one catches
 * that shift, the other a larger one about twice as fast (bench/stream.ts). A third at 9 found large shifts sooner
 * (a subpopulation of breast cancer in 60 events instead of 161) but, as with the error walks, ran only 1.3 to 3
 * times its share of the budget at the true distribution: two false alarms in 36M stationary events.
 */
const SCORE_SHIFT_MULTIPLES = [1, 3];
/**
 * The error walks are tuned to these multiples of the drop: 1 for the drop the setting names, 0.6 for a slow slide
 * (bench/stream.ts, walks by confidence: 10.9k events into a 50k-event ramp, 12.0k at 0.8). They share the budget.
 * A third walk at 2.5 found sudden large drops sooner (breast cancer's label change: 231 events instead of 237) but
 * its run length at the true rate was only 2 to 3 times its share of the budget (the others' 5 to 70 times): one
 * false alarm in 30M stationary events.
 */
const DROP_MULTIPLES = [0.6, 1];
/** Held-out expected calibration error above which the model's probabilities cannot estimate its accuracy. */
export const MAX_CALIBRATION_ERROR = 0.05;
const MIN_LABELLED_FOR_CHECK = 30;
/** Windows of events after an alarm during which the same detector and direction stay silent. */
export const QUIET_WINDOWS = 10;
const CONCEPT_DRIFT_Z = 3;

interface IndicatorDesigns {
  up: BernoulliCusumDesign | null;
  down: BernoulliCusumDesign | null;
}

/**
 * The stream detectors of one baseline profile: designs (thresholds calibrated to the false-alarm budget) are made
 * once here; `observe` folds a partition's scored records into its state and returns the alarms they raise. Every
 * detector steps in the one loop over the records (the hot path reads each record once), hence one long file.
 */
export class StreamMonitor {
  readonly reference: BaselineReference;
  readonly errorWindow: WindowRuleDesign | null;
  /** The error walks on the overall error rate, when the baseline cannot give the rate per confidence. */
  readonly errorCusums: BernoulliCusumDesign[];
  /** The error walks against the held-out error rate of each event's confidence (binary classifiers). */
  readonly confidenceErrors: { reference: ConfidenceErrors; walks: IntegerCusumDesign[]; baseRate: number } | null;
  /** The score walks against the baseline's held-out score distribution (null: the score's reference is learned). */
  readonly scoreBins: BinnedScore | null;
  readonly scoreWalks: ReturnType<typeof designScoreWalks>;
  private readonly designs = new Map<string, IndicatorDesigns>();
  /** The hot path's lookup: by the reference object itself (a restored state's new objects go through `designs` once). */
  private readonly designsByReference = new WeakMap<object, IndicatorDesigns>();
  private readonly logClasses: number;
  private readonly estimateZ: number;

  constructor(
    readonly profile: StreamBaseline,
    readonly options: StreamMonitorOptions,
  ) {
    this.reference = baselineReference(profile);
    const error = this.reference.error;
    const byConfidence = error ? confidenceErrors(profile.heldOut.performance) : null;
    this.errorCusums = [];
    this.confidenceErrors = null;
    if (error) {
      const base = conservativeRate(error.rate * error.labelled, error.labelled);
      this.errorWindow = designWindowRule(
        options.windowEvents,
        base,
        options.minDrop,
        options.falseAlarmBudgetInEvents,
      );
      const budget = DROP_MULTIPLES.length * options.falseAlarmBudgetInEvents;
      // A drop of minDrop in accuracy: that share of the events the model got right turns wrong.
      const flip = Math.min(0.9, options.minDrop / Math.max(1e-9, 1 - error.rate));
      const walks = byConfidence
        ? DROP_MULTIPLES.flatMap((m) => {
            const made = designConfidenceErrorWalk(byConfidence, Math.min(0.9, m * flip), budget, REFERENCE_Z);
            return made ? [made.design] : [];
          })
        : [];
      if (byConfidence && walks.length > 0)
        this.confidenceErrors = { reference: byConfidence, walks, baseRate: error.rate };
      else
        this.errorCusums = DROP_MULTIPLES.flatMap((m) => {
          const design = safeDesign(base, base + m * options.minDrop, budget);
          return design ? [design] : [];
        });
    } else this.errorWindow = null;
    const score = profile.schema.prediction?.score?.decileEdges;
    const counts = profile.data.prediction?.score?.decileCounts;
    // The baseline's reference needs enough held-out scores (baselineReference's rule), the bins need their counts.
    this.scoreBins = this.reference.score && score && counts ? binnedScore(score, counts) : null;
    const smallest = normalQuantile(0.5 + Math.min(0.45, options.shift));
    this.scoreWalks = this.scoreBins
      ? designScoreWalks(
          this.scoreBins,
          SCORE_SHIFT_MULTIPLES.map((m) => m * smallest),
          2 * SCORE_SHIFT_MULTIPLES.length * options.falseAlarmBudgetInEvents,
          REFERENCE_Z,
        )
      : [];
    this.logClasses = Math.log(Math.max(2, profile.heldOut.scoredBy.classes.length));
    this.estimateZ = normalUpperQuantile(Math.min(0.5, options.windowEvents / options.falseAlarmBudgetInEvents));
  }

  fresh(): StreamState {
    // With the baseline's score bins the score walks need no indicator; without, it learns or takes the median rule.
    const score = this.scoreBins ? null : this.reference.score;
    return freshStreamState(
      this.profile.profileVersion,
      {
        score: score ? { edge: score.edge, rate: score.shareAtOrAbove, events: score.count } : null,
        decisions: null,
      },
      { errorWalks: this.errorWalkCount, scoreWalks: this.scoreWalks.length },
    );
  }

  private get errorWalkCount(): number {
    return this.confidenceErrors ? this.confidenceErrors.walks.length : this.errorCusums.length;
  }

  /** A stored state if it is one of this profile's, else a fresh one (a lost state costs delay, never an alarm). */
  restore(value: unknown): { state: StreamState; restored: boolean } {
    const state = parseStreamState(value, this.profile.profileVersion);
    return state &&
      state.scoreWalks.length === this.scoreWalks.length &&
      state.errorWalks.length === this.errorWalkCount
      ? { state, restored: true }
      : { state: this.fresh(), restored: false };
  }

  /** The designs of an indicator's reference (both directions but for `decisions`, where only a rise matters). */
  designsFor(indicator: IndicatorState, twoSided: boolean, learned: boolean): IndicatorDesigns | null {
    const ref = indicator.reference;
    if (!ref) return null;
    const known = this.designsByReference.get(ref);
    if (known) return known;
    const key = `${ref.rate}|${ref.events}|${twoSided}|${learned}`;
    let designs = this.designs.get(key);
    if (!designs) {
      const budget = this.options.falseAlarmBudgetInEvents * (twoSided ? 2 : 1);
      const hits = ref.rate * ref.events;
      const z = learned ? LEARNED_REFERENCE_Z : REFERENCE_Z;
      const up = conservativeRate(hits, ref.events, z);
      const down = conservativeRate(ref.events - hits, ref.events, z);
      designs = {
        up: safeDesign(up, up + this.options.shift, budget),
        down: twoSided ? safeDesign(down, down + this.options.shift, budget) : null,
      };
      this.designs.set(key, designs);
    }
    this.designsByReference.set(ref, designs);
    return designs;
  }

  observe(state: StreamState, records: readonly ScoredRecord[], partition: string): StreamObservation {
    const raised: StreamAlarm[] = [];
    const alarms = {
      push: (alarm: StreamAlarm): void => {
        // One page per detector and direction per quiet period: a drift that persists re-crosses the threshold
        // every few hundred events, and the walk restarts each time so that its end is seen too.
        const key = `${alarm.detector}.${alarm.direction}`;
        if ((state.quietUntil[key] ?? 0) > state.events) return;
        state.quietUntil[key] = state.events + this.options.windowEvents * QUIET_WINDOWS;
        raised.push(alarm);
      },
    };
    const estimates: AccuracyEstimate[] = [];
    const estimate = state.estimate;
    for (const r of records) {
      state.events++;
      let error: boolean | null = null;
      // `!= null`-style checks: a record read back from a file may lack a field rather than carry null.
      if (r.label !== null && r.label !== undefined && r.prediction !== null && r.prediction !== undefined) {
        error = String(r.label) !== r.prediction;
        if (this.errorWindow) {
          const closed = stepWindow(state.errorWindow, this.errorWindow, error, r.id);
          if (closed?.alarm) {
            estimate.conceptDrift = true;
            alarms.push({
              detector: 'errorWindow',
              direction: 'up',
              partition,
              statistic: closed.errors,
              threshold: this.errorWindow.criticalErrors,
              window: {
                events: closed.events,
                hits: closed.errors,
                rate: closed.errors / closed.events,
                baseRate: this.errorWindow.baseRate,
              },
              firstEventId: closed.firstId,
              lastEventId: r.id,
              enqueuedTime: r.enqueuedTime,
              atEvent: state.events,
            });
          }
        }
        if (this.confidenceErrors) {
          if (typeof r.confidence === 'number')
            this.stepConfidenceErrors(state, error, r.confidence, partition, r, alarms);
        } else
          for (let w = 0; w < this.errorCusums.length; w++) {
            const design = this.errorCusums[w]!;
            if (stepCusum(state.errorWalks[w]!, design, error, r.id)) {
              estimate.conceptDrift = true;
              alarms.push(cusumAlarm('errorCusum', 'up', state.errorWalks[w]!, design, partition, r, state.events));
              state.errorWalks[w] = freshCusum();
            }
          }
      }
      if (typeof r.score === 'number') {
        if (this.scoreBins) this.stepScoreWalks(state, this.scoreBins, r.score, partition, r, alarms);
        else this.stepIndicator(state, 'score', r.score, true, partition, r, alarms);
      }
      if (typeof r.entropy === 'number')
        this.stepIndicator(state, 'entropy', r.entropy / this.logClasses, true, partition, r, alarms);
      this.stepIndicator(state, 'decisions', r.decision === 'ACCEPT' ? 0 : 1, false, partition, r, alarms);
      if (typeof r.confidence === 'number') {
        if (estimate.events === 0) estimate.firstId = r.id;
        estimate.events++;
        estimate.confidenceSum += r.confidence;
        estimate.varianceSum += r.confidence * (1 - r.confidence);
        if (error !== null) {
          estimate.labelled++;
          if (!error) estimate.correct++;
        }
        if (estimate.events >= this.options.windowEvents) {
          const result = this.closeEstimate(state, partition);
          estimates.push(result);
          if (result.valid && result.expectedAccuracy !== null && this.estimateAlarms(result)) {
            alarms.push({
              detector: 'estimatedAccuracy',
              direction: 'down',
              partition,
              statistic: result.estimatedAccuracy,
              threshold: result.expectedAccuracy - this.options.minDrop,
              window: {
                events: result.events,
                hits: Math.round(result.estimatedAccuracy * result.events),
                rate: result.estimatedAccuracy,
                baseRate: result.expectedAccuracy,
              },
              firstEventId: result.firstEventId,
              lastEventId: r.id,
              enqueuedTime: r.enqueuedTime,
              atEvent: state.events,
            });
          }
        }
      }
    }
    return { alarms: raised, estimates };
  }

  /** The error walks against the held-out error rate of the event's confidence. */
  private stepConfidenceErrors(
    state: StreamState,
    error: boolean,
    confidence: number,
    partition: string,
    r: ScoredRecord,
    alarms: { push(alarm: StreamAlarm): void },
  ): void {
    const { reference, walks, baseRate } = this.confidenceErrors!;
    const category = 2 * confidenceGroup(reference, confidence) + (error ? 1 : 0);
    for (let w = 0; w < walks.length; w++) {
      const design = walks[w]!;
      const walk = state.errorWalks[w]!;
      if (stepWalk(walk, design, category, error, r.id)) {
        state.estimate.conceptDrift = true;
        alarms.push(walkAlarm('errorCusum', 'up', walk, design.threshold, baseRate, partition, r, state.events));
        state.errorWalks[w] = freshCusum();
      }
    }
  }

  /** Every score walk (each direction and shift) one step on the event's bin of the baseline's score distribution. */
  private stepScoreWalks(
    state: StreamState,
    bins: BinnedScore,
    score: number,
    partition: string,
    r: ScoredRecord,
    alarms: { push(alarm: StreamAlarm): void },
  ): void {
    const bin = scoreBin(bins, score);
    for (let w = 0; w < this.scoreWalks.length; w++) {
      const walk = this.scoreWalks[w]!;
      const walkState = state.scoreWalks[w]!;
      if (stepWalk(walkState, walk.design, bin, walk.design.steps[bin]! > 0, r.id)) {
        alarms.push(
          walkAlarm(
            'score',
            walk.direction,
            walkState,
            walk.design.threshold,
            walk.hitProbability,
            partition,
            r,
            state.events,
          ),
        );
        state.scoreWalks[w] = freshCusum();
      }
    }
  }

  private stepIndicator(
    state: StreamState,
    name: 'score' | 'entropy' | 'decisions',
    value: number,
    twoSided: boolean,
    partition: string,
    r: ScoredRecord,
    alarms: { push(alarm: StreamAlarm): void },
  ): void {
    const indicator = state[name];
    if (indicator.learning) {
      learn(indicator, value, this.options.referenceEvents);
      return;
    }
    const designs = this.designsFor(indicator, twoSided, name !== 'score' || this.reference.score === null);
    if (!designs) return;
    const hit = value >= indicator.reference!.edge;
    if (designs.up && stepCusum(indicator.up, designs.up, hit, r.id)) {
      alarms.push(cusumAlarm(name, 'up', indicator.up, designs.up, partition, r, state.events));
      indicator.up = freshCusum();
    }
    if (designs.down && stepCusum(indicator.down, designs.down, !hit, r.id)) {
      alarms.push(cusumAlarm(name, 'down', indicator.down, designs.down, partition, r, state.events));
      indicator.down = freshCusum();
    }
  }

  private closeEstimate(state: StreamState, partition: string): AccuracyEstimate {
    const w = state.estimate;
    const estimatedAccuracy = w.confidenceSum / w.events;
    const standardError = Math.sqrt(w.varianceSum) / w.events;
    const calibration = this.reference.calibration;
    const invalidBecause: string[] = [];
    if (!calibration) invalidBecause.push('CALIBRATION.UNKNOWN');
    else if (calibration.expectedCalibrationError > MAX_CALIBRATION_ERROR) invalidBecause.push('CALIBRATION.POOR');
    const realisedAccuracy = w.labelled > 0 ? w.correct / w.labelled : null;
    // With labels enough in the window the realised accuracy tests the estimate directly (a covariate shift moves
    // both alike); with too few, an alarm of the labelled detectors is the only sign that the premise broke.
    if (w.labelled < MIN_LABELLED_FOR_CHECK) {
      if (w.conceptDrift) invalidBecause.push('CONCEPT_DRIFT.LABELLED_ALARM');
    } else if (realisedAccuracy !== null) {
      const se = Math.sqrt(Math.max(estimatedAccuracy * (1 - estimatedAccuracy), 1e-6) / w.labelled);
      if (Math.abs(realisedAccuracy - estimatedAccuracy) / se > CONCEPT_DRIFT_Z)
        invalidBecause.push('CONCEPT_DRIFT.REALISED_DIFFERS');
    }
    const result: AccuracyEstimate = {
      partition,
      events: w.events,
      estimatedAccuracy,
      standardError,
      expectedAccuracy: calibration?.expectedAccuracy ?? null,
      labelled: w.labelled,
      realisedAccuracy,
      valid: invalidBecause.length === 0,
      invalidBecause,
      firstEventId: w.firstId,
    };
    Object.assign(w, freshEstimateWindow());
    return result;
  }

  /** A material drop beyond the sampling error of both the window and the held-out reference. */
  private estimateAlarms(e: AccuracyEstimate): boolean {
    const expected = e.expectedAccuracy!;
    const drop = expected - e.estimatedAccuracy;
    if (drop < this.options.minDrop) return false;
    const heldOut = this.reference.error?.labelled ?? 1;
    const se = Math.sqrt(e.standardError ** 2 + (expected * (1 - expected)) / heldOut);
    return drop / Math.max(se, 1e-12) >= this.estimateZ;
  }
}

/** Agresti–Coull estimate of a rate plus z standard errors: the in-control rate a CUSUM is tuned to. */
export function conservativeRate(hits: number, events: number, z = REFERENCE_Z): number {
  const adjusted = (hits + 2) / (events + 4);
  return Math.min(0.99, adjusted + z * Math.sqrt((adjusted * (1 - adjusted)) / (events + 4)));
}

function safeDesign(base: number, shifted: number, budget: number): BernoulliCusumDesign | null {
  const target = Math.min(shifted, 0.999);
  return target > base ? designBernoulliCusum(base, target, budget) : null;
}

function learn(indicator: IndicatorState, value: number, referenceEvents: number): void {
  const counts = indicator.learning!;
  const v = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  counts[Math.min(REFERENCE_BINS - 1, Math.floor(v * REFERENCE_BINS))]!++;
  const n = counts.reduce((a, b) => a + b, 0);
  if (n < referenceEvents) return;
  // The bin edge whose share at or above it is nearest one half: the most informative indicator of a shift.
  let best = { edge: 1 / REFERENCE_BINS, share: -1 };
  let above = n;
  for (let j = 1; j < REFERENCE_BINS; j++) {
    above -= counts[j - 1]!;
    const share = above / n;
    if (best.share < 0 || Math.abs(share - 0.5) < Math.abs(best.share - 0.5))
      best = { edge: j / REFERENCE_BINS, share };
  }
  indicator.learning = null;
  indicator.reference = { edge: best.edge, rate: Math.min(0.99, Math.max(0.01, best.share)), events: n };
}
