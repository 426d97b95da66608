import type { DriftAssessment, FeatureAssessment, Severity } from './compare.js';
import type { DriftOptions } from './driftOptions.js';
import { reportDistributions, type ReportDistributions } from './distributions.js';
import type { DatasetProfile } from './profile.js';
import type { ProfileSchema } from './schema.js';
import type { ModelKind } from '../contracts/records.js';
import { modelKindOf, type Scorer } from '../contracts/scorer.js';
import type { StreamAlarmsSummary } from './report/streamTimeline.js';

/** Which scorer scoreEvents was set up with (MRM_SCORER), and so what its predictions are. */
export interface ReportedModel {
  scorer: Scorer['kind'];
  kind: ModelKind;
}

/**
 * The weekly drift report (issue 3 "Output"): the JSON written to `reports/<YYYY>-W<ww>/report.json` and returned
 * by `mrm drift`. Plain data; `features` keeps the schema's order (the HTML sorts by severity).
 */
export interface DriftReport {
  kind: 'mrm.driftReport';
  version: 1;
  generatedAt: string;
  window: { from: string; to: string };
  baseline: { schemaId: string; profileVersion: string | null; events: number };
  /** `insufficient-data`: the window held nothing to compare, so there is no verdict; `reason` says why. */
  status: DriftAssessment['status'];
  reason?: string;
  /** The registered stat tests (name, heading, role per kind, threshold): the columns of the features table. */
  tests: DriftAssessment['tests'];
  /** Events read in the window: profiled + bad bodies. */
  events: number;
  eventsProfiled: number;
  blobs: { read: number; skipped: Array<{ name: string; reason: string }> };
  badBodies: Record<string, number>;
  features: Record<string, Omit<FeatureAssessment, 'name'>>;
  /** The scorer the settings name; null when the caller did not say. */
  model: ReportedModel | null;
  prediction: DriftAssessment['prediction'];
  performance: DriftAssessment['performance'];
  drift: DriftAssessment['drift'];
  retrainRecommended: boolean;
  recommendations: string[];
  /** The week's scoring telemetry from Log Analytics, or why it is absent. */
  telemetry: DriftTelemetry;
  thresholds: DriftOptions;
  /** The window's stream alarms (scoreEvents' detectors), when the run could read their log. */
  streamAlarms?: StreamAlarmsSummary;
  /** What the HTML draws: per feature the bins and counts of both sides and their summary statistics (absent when built without the profiles). */
  distributions?: ReportDistributions;
  /** The last windows' verdicts, this one last (absent when the run has no earlier reports to read). */
  trend?: DriftTrend;
}

/** One window's verdict, as the trend draws it: read back from that window's report.json. */
export interface TrendPoint {
  /** The window's label (`2026-W48`, or `2026-11-30` for a daily window): where its report lives. */
  label: string;
  from: string;
  to: string;
  status: DriftReport['status'];
  events: number;
  driftShare: number;
  datasetDrift: boolean;
  driftedFeatures: number;
  monitoredFeatures: number;
  retrainRecommended: boolean;
  /** Labels showed concept drift (null: not judged, or no labels). */
  conceptDrift: boolean | null;
  /**
   * Per feature, the effect size that decides for its kind (Wasserstein / std for numbers, Jensen-Shannon for
   * categories) against its practical minimum, and the verdict: one comparable number per window.
   */
  features: Record<string, TrendFeature>;
}

export interface TrendFeature {
  /** The effect test's name; null when nothing was tested (e.g. no values in the window). */
  test: string | null;
  score: number | null;
  threshold: number | null;
  drifted: boolean;
  severity: Severity;
}

/**
 * The last windows of the report's cadence, oldest first and this one last, so a slow change reads as a slope
 * rather than one Monday's surprise. A weekly report also carries the daily reports of its own days, when dailyDrift
 * ran: the week's first dataset-drift day is how much earlier the daily run said so.
 */
export interface DriftTrend {
  windows: TrendPoint[];
  days: TrendPoint[];
  /** Earlier windows with no usable report: never written (the run was off), or unreadable, and why. */
  missing: Array<{ label: string; reason: string }>;
}

export type DriftTelemetry =
  | {
      available: true;
      source: 'log-analytics';
      rejectedRate: number | null;
      lowConfidenceRate: number | null;
      [extra: string]: unknown;
    }
  | { available: false; reason: string };

export interface BuildDriftReportInput {
  window: { from: Date | string; to: Date | string };
  assessment: DriftAssessment;
  blobs: { read: number; skipped: ReadonlyArray<{ name: string; reason: string }> };
  badBodies: Readonly<Record<string, number>>;
  /** Absent means no workspace configured. */
  telemetry?: DriftTelemetry;
  /** The clock's now (the core reads no clock). */
  generatedAt: Date | string;
  baselineProfileVersion?: string | null;
  /** MRM_SCORER of the deployment, so the report can say what the predictions are. */
  scorer?: Scorer['kind'] | undefined;
  /** The two profiles compared (and the schema they were counted on): the report then carries their distributions. */
  profiles?: { reference: DatasetProfile; current: DatasetProfile; schema?: ProfileSchema | undefined };
}

export function buildDriftReport(input: BuildDriftReportInput): DriftReport {
  const { assessment } = input;
  const iso = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());
  const features: DriftReport['features'] = {};
  for (const { name, ...rest } of assessment.features) features[name] = rest;
  const badBodies: Record<string, number> = {};
  for (const key of Object.keys(input.badBodies).sort()) badBodies[key] = input.badBodies[key]!;
  const bad = Object.values(badBodies).reduce((s, n) => s + n, 0);
  return {
    kind: 'mrm.driftReport',
    version: 1,
    generatedAt: iso(input.generatedAt),
    window: { from: iso(input.window.from), to: iso(input.window.to) },
    status: assessment.status,
    ...(assessment.reason !== undefined ? { reason: assessment.reason } : {}),
    tests: assessment.tests,
    baseline: {
      schemaId: assessment.schemaId,
      profileVersion: input.baselineProfileVersion ?? null,
      events: assessment.referenceEvents,
    },
    events: assessment.currentEvents + bad,
    eventsProfiled: assessment.currentEvents,
    blobs: { read: input.blobs.read, skipped: input.blobs.skipped.map((s) => ({ name: s.name, reason: s.reason })) },
    badBodies,
    features,
    model: input.scorer ? { scorer: input.scorer, kind: modelKindOf(input.scorer) } : null,
    prediction: assessment.prediction,
    performance: assessment.performance,
    drift: { ...assessment.drift, driftedFeatures: [...assessment.drift.driftedFeatures] },
    retrainRecommended: assessment.retrainRecommended,
    recommendations: [...assessment.recommendations],
    telemetry: input.telemetry ?? {
      available: false,
      reason:
        'No Log Analytics workspace configured: scoring telemetry (rejected and low-confidence rates) not included.',
    },
    thresholds: { ...assessment.options },
    ...(input.profiles
      ? { distributions: reportDistributions(input.profiles.reference, input.profiles.current, input.profiles.schema) }
      : {}),
  };
}
