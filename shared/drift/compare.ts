import { MrmError } from '../errors.js';
import { DEFAULT_DRIFT_OPTIONS, type DriftOptions } from './driftOptions.js';
import { performanceMetrics, type PerformanceMetrics } from './performance.js';
import type { DatasetProfile, FeatureProfile } from './profile.js';
import type { FeatureSchema, ProfileSchema } from './schema.js';
import { benjaminiHochberg } from './stats/benjaminiHochberg.js';
import { statTests } from './stats/registry.js';

export type Severity = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

/** One feature's numbers and verdict. Every raw number is kept; `decidedBy` names the rules that fired. */
export interface FeatureAssessment {
  name: string;
  type: 'numeric' | 'categorical';
  /** Values in the current window (non-missing). */
  count: number;
  missing: number;
  missingRate: number;
  referenceMissingRate: number;
  psi: number | null;
  ks: { statistic: number; pValue: number; pValueAdjusted: number } | null;
  wasserstein: { raw: number; perRange: number; perStd: number } | null;
  jensenShannon: number | null;
  hellinger: number | null;
  meanShift: number | null;
  chiSquare?: { statistic: number; pValue: number; pValueAdjusted: number; dof: number };
  /** How KS/Wasserstein were computed; the true KS lies in [statistic, statistic + ksStatistic], W within ±wasserstein. */
  errorBound?: { method: 'exact' | 'sketch'; ksStatistic: number; wasserstein: number };
  drifted: boolean;
  severity: Severity;
  /** Rules that made it drift: 'psi', 'ks', 'wasserstein', 'chiSquare'. */
  decidedBy: string[];
  /** Why nothing was tested, when so. */
  note?: string;
}

export interface PerformanceAssessment {
  labelled: number;
  reference: PerformanceMetrics | null;
  current: PerformanceMetrics | null;
  /** reference − current, per metric (positive = worse). */
  drops: Partial<Record<'accuracy' | 'precision' | 'recall' | 'f1' | 'auc', number>>;
  /** False when too few labels or no reference metrics: then conceptDrift is false and `reason` says why. */
  judged: boolean;
  conceptDrift: boolean;
  severity: Severity;
  reason?: string;
}

export interface DriftAssessment {
  schemaId: string;
  referenceEvents: number;
  currentEvents: number;
  features: FeatureAssessment[];
  prediction: { classes: FeatureAssessment | null; score: FeatureAssessment | null; drifted: boolean } | null;
  performance: PerformanceAssessment | null;
  drift: { share: number; magnitude: number; drifted: boolean; driftedFeatures: string[]; monitoredFeatures: number };
  retrainRecommended: boolean;
  recommendations: string[];
  options: DriftOptions;
}

export interface CompareOptions extends Partial<DriftOptions> {
  /** The schema both profiles were counted on (the baseline's). */
  schema: ProfileSchema;
  /** Baseline performance (BaselineProfile.metrics); else computed from the reference profile's confusion counts. */
  baselineMetrics?: PerformanceMetrics | null;
}

/**
 * Compares a window's profile with the baseline's: every stat test per feature, the seed rule made large-sample safe
 * (PSI ≥ 0.2, or KS rejects after Benjamini–Hochberg AND D > 0.1, or W/range > 0.1; categoricals: PSI, or
 * chi-square rejects AND JS ≥ 0.1), dataset share and magnitude, prediction and performance drift. Throws
 * DRIFT.SCHEMA_MISMATCH when a profile was not counted on `options.schema`.
 */
