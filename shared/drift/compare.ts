import { MrmError } from '../errors.js';
import { DEFAULT_DRIFT_OPTIONS, type DriftOptions } from './driftOptions.js';
import { assessPerformance, type PerformanceAssessment } from './performanceDrift.js';
import { MISSING } from './schema.js';
import { badBodiesPhrase } from './badBodies.js';
import type { CategoricalFeatureProfile, DatasetProfile, FeatureProfile, PerformanceState } from './profile.js';
import type { FeatureSchema, ProfileSchema } from './schema.js';
import { benjaminiHochberg } from './stats/benjaminiHochberg.js';
import { STAT_TESTS, testsFor, type StatResult, type StatRole, type StatTest } from './stats/registry.js';

export type Severity = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { NONE: 0, LOW: 1, MEDIUM: 2, HIGH: 3 };

/** One registered test's result on one feature. */
export interface TestOutcome extends StatResult {
  role: StatRole;
  /** Significance tests: the p-value after multiple-testing control across the family's features; else null. */
  pValueAdjusted: number | null;
}

/** One feature's numbers and verdict. Every test's raw result is kept; `decidedBy` names the tests that made it drift. */
export interface FeatureAssessment {
  name: string;
  type: 'numeric' | 'categorical';
  /** Values in the current window (non-missing). */
  count: number;
  missing: number;
  missingRate: number;
  referenceMissingRate: number;
  /** Every registered test that applies to the feature's type, by test name. */
  tests: Record<string, TestOutcome>;
  /** A significance test rejected "same distribution" at the budget, after multiple-testing control. */
  significant: boolean;
  /** Significant and at least one effect at or above its practical minimum. */
  drifted: boolean;
  severity: Severity;
  /** Tests that made it drift (a significance and an effect test), empty when it did not. */
  decidedBy: string[];
  /**
   * Per effect test, the smallest effect this window's size can flag (never below the test's threshold): a window
   * too small to see a change says so instead of guessing.
   */
  minimumDetectable: Record<string, number>;
  /** Why nothing was tested, when so. */
  note?: string;
}

export interface PredictionAssessment {
  /** The predicted classes of scored events only. */
  classes: FeatureAssessment | null;
  score: FeatureAssessment | null;
  drifted: boolean;
  /** Share of events with no prediction (rejected or not scored), per side: reported, never mixed into the classes. */
  unscoredShare: { reference: number; current: number };
}

export interface DriftAssessment {
  schemaId: string;
  referenceEvents: number;
  currentEvents: number;
  /** `insufficient-data` when the window held nothing to compare: then no verdict, and `reason` says why. */
  status: 'assessed' | 'insufficient-data';
  reason?: string;
  features: FeatureAssessment[];
  prediction: PredictionAssessment | null;
  performance: PerformanceAssessment | null;
  drift: { share: number; drifted: boolean; driftedFeatures: string[]; monitoredFeatures: number };
  retrainRecommended: boolean;
  recommendations: string[];
  options: DriftOptions;
  /** The registered tests, in report order, with their role per kind and threshold. */
  tests: Array<Pick<StatTest, 'name' | 'label' | 'description' | 'roles' | 'direction'> & { threshold: number }>;
}

export interface CompareOptions extends Partial<DriftOptions> {
  /** The schema both profiles were counted on (the baseline's). */
  schema: ProfileSchema;
  /** The baseline's out-of-sample performance counts (held-out rows); else the reference profile's own. */
  baselinePerformance?: PerformanceState | null;
  /** The stat tests to run (default: STAT_TESTS). */
  tests?: ReadonlyArray<StatTest>;
  /** Why the window is empty, when the caller knows (no blobs, all skipped, all outside the window). */
  emptyReason?: string;
}

/**
 * Compares a window's profile with the baseline's. Per feature every registered test that applies runs; the feature
 * drifts when a significance test rejects at the budget (Benjamini–Hochberg across the family) and an effect test
 * reaches its practical minimum. Then the dataset's drifted share, prediction drift on scored events, and performance
 * with sampling error. Throws DRIFT.SCHEMA_MISMATCH when a profile was not counted on `options.schema`.
 */
