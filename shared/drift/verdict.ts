import type { DriftReport } from './report.js';

const two = (x: number): string => x.toFixed(2);

/**
 * The one-line verdict of a report, for the CLI and the HTML alike. Dataset drift and retraining have different
 * thresholds (0.5 and 0.3 by default), so "no dataset drift" and "retraining recommended" can both hold: the line
 * gives each its number and threshold, so they never read as a contradiction.
 */
export function driftVerdict(
  r: Pick<DriftReport, 'status' | 'reason' | 'drift' | 'retrainRecommended' | 'performance' | 'thresholds'>,
): string {
  if (r.status === 'insufficient-data')
    return `Insufficient data: ${r.reason ?? 'nothing to compare'}. No drift verdict.`;
  const { share, drifted, driftedFeatures, monitoredFeatures } = r.drift;
  const { datasetDriftShare, retrainMagnitude } = r.thresholds;
  const which = driftedFeatures.length > 0 ? `: ${driftedFeatures.join(', ')}` : '';
  const dataset =
    `Dataset drift: ${drifted ? 'yes' : 'no'} (${driftedFeatures.length} of ${monitoredFeatures} features drifted${which}; ` +
    `drifted share ${two(share)} ${drifted ? '≥' : '<'} ${two(datasetDriftShare)}).`;
  const conceptDrift = r.performance?.judged === true && r.performance.conceptDrift;
  const reasons: string[] = [];
  if (share > retrainMagnitude) reasons.push(`drifted share ${two(share)} > ${two(retrainMagnitude)}`);
  if (conceptDrift) reasons.push(`concept drift (${r.performance!.severity})`);
  const retraining = r.retrainRecommended
    ? `Retraining recommended: ${reasons.join(' and ')}${!drifted && share > retrainMagnitude ? ` (retraining is asked for at a lower drifted share than dataset drift)` : ''}.`
    : `Retraining not recommended (drifted share ${two(share)} ≤ ${two(retrainMagnitude)}, no concept drift).`;
  return `${dataset} ${retraining}`;
}