export function compareProfiles(
  reference: DatasetProfile,
  current: DatasetProfile,
  compareOptions: CompareOptions,
): DriftAssessment {
  const { schema, baselineMetrics, ...overrides } = compareOptions;
  const options: DriftOptions = { ...DEFAULT_DRIFT_OPTIONS, ...stripUndefined(overrides) };
  for (const p of [reference, current]) {
    if (p.schemaId !== schema.id) {
      throw new MrmError(
        'configuration',
        'DRIFT.SCHEMA_MISMATCH',
        `profile counted on schema ${p.schemaId}, baseline schema is ${schema.id}: rebuild the profiles`,
      );
    }
  }
  const features = assessFamily(
    schema.features.map((f) => ({
      name: f.name,
      schema: f,
      reference: reference.features[f.name],
      current: current.features[f.name],
    })),
    options,
  );
  let prediction: DriftAssessment['prediction'] = null;
  if (schema.prediction && reference.prediction && current.prediction) {
    const family = assessFamily(
      [
        {
          name: 'prediction',
          schema: { name: 'prediction', type: 'categorical', categories: schema.prediction.classes },
          reference: reference.prediction.classes,
          current: current.prediction.classes,
        },
        ...(schema.prediction.score && reference.prediction.score && current.prediction.score
          ? [
              {
                name: 'score',
                schema: schema.prediction.score as FeatureSchema,
                reference: reference.prediction.score,
                current: current.prediction.score,
              },
            ]
          : []),
      ],
      options,
    );
    const classes = family.find((f) => f.name === 'prediction') ?? null;
    const score = family.find((f) => f.name === 'score') ?? null;
    prediction = { classes, score, drifted: family.some((f) => f.drifted) };
  }
  const performance = assessPerformance(reference, current, schema, baselineMetrics ?? null, options);
  const monitored = features.filter((f) => f.note === undefined);
  const driftedFeatures = monitored.filter((f) => f.drifted).map((f) => f.name);
  const share = monitored.length > 0 ? driftedFeatures.length / monitored.length : 0;
  const drift = {
    share,
    magnitude: share,
    drifted: monitored.length > 0 && share >= options.datasetDriftShare,
    driftedFeatures,
    monitoredFeatures: monitored.length,
  };
  const retrainRecommended = drift.magnitude > options.retrainMagnitude || (performance?.conceptDrift ?? false);
  const assessment: DriftAssessment = {
    schemaId: schema.id,
    referenceEvents: reference.events,
    currentEvents: current.events,
    features,
    prediction,
    performance,
    drift,
    retrainRecommended,
    recommendations: [],
    options,
  };
  assessment.recommendations = recommend(assessment, current);
  return assessment;
}

interface FamilyMember {
  name: string;
  schema: FeatureSchema;
  reference: FeatureProfile | undefined;
  current: FeatureProfile | undefined;
}

/** Assesses features that form one multiple-testing family (their p-values are adjusted together). */
function assessFamily(members: FamilyMember[], options: DriftOptions): FeatureAssessment[] {
  const partial = members.map((m) => assessFeature(m, options));
  const tested = partial.filter((p) => p.pValue !== null);
  const adjusted =
    options.falseDiscoveryControl === 'benjamini-hochberg'
      ? benjaminiHochberg(tested.map((p) => p.pValue!))
      : tested.map((p) => p.pValue!);
  tested.forEach((p, i) => {
    const q = adjusted[i]!;
    if (p.assessment.ks) p.assessment.ks.pValueAdjusted = q;
    if (p.assessment.chiSquare) p.assessment.chiSquare.pValueAdjusted = q;
  });
  return partial.map((p) => decide(p.assessment, options));
}