export function compareProfiles(
  reference: DatasetProfile,
  current: DatasetProfile,
  compareOptions: CompareOptions,
): DriftAssessment {
  const { schema, baselinePerformance, tests: registry = STAT_TESTS, emptyReason, ...overrides } = compareOptions;
  const given = stripUndefined(overrides);
  const options: DriftOptions = {
    ...DEFAULT_DRIFT_OPTIONS,
    ...given,
    thresholds: {
      ...Object.fromEntries(registry.map((t) => [t.name, t.defaultThreshold])),
      ...DEFAULT_DRIFT_OPTIONS.thresholds,
      ...given.thresholds,
    },
  };
  for (const p of [reference, current]) {
    if (p.schemaId !== schema.id) {
      throw new MrmError(
        'configuration',
        'DRIFT.SCHEMA_MISMATCH',
        `profile counted on schema ${p.schemaId}, baseline schema is ${schema.id}: rebuild the profiles`,
      );
    }
  }
  const family = (members: FamilyMember[]): FeatureAssessment[] => assessFamily(members, registry, options);
  const features = family(
    schema.features.map((f) => ({
      name: f.name,
      schema: f,
      reference: reference.features[f.name],
      current: current.features[f.name],
    })),
  );
  const prediction = assessPrediction(reference, current, schema, family);
  const performance = assessPerformance(
    baselinePerformance ?? reference.performance,
    current.performance,
    schema.labels,
    options,
  );
  const monitored = features.filter((f) => f.note === undefined);
  const driftedFeatures = monitored.filter((f) => f.drifted).map((f) => f.name);
  const share = monitored.length > 0 ? driftedFeatures.length / monitored.length : 0;
  const insufficient = current.events === 0 || monitored.length === 0;
  const drift = {
    share,
    drifted: !insufficient && share >= options.datasetDriftShare,
    driftedFeatures,
    monitoredFeatures: monitored.length,
  };
  const retrainRecommended =
    !insufficient && (share > options.retrainMagnitude || (performance?.conceptDrift ?? false));
  const assessment: DriftAssessment = {
    schemaId: schema.id,
    referenceEvents: reference.events,
    currentEvents: current.events,
    status: insufficient ? 'insufficient-data' : 'assessed',
    ...(insufficient
      ? {
          reason:
            emptyReason ??
            (current.events === 0 ? 'no events in the window' : 'no feature had values on both sides to compare'),
        }
      : {}),
    features,
    prediction,
    performance,
    drift,
    retrainRecommended,
    recommendations: [],
    options,
    tests: registry.map((t) => ({
      name: t.name,
      label: t.label,
      description: t.description,
      roles: t.roles,
      direction: t.direction,
      threshold: thresholdOf(t, options),
    })),
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

/** A significance test is judged at the window's budget; every other test at its own threshold. */
function thresholdOf(test: StatTest, options: DriftOptions): number {
  const significance = Object.values(test.roles).includes('significance');
  return significance ? options.alpha : (options.thresholds[test.name] ?? test.defaultThreshold);
}

/** Assesses features that form one multiple-testing family (each significance test's p-values adjusted together). */
function assessFamily(
  members: FamilyMember[],
  registry: ReadonlyArray<StatTest>,
  options: DriftOptions,
): FeatureAssessment[] {
  const tested = members.filter((m) => hasValues(m.reference) && hasValues(m.current)).length;
  // One feature of the family must reach alpha / k to be flagged alone: what "detectable at this n" means.
  const detectionLevel = options.alpha / Math.max(1, tested);
  const partial = members.map((m) => assessFeature(m, registry, options, detectionLevel));
  for (const test of registry) {
    const outcomes = partial
      .map((f) => f.tests[test.name])
      .filter((o): o is TestOutcome => o !== undefined && o.role === 'significance');
    if (outcomes.length === 0) continue;
    const adjusted =
      options.falseDiscoveryControl === 'benjamini-hochberg'
        ? benjaminiHochberg(outcomes.map((o) => o.score))
        : outcomes.map((o) => o.score);
    outcomes.forEach((o, i) => (o.pValueAdjusted = adjusted[i]!));
  }
  return partial.map((f) => decide(f, options));
}

function hasValues(p: FeatureProfile | undefined): boolean {
  return p !== undefined && (p.type === 'numeric' ? p.count > 0 : p.count + p.missing > 0);
}

function assessFeature(
  member: FamilyMember,
  registry: ReadonlyArray<StatTest>,
  options: DriftOptions,
  detectionLevel: number,
): FeatureAssessment {
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
    tests: {},
    significant: false,
    drifted: false,
    severity: 'NONE',
    decidedBy: [],
    minimumDetectable: {},
  };
  if (!hasValues(reference) || !hasValues(current)) {
    return { ...base, note: hasValues(current) ? 'no values in the baseline' : 'no values in the window' };
  }
  for (const test of testsFor(registry, feature.type)) {
    const role = test.roles[feature.type]!;
    const result = test.run(reference, current, {
      feature,
      threshold: thresholdOf(test, options),
      psiBinning: options.psiBinning,
      detectionLevel,
    });
    if (result === null) continue;
    base.tests[test.name] = { ...result, role, pValueAdjusted: null };
    if (role === 'effect' && result.minimumDetectable !== null)
      base.minimumDetectable[test.name] = result.minimumDetectable;
  }
  return base;
}

function decide(a: FeatureAssessment, o: DriftOptions): FeatureAssessment {
  if (a.note !== undefined) return a;
  const outcomes = Object.entries(a.tests);
  const significant = outcomes
    .filter(([, t]) => t.role === 'significance' && t.pValueAdjusted !== null && t.pValueAdjusted < o.alpha)
    .map(([name]) => name);
  const effects = outcomes.filter(([, t]) => t.role === 'effect' && t.beyondThreshold);
  const drifted = significant.length > 0 && effects.length > 0;
  const high = effects.some(([, t]) => t.score >= 2 * t.threshold);
  const anything = significant.length > 0 || effects.length > 0 || outcomes.some(([, t]) => t.beyondThreshold);
  const severity: Severity = drifted ? (high ? 'HIGH' : 'MEDIUM') : anything ? 'LOW' : 'NONE';
  return {
    ...a,
    significant: significant.length > 0,
    drifted,
    severity,
    decidedBy: drifted ? [...significant, ...effects.map(([name]) => name)] : [],
  };
}

/** Prediction drift on scored events only: rejected and unscored events have no class, and are a share of their own. */
function assessPrediction(
  reference: DatasetProfile,
  current: DatasetProfile,
  schema: ProfileSchema,
  family: (members: FamilyMember[]) => FeatureAssessment[],
): PredictionAssessment | null {
  if (!schema.prediction || !reference.prediction || !current.prediction) return null;
  const members: FamilyMember[] = [
    {
      name: 'prediction',
      schema: { name: 'prediction', type: 'categorical', categories: schema.prediction.classes },
      reference: scoredOnly(reference.prediction.classes),
      current: scoredOnly(current.prediction.classes),
    },
  ];
  if (schema.prediction.score && reference.prediction.score && current.prediction.score) {
    members.push({
      name: 'score',
      schema: schema.prediction.score,
      reference: reference.prediction.score,
      current: current.prediction.score,
    });
  }
  const assessed = family(members);
  const unscored = (p: CategoricalFeatureProfile): number =>
    p.count + p.missing > 0 ? p.missing / (p.count + p.missing) : 0;
  return {
    classes: assessed.find((f) => f.name === 'prediction') ?? null,
    score: assessed.find((f) => f.name === 'score') ?? null,
    drifted: assessed.some((f) => f.drifted),
    unscoredShare: { reference: unscored(reference.prediction.classes), current: unscored(current.prediction.classes) },
  };
}

function scoredOnly(p: CategoricalFeatureProfile): CategoricalFeatureProfile {
  return { ...p, missing: 0, counts: { ...p.counts, [MISSING]: 0 } };
}

function recommend(a: DriftAssessment, current: DatasetProfile): string[] {
  const out: string[] = [];
  const fmt = (v: number): string => v.toFixed(3);
  if (a.status === 'insufficient-data') {
    out.push(
      `Insufficient data: ${a.reason ?? 'nothing to compare'}. No drift verdict for this window: check that Capture is enabled and the producers are sending.`,
    );
    return out;
  }
  if (a.drift.share > a.options.retrainMagnitude) {
    out.push(
      `Retrain the model: ${a.drift.driftedFeatures.length} of ${a.drift.monitoredFeatures} features drifted (drifted share ${fmt(a.drift.share)} exceeds ${a.options.retrainMagnitude}).`,
    );
  } else if (a.drift.driftedFeatures.length > 0) {
    out.push(
      `Monitor closely: ${a.drift.driftedFeatures.length} of ${a.drift.monitoredFeatures} features drifted (drifted share ${fmt(a.drift.share)}, retraining from ${a.options.retrainMagnitude}).`,
    );
  }
  const effectOf = (f: FeatureAssessment): number =>
    Math.max(0, ...Object.values(f.tests).flatMap((t) => (t.role === 'effect' ? [t.score / t.threshold] : [])));
  const high = a.features.filter((f) => f.severity === 'HIGH').sort((x, y) => effectOf(y) - effectOf(x));
  for (const f of high.slice(0, 5)) {
    const parts = f.decidedBy.map((name) => {
      const t = f.tests[name]!;
      return t.role === 'significance' ? `${name} p ${t.pValueAdjusted!.toExponential(1)}` : `${name} ${fmt(t.score)}`;
    });
    out.push(`Investigate "${f.name}": HIGH drift (${parts.join(', ')}).`);
  }
  const blind = a.features.filter(
    (f) => !f.drifted && Object.entries(f.minimumDetectable).some(([name, v]) => v > f.tests[name]!.threshold * 1.0001),
  );
  if (blind.length > 0) {
    const [name, value] = Object.entries(blind[0]!.minimumDetectable)[0]!;
    out.push(
      `Too few events to see small changes in ${blind.length} feature(s): e.g. "${blind[0]!.name}" shows only a change with ${name} ≥ ${fmt(value)} at this window's size (see minimumDetectable).`,
    );
  }
  for (const f of a.features) {
    if (f.missingRate - f.referenceMissingRate > 0.05)
      out.push(
        `"${f.name}" is missing in ${(100 * f.missingRate).toFixed(1)}% of events (baseline ${(100 * f.referenceMissingRate).toFixed(1)}%): check the producer.`,
      );
  }
  if (a.prediction?.drifted)
    out.push("The model's predictions drifted: review the class balance and score distribution of scored events.");
  if (a.prediction && a.prediction.unscoredShare.current - a.prediction.unscoredShare.reference > 0.05)
    out.push(
      `${(100 * a.prediction.unscoredShare.current).toFixed(1)}% of events got no prediction (rejected or unscored; baseline ${(100 * a.prediction.unscoredShare.reference).toFixed(1)}%).`,
    );
  if (a.performance?.conceptDrift) {
    const worst = a.performance.decidedBy[0];
    const m = worst ? a.performance.metrics[worst] : undefined;
    out.push(
      `Concept drift: ${worst} dropped by ${fmt(m?.drop ?? 0)} (95% CI ${fmt(m?.ci95[0] ?? 0)} to ${fmt(m?.ci95[1] ?? 0)}) against the baseline; retrain on recent labelled data.`,
    );
  } else if (a.performance && !a.performance.judged && a.performance.reason) {
    out.push(`Performance not judged: ${a.performance.reason}.`);
  }
  const bad = Object.values(current.badBodies).reduce((s, n) => s + n, 0);
  if (bad > 0)
    out.push(
      `${bad.toLocaleString('en-US')} event bodies could not be read (${badBodiesPhrase(current.badBodies)}): see badBodies, whose EVENT.* reasons are those of scoreEvents' dead letters, and fix the producers.`,
    );
  if (out.length === 0) out.push('No action needed: no feature drifted.');
  return out;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
