import type { MetricsPort } from '../telemetry/metricsPort.js';
import type { DeadLetter } from './deadLetter.js';
import type { ScoredRecord } from '../contracts/records.js';
import { VALIDATION_CODES } from './inputValidator.js';

/** What one batch did, for telemetry and the CLI. */
export interface BatchSummary {
  events: number;
  accepted: number;
  flagged: number;
  review: number;
  rejected: number;
  deadLettered: number;
  /** Rate-limited or probing callers' events. */
  extractionFlagged: number;
  /** Those events by caller id (for the extraction log line: metrics carry no caller). */
  extractionFlaggedByCaller: Record<string, number>;
  /** Scored events (with a prediction). */
  predicted: number;
  lowConfidence: number;
  meanEntropy: number | null;
  anomalies: number;
  labelled: number;
  correct: number;
  batchLatencyInMs: number;
  scorerLatencyInMs: number | null;
  deadLetterReasons: Record<string, number>;
}

export function summariseBatch(
  scored: readonly ScoredRecord[],
  deadLetters: readonly Pick<DeadLetter, 'reason'>[],
  context: { events: number; batchLatencyInMs: number; scorerLatencyInMs: number | null; minConfidence: number },
): BatchSummary {
  const s: BatchSummary = {
    events: context.events,
    accepted: 0,
    flagged: 0,
    review: 0,
    rejected: 0,
    deadLettered: deadLetters.length,
    extractionFlagged: 0,
    extractionFlaggedByCaller: {},
    predicted: 0,
    lowConfidence: 0,
    meanEntropy: null,
    anomalies: 0,
    labelled: 0,
    correct: 0,
    batchLatencyInMs: context.batchLatencyInMs,
    scorerLatencyInMs: context.scorerLatencyInMs,
    deadLetterReasons: {},
  };
  let entropySum = 0;
  for (const r of scored) {
    if (r.decision === 'ACCEPT') s.accepted++;
    else if (r.decision === 'FLAG') s.flagged++;
    else if (r.decision === 'MANUAL_REVIEW') s.review++;
    else s.rejected++;
    if (r.reasons.includes('EXTRACTION.RATE_LIMITED') || r.reasons.includes('EXTRACTION.PROBING')) {
      s.extractionFlagged++;
      const caller = r.callerId ?? '';
      s.extractionFlaggedByCaller[caller] = (s.extractionFlaggedByCaller[caller] ?? 0) + 1;
    }
    if (r.issues.some((i) => i.code === VALIDATION_CODES.anomaly)) s.anomalies++;
    if (r.prediction === null) continue;
    s.predicted++;
    if (r.confidence !== null && r.confidence < context.minConfidence) s.lowConfidence++;
    entropySum += r.entropy ?? 0;
    if (r.label !== null) {
      s.labelled++;
      if (String(r.label) === r.prediction) s.correct++;
    }
  }
  if (s.predicted > 0) s.meanEntropy = entropySum / s.predicted;
  for (const d of deadLetters) s.deadLetterReasons[d.reason] = (s.deadLetterReasons[d.reason] ?? 0) + 1;
  return s;
}

/**
 * The log line naming a batch's extraction-flagged callers, `<prefix>[["caller",count],...]` with the most flagged
 * first (at most `limit`), or null when none was flagged. The dashboard's "extraction flags by caller" reads it; the
 * prefix comes from monitoring.json.
 */
export function extractionCallersLine(summary: BatchSummary, prefix: string, limit = 20): string | null {
  const pairs = Object.entries(summary.extractionFlaggedByCaller)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit);
  return pairs.length > 0 ? `${prefix}${JSON.stringify(pairs)}` : null;
}

/** Emits one batch's telemetry; rates are observed per batch so Azure Monitor can average them over a window. */
export function recordBatchMetrics(summary: BatchSummary, metrics: MetricsPort): void {
  metrics.count('events', summary.events);
  metrics.count('accepted', summary.accepted);
  metrics.count('flagged', summary.flagged);
  metrics.count('review', summary.review);
  metrics.count('rejected', summary.rejected);
  metrics.count('deadLettered', summary.deadLettered);
  metrics.count('extractionFlagged', summary.extractionFlagged);
  metrics.observe('batchLatencyMs', summary.batchLatencyInMs);
  if (summary.scorerLatencyInMs !== null) metrics.observe('scorerLatencyMs', summary.scorerLatencyInMs);
  if (summary.events > 0) {
    metrics.observe('deadLetterRate', summary.deadLettered / summary.events);
    metrics.observe('rejectedRate', summary.rejected / summary.events);
    const validated = summary.events - summary.deadLettered;
    if (validated > 0) metrics.observe('anomalyRate', summary.anomalies / validated);
  }
  if (summary.predicted > 0) metrics.observe('lowConfidenceRate', summary.lowConfidence / summary.predicted);
  if (summary.meanEntropy !== null) metrics.observe('meanEntropy', summary.meanEntropy);
  if (summary.labelled > 0) {
    metrics.count('labelled', summary.labelled);
    metrics.observe('accuracy', summary.correct / summary.labelled);
  }
}
