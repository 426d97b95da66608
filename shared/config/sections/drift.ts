import { container, number, oneOf, optionalText, text, url } from '../setting.js';
import { DEFAULT_DRIFT_OPTIONS } from '../../drift/driftOptions.js';
import { jensenShannonTest } from '../../drift/stats/jensenShannon.js';
import { psiTest } from '../../drift/stats/psi.js';
import { wassersteinTest } from '../../drift/stats/wasserstein.js';

// Who reads what: both drift runs, and the driftBackfill orchestration that reports a window for them, read every
// report setting; profileCaptureBlob folds landed blobs into the cache; retrainWebhook names the Capture blobs of the
// training window.
const DRIFT_RUNS = ['weeklyDrift', 'dailyDrift', 'driftBackfill'] as const;
const PROFILE_WRITERS = ['profileCaptureBlob', ...DRIFT_RUNS] as const;
const CAPTURE_READERS = [...PROFILE_WRITERS, 'retrainWebhook'] as const;

/** Settings of weeklyDrift and dailyDrift (and `mrm drift`), and of profileCaptureBlob. Thresholds: drift-methods.md "Decisions". */
export const driftSettings = {
  captureContainer: container(
    'MRM_CAPTURE_CONTAINER',
    'Container Event Hubs Capture writes Avro files to.',
    'capture',
    CAPTURE_READERS,
  ),
  captureNameFormat: text(
    'MRM_CAPTURE_NAME_FORMAT',
    'Capture archive name format, as configured on the hubs (every token must stay).',
    '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}',
    CAPTURE_READERS,
  ),
  alpha: number(
    'MRM_DRIFT_ALPHA',
    "False-alarm budget of a window: a feature's change must be significant at this level after Benjamini-Hochberg across features (KS for numbers, chi-square for categories), and a metric's drop at this level for concept drift.",
    DEFAULT_DRIFT_OPTIONS.alpha,
    DRIFT_RUNS,
    { min: 0, max: 1 },
  ),
  wassersteinThreshold: number(
    'MRM_DRIFT_WASSERSTEIN_THRESHOLD',
    'Practical minimum for numeric features: a significant change drifts only when Wasserstein / baseline std is at least this (Azure ML and Evidently: 0.1).',
    wassersteinTest.defaultThreshold,
    DRIFT_RUNS,
    { min: 0 },
  ),
  jensenShannonThreshold: number(
    'MRM_DRIFT_JS_THRESHOLD',
    'Practical minimum for categorical features: a significant change drifts only when the Jensen-Shannon distance (base 2) is at least this (Azure ML and Evidently: 0.1).',
    jensenShannonTest.defaultThreshold,
    DRIFT_RUNS,
    { min: 0, max: 1 },
  ),
  psiThreshold: number(
    'MRM_DRIFT_PSI_THRESHOLD',
    "PSI at which the report marks the PSI signal (the seed's 0.2); PSI is reported, it does not decide.",
    psiTest.defaultThreshold,
    DRIFT_RUNS,
    { min: 0 },
  ),
  psiBinning: oneOf(
    'MRM_DRIFT_PSI_BINNING',
    "PSI bins: the seed's 10 equal-width buckets over the baseline range, or baseline deciles.",
    'equal-width',
    ['equal-width', 'decile'] as const,
    DRIFT_RUNS,
  ),
  falseDiscoveryControl: oneOf(
    'MRM_DRIFT_FDR',
    'Multiple-testing control of p-value tests across features.',
    'benjamini-hochberg',
    ['benjamini-hochberg', 'none'] as const,
    DRIFT_RUNS,
  ),
  datasetDriftShare: number(
    'MRM_DRIFT_DATASET_SHARE',
    'The dataset drifts when the share of drifted features is at least this.',
    DEFAULT_DRIFT_OPTIONS.datasetDriftShare,
    DRIFT_RUNS,
    { min: 0, max: 1 },
  ),
  retrainMagnitude: number(
    'MRM_DRIFT_RETRAIN_MAGNITUDE',
    'Retraining is recommended when the drifted share of features exceeds this (seed: 0.3).',
    DEFAULT_DRIFT_OPTIONS.retrainMagnitude,
    DRIFT_RUNS,
    { min: 0, max: 1 },
  ),
  performanceDrop: number(
    'MRM_DRIFT_PERFORMANCE_DROP',
    'Concept drift when a performance metric drops by more than this against the baseline and the drop is significant at MRM_DRIFT_ALPHA (seed: 0.05).',
    DEFAULT_DRIFT_OPTIONS.performanceDrop,
    DRIFT_RUNS,
    { min: 0, max: 1 },
  ),
  performanceHighDrop: number(
    'MRM_DRIFT_PERFORMANCE_HIGH_DROP',
    'A drop above this is HIGH severity (seed: 0.10).',
    DEFAULT_DRIFT_OPTIONS.performanceHighDrop,
    DRIFT_RUNS,
    { min: 0, max: 1 },
  ),
  minLabelled: number(
    'MRM_DRIFT_MIN_LABELLED',
    'Performance is not judged below this many labelled records in the window.',
    DEFAULT_DRIFT_OPTIONS.minLabelled,
    DRIFT_RUNS,
    { min: 1, integer: true },
  ),
  // Reading Capture, caching, scheduling and reporting (weeklyDrift and `mrm drift`).
  captureNamespace: optionalText(
    'MRM_CAPTURE_NAMESPACE',
    'Event Hubs namespace name as it appears in Capture blob names ({Namespace}); unset discovers every namespace in the container.',
    CAPTURE_READERS,
    { sample: '' },
  ),
  driftSchedule: text(
    'MRM_DRIFT_SCHEDULE',
    'NCRONTAB schedule (with seconds, UTC) of weeklyDrift; each run reports the previous ISO week.',
    '0 0 3 * * 1',
    ['weeklyDrift'],
    { parse: ncrontab },
  ),
  dailyDriftSchedule: text(
    'MRM_DAILY_DRIFT_SCHEDULE',
    "NCRONTAB schedule (with seconds, UTC) of dailyDrift; each run reports the previous UTC day from the hourly roll-ups (a report only: the weekly run's metrics drive the alerts). Disable it with AzureWebJobs.dailyDrift.Disabled=true.",
    '0 30 2 * * *',
    ['dailyDrift'],
    { parse: ncrontab },
  ),
  cacheContainer: container(
    'MRM_DRIFT_CACHE_CONTAINER',
    'Container of per-blob drift profiles (keyed by blob name and ETag), so an interrupted run resumes.',
    'drift-cache',
    PROFILE_WRITERS,
  ),
  reportsContainer: container(
    'MRM_REPORTS_CONTAINER',
    'Container drift reports are written to (`<YYYY>-W<ww>/report.json` and `report.html`).',
    'reports',
    DRIFT_RUNS,
  ),
  dashboardUrl: url(
    'MRM_DASHBOARD_URL',
    'Link to the dashboard (the Azure Monitor workbook infra deploys) shown at the top of each drift report. Unset: no link.',
    DRIFT_RUNS,
    { sample: '' },
  ),
  timeBudgetInMs: number(
    'MRM_DRIFT_TIME_BUDGET_MS',
    'How long one drift invocation (a timer run, a driftBackfill activity) starts new blobs, in milliseconds; keep it below the function timeout (Flex Consumption: 30 min by default). When it runs out the invocation stops cleanly, the blobs done so far cached: a timer run hands the window to driftBackfill (with MRM_DRIFT_HANDOVER_MIB=0, its retry resumes instead), an activity is planned again.',
    1_500_000,
    DRIFT_RUNS,
    { min: 10_000, integer: true },
  ),
  concurrency: number(
    'MRM_DRIFT_CONCURRENCY',
    'Capture blobs read at once by a drift run (or one driftBackfill activity).',
    4,
    DRIFT_RUNS,
    {
      min: 1,
      max: 64,
      integer: true,
    },
  ),
  trendWindows: number(
    'MRM_DRIFT_TREND_WINDOWS',
    "Earlier windows the report's trend reads back from their reports (weekly: weeks; dailyDrift: days); 0 leaves the trend out.",
    8,
    // startDriftBackfill recomputes at most this many windows and the current one (after a baseline change).
    [...DRIFT_RUNS, 'startDriftBackfill'],
    { min: 0, max: 104, integer: true },
  ),
  handOverAboveMiB: number(
    'MRM_DRIFT_HANDOVER_MIB',
    "Capture data without an hourly roll-up, in MiB, above which weeklyDrift and dailyDrift hand their window to the driftBackfill orchestration (one activity per hub and hour, scaled out by the platform; it writes the report) instead of folding it in the timer invocation, so the timer run stays short: one core folds a GiB of the seed's events (~400 B each) in about 5 s (npm run bench). 0 never hands over: a long backfill then continues through the timer's retries.",
    2048,
    DRIFT_RUNS,
    { min: 0, integer: true },
  ),
  logAnalyticsWorkspaceId: optionalText(
    'MRM_LOG_ANALYTICS_WORKSPACE_ID',
    "Log Analytics workspace (customer) id of Application Insights; when set, the report adds the week's rejected and low-confidence rates. Unset: the report says telemetry is not included.",
    DRIFT_RUNS,
    { sample: '' },
  ),
} as const;

/** Six NCRONTAB fields (second minute hour day month weekday), spaces normalised. */
function ncrontab(raw: string): { ok: true; value: string } | { ok: false; error: string } {
  return /^\s*\S+(\s+\S+){5}\s*$/.test(raw) && /^[\d*/,\-\sA-Za-z]+$/.test(raw)
    ? { ok: true, value: raw.trim().replace(/\s+/g, ' ') }
    : {
        ok: false,
        error: `expected an NCRONTAB expression with six fields (second minute hour day month weekday), got "${raw}"`,
      };
}