function assessFeature(
  member: FamilyMember,
  options: DriftOptions,
): { assessment: FeatureAssessment; pValue: number | null } {
  const { name, schema: feature, reference, current } = member;
  if (!reference || !current || reference.type !== feature.type || current.type !== feature.type) {
    throw new MrmError(
      'configuration',
      'DRIFT.SCHEMA_MISMATCH',
      `feature "${name}" is missing from a profile or has another type`,
    );
  }
  const rate = (p: FeatureProfile): number => (p.count + p.missing > 0 ? p.missing / (p.count + p.missing) : 0);
  const base: FeatureAssessment = {
    name,
    type: feature.type,
    count: current.count,
    missing: current.missing,
    missingRate: rate(current),
    referenceMissingRate: rate(reference),
    psi: null,
    ks: null,
    wasserstein: null,
    jensenShannon: null,
    hellinger: null,
    meanShift: null,
    drifted: false,
    severity: 'NONE',
    decidedBy: [],
  };
  const hasValues = (p: FeatureProfile): boolean => (p.type === 'numeric' ? p.count > 0 : p.count + p.missing > 0);
  if (!hasValues(reference) || !hasValues(current)) {
    return {
      assessment: { ...base, note: hasValues(current) ? 'no values in the baseline' : 'no values in the window' },
      pValue: null,
    };
  }
  const statOptions = { feature, psiBinning: options.psiBinning };
  base.psi = statTests.psi.run(reference, current, statOptions).score;
  base.jensenShannon = statTests.jensenShannon.run(reference, current, statOptions).score;
  base.hellinger = statTests.hellinger.run(reference, current, statOptions).score;
  if (feature.type === 'numeric') {
    const ks = statTests.ks.run(reference, current, statOptions);
    const w = statTests.wasserstein.run(reference, current, statOptions);
    base.meanShift = statTests.meanShift.run(reference, current, statOptions).score;
    base.ks = { statistic: ks.details.statistic as number, pValue: ks.score, pValueAdjusted: ks.score };
    base.wasserstein = {
      raw: w.details.raw as number,
      perRange: w.details.perRange as number,
      perStd: w.details.perStd as number,
    };
    base.errorBound = {
      method: ks.details.method as 'exact' | 'sketch',
      ksStatistic: ks.details.errorBound as number,
      wasserstein: w.details.errorBound as number,
    };
    return { assessment: base, pValue: ks.score };
  }
  const chi = statTests.chiSquare.run(reference, current, statOptions);
  base.chiSquare = {
    statistic: chi.details.statistic as number,
    pValue: chi.score,
    pValueAdjusted: chi.score,
    dof: chi.details.dof as number,
  };
  return { assessment: base, pValue: chi.score };
}

function decide(a: FeatureAssessment, o: DriftOptions): FeatureAssessment {
  if (a.note !== undefined || a.psi === null) return a;
  const decidedBy: string[] = [];
  let high = false;
  if (a.psi >= o.psiThreshold) {
    decidedBy.push('psi');
    high ||= a.psi >= 2 * o.psiThreshold;
  }
  if (a.ks && a.ks.pValueAdjusted < o.ksAlpha && a.ks.statistic > o.ksMinStatistic) {
    decidedBy.push('ks');
    high ||= a.ks.statistic > o.ksHighStatistic;
  }
  if (a.wasserstein && a.wasserstein.perRange > o.wassersteinRangeThreshold) {
    decidedBy.push('wasserstein');
    high ||= a.wasserstein.perRange > 2 * o.wassersteinRangeThreshold;
  }
  if (a.chiSquare && a.chiSquare.pValueAdjusted < o.ksAlpha && (a.jensenShannon ?? 0) >= o.jensenShannonThreshold) {
    decidedBy.push('chiSquare');
    high ||= (a.jensenShannon ?? 0) >= 3 * o.jensenShannonThreshold;
  }
  const drifted = decidedBy.length > 0;
  const moderate =
    a.psi >= o.psiModerate ||
    (a.jensenShannon ?? 0) >= o.jensenShannonThreshold ||
    (a.ks?.statistic ?? 0) > o.ksMinStatistic;
  const severity: Severity = drifted ? (high ? 'HIGH' : 'MEDIUM') : moderate ? 'LOW' : 'NONE';
  return { ...a, drifted, severity, decidedBy };
}

function assessPerformance(
  reference: DatasetProfile,
  current: DatasetProfile,
  schema: ProfileSchema,
  baselineMetrics: PerformanceMetrics | null,
  o: DriftOptions,
): PerformanceAssessment | null {
  if (!schema.labels || !current.performance) return null;
  const currentMetrics = performanceMetrics(current.performance, schema.labels);
  const referenceMetrics =
    baselineMetrics ?? (reference.performance ? performanceMetrics(reference.performance, schema.labels) : null);
  const labelled = current.performance.labelled;
  const result: PerformanceAssessment = {
    labelled,
    reference: referenceMetrics,
    current: currentMetrics,
    drops: {},
    judged: false,
    conceptDrift: false,
    severity: 'NONE',
  };
  if (referenceMetrics && currentMetrics) {
    for (const key of ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const) {
      const r = referenceMetrics[key];
      const c = currentMetrics[key];
      if (typeof r === 'number' && typeof c === 'number') result.drops[key] = r - c;
    }
  }
  if (labelled < o.minLabelled)
    return {
      ...result,
      reason: `${labelled} labelled records, fewer than the ${o.minLabelled} needed to judge performance`,
    };
  if (!referenceMetrics) return { ...result, reason: 'no baseline performance metrics' };
  const worst = Math.max(...Object.values(result.drops));
  const conceptDrift = worst > o.performanceDrop;
  return {
    ...result,
    judged: true,
    conceptDrift,
    severity: worst > o.performanceHighDrop ? 'HIGH' : conceptDrift ? 'MEDIUM' : 'NONE',
  };
}

function recommend(a: DriftAssessment, current: DatasetProfile): string[] {
  const out: string[] = [];
  const fmt = (v: number): string => v.toFixed(3);
  if (a.currentEvents === 0)
    out.push('No events in the window: check that Capture is enabled and the producers are sending.');
  if (a.drift.magnitude > a.options.retrainMagnitude) {
    out.push(
      `Retrain the model: drift magnitude ${fmt(a.drift.magnitude)} exceeds ${a.options.retrainMagnitude} (${a.drift.driftedFeatures.length} of ${a.drift.monitoredFeatures} features drifted).`,
    );
  } else if (a.drift.driftedFeatures.length > 0) {
    out.push(
      `Monitor closely: ${a.drift.driftedFeatures.length} of ${a.drift.monitoredFeatures} features drifted, below the retraining magnitude ${a.options.retrainMagnitude}.`,
    );
  }
  const byRank = [...a.features].filter((f) => f.severity === 'HIGH').sort((x, y) => (y.psi ?? 0) - (x.psi ?? 0));
  for (const f of byRank.slice(0, 5))
    out.push(
      `Investigate "${f.name}": HIGH drift (PSI ${fmt(f.psi ?? 0)}${f.ks ? `, KS D ${fmt(f.ks.statistic)}` : ''}${f.wasserstein ? `, W/range ${fmt(f.wasserstein.perRange)}` : ''}).`,
    );
  for (const f of a.features) {
    if (f.missingRate - f.referenceMissingRate > 0.05)
      out.push(
        `"${f.name}" is missing in ${(100 * f.missingRate).toFixed(1)}% of events (baseline ${(100 * f.referenceMissingRate).toFixed(1)}%): check the producer.`,
      );
  }
  if (a.prediction?.drifted)
    out.push("The model's predictions drifted: review the class balance and score distribution.");
  if (a.performance?.conceptDrift) {
    const worst = Object.entries(a.performance.drops).sort((x, y) => y[1] - x[1])[0];
    out.push(
      `Concept drift: ${worst?.[0]} dropped by ${fmt(worst?.[1] ?? 0)} against the baseline; retrain on recent labelled data.`,
    );
  } else if (a.performance && !a.performance.judged && a.performance.reason) {
    out.push(`Performance not judged: ${a.performance.reason}.`);
  }
  const bad = Object.values(current.badBodies).reduce((s, n) => s + n, 0);
  if (bad > 0) out.push(`${bad} event bodies could not be read: see badBodies and fix the producers.`);
  if (out.length === 0) out.push('No action needed: no feature drifted.');
  return out;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
