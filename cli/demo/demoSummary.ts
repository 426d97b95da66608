import type { DemoResult } from './runDemo.js';

const n = (value: number): string => value.toLocaleString('en-US');
const pct = (part: number, whole: number): string => (whole === 0 ? '0%' : `${((100 * part) / whole).toFixed(1)}%`);
const fixed = (value: number | null | undefined, digits = 3): string =>
  value === null || value === undefined ? '–' : value.toFixed(digits);
const pValue = (p: number): string => (p === 0 ? '<1e-300' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3));
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

const onsetLabel = (onsetInMs: number): string => {
  const at = new Date(onsetInMs);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][at.getUTCDay()]!;
  return `${day} ${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} UTC`;
};

/** What the model was, how it measured in the baseline, and how it did on ordinary traffic before and after the onset. */
function modelLines(result: DemoResult): string[] {
  const { scoredBy, metrics, modelFile } = result.baseline;
  const what =
    scoredBy.scorer === 'onnx'
      ? `classifier ${scoredBy.modelVersion} from ${modelFile ?? 'the model blob'} (classes ${scoredBy.classes.join(', ')})`
      : 'the embedded input-anomaly detector (no classifier given: --model)';
  const heldOut = metrics
    ? `; on the baseline's held-out rows accuracy ${fixed(metrics.accuracy)}, recall ${fixed(metrics.recall)}`
    : '';
  const side = (label: string, s: DemoResult['counts']['model']['beforeOnset']): string =>
    `  ${label.padEnd(40)}accuracy ${s.labelled > 0 ? fixed(s.correct / s.labelled) : '–'} on ${n(s.labelled)} labelled; ` +
    `ordinary events ACCEPTed ${pct(s.accepted, s.ordinary)} of ${n(s.ordinary)}`;
  const { beforeOnset, afterOnset } = result.counts.model;
  return [
    `Model            ${what}${heldOut}`,
    side(`before the drift onset (${onsetLabel(result.scenario.drift.onsetInMs)})`, beforeOnset),
    side('after it', afterOnset),
  ];
}

/** When the stream detectors paged, against the drift onset, beside when the weekly report says it. */
function streamLine(result: DemoResult): string {
  const onset = result.scenario.drift.onsetInMs;
  const hours = (ms: number): string => `${(ms / 3_600_000).toFixed(1)} h`;
  const weekly = `the weekly report says it ${hours(result.scenario.nowInMs - onset)} after the onset`;
  const alarms = [...result.counts.streamAlarms].sort((a, b) => a.atInMs - b.atInMs);
  if (alarms.length === 0) return `Stream           no detector paged this week; ${weekly}`;
  const probe = result.scenario.probe;
  const when = alarms.map((a) => {
    const delta = a.atInMs - onset;
    // The attacker's burst moves the FLAG share and the scores too: a page then is the attack, not the drift.
    const cause =
      a.atInMs >= probe.fromInMs && a.atInMs < probe.toInMs + 3_600_000 ? ', during the extraction attack' : '';
    return `${a.detector} (${a.direction}) ${delta >= 0 ? `${hours(delta)} after` : `${hours(-delta)} before`} the onset, partition ${a.partition}${cause}`;
  });
  return `Stream           first pages: ${when.join('; ')}; ${weekly}`;
}

/** The week's daily reports: each day's drifted share, and how much earlier than Monday the first dataset drift was seen. */
function dailyLine(result: DemoResult): string {
  const shares = result.daily.map((d) => `${d.label.slice(5)} ${d.driftShare.toFixed(2)}${d.datasetDrift ? '*' : ''}`);
  const first = result.daily.find((d) => d.datasetDrift);
  const hours = (ms: number): string => `${(ms / 3_600_000).toFixed(1)} h`;
  const when = first
    ? `dataset drift (*) first in the report of ${first.label}, ${hours(first.reportedAtInMs - result.scenario.drift.onsetInMs)} after the onset and ${hours(result.scenario.nowInMs - first.reportedAtInMs)} before the weekly report`
    : 'no day had dataset drift';
  return `Daily drift      ${shares.join(', ')}: ${when}`;
}

/** Concept drift as the weekly report judged it: the metrics that dropped beyond sampling error, or why none did. */
function performanceLine(report: DemoResult['report']): string {
  const p = report.performance;
  if (!p) return 'Performance      not judged: the scored events carried no labels';
  if (!p.judged) return `Performance      not judged: ${p.reason ?? 'too few labels'}`;
  if (!p.conceptDrift) {
    const a = p.metrics.accuracy;
    return `Performance      no concept drift${a ? ` (accuracy ${fixed(a.reference)} in the baseline, ${fixed(a.current)} this week)` : ''}`;
  }
  const drops = p.decidedBy.map((name) => {
    const m = p.metrics[name]!;
    return `${name} ${fixed(m.reference)} → ${fixed(m.current)}`;
  });
  return `Performance      concept drift on ${n(p.labelled)} labelled events: ${drops.join(', ')}`;
}

/** The short summary the demo prints at the end: what came in, what the defences did, what drifted, what was decided. */
export function formatDemoSummary(result: DemoResult): string {
  const { counts, report, scenario } = result;
  const lines: string[] = [];
  lines.push(
    `Model Risk Monitor demo: week ${scenario.window.label} (${report.window.from.slice(0, 10)} to ${report.window.to.slice(0, 10)}), ${scenario.partitions} partitions`,
  );
  lines.push('');
  lines.push(`Events in        ${n(counts.events).padStart(9)}`);
  const row = (label: string, value: number, extra = ''): string =>
    `  ${label.padEnd(15)}${n(value).padStart(9)}  ${pct(value, counts.events).padStart(6)}${extra}`;
  lines.push(row('accepted', counts.accepted));
  lines.push(row('flagged', counts.flagged));
  if (counts.review > 0) lines.push(row('manual review', counts.review));
  lines.push(row('rejected', counts.rejected));
  const reasons = Object.entries(counts.deadLetterReasons)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} ${n(count)}`)
    .join(', ');
  lines.push(row('dead-lettered', counts.deadLettered, reasons ? `  (${reasons})` : ''));
  const probe = counts.probe;
  lines.push(
    `Extraction       caller ${probe.callerId}: ${n(probe.queries)} queries, ${n(probe.probing)} flagged as probing, ${n(probe.rateLimited)} rejected by the rate limit`,
  );
  lines.push(...modelLines(result));
  lines.push('');

  const drift = report.drift;
  lines.push(
    `Drift            ${drift.driftedFeatures.length} of ${drift.monitoredFeatures} features drifted, drifted share ${drift.share.toFixed(2)}` +
      ` (dataset drift: ${drift.drifted ? 'yes' : 'no'}; ${n(report.events)} events from ${n(report.blobs.read)} Capture files)`,
  );
  const drifted = drift.driftedFeatures.map((name) => [name, report.features[name]] as const);
  if (drifted.length > 0) {
    lines.push(`  ${'feature'.padEnd(20)}${'effect'.padEnd(22)}${'significance'.padEnd(22)}severity`);
    for (const [name, f] of drifted) {
      const tests = Object.entries(f?.tests ?? {});
      const effect = tests.find(([, t]) => t.role === 'effect' && t.beyondThreshold);
      const significance = tests.find(([, t]) => t.role === 'significance');
      const effectText = effect ? `${effect[0]} ${fixed(effect[1].score)}` : '–';
      const significanceText = significance
        ? `${significance[0]} p ${pValue(significance[1].pValueAdjusted ?? significance[1].score)}`
        : '–';
      lines.push(`  ${name.padEnd(20)}${effectText.padEnd(22)}${significanceText.padEnd(22)}${f?.severity ?? ''}`);
    }
  }
  lines.push(dailyLine(result));
  lines.push(performanceLine(report));
  lines.push(streamLine(result));
  lines.push('');

  const alert = result.alert;
  if (!alert.fired) {
    lines.push(
      `Retraining       not requested: drifted share ${alert.magnitude.toFixed(2)} does not exceed the alert threshold ${alert.threshold}`,
    );
  } else {
    const body = (alert.response?.body ?? {}) as Record<string, unknown>;
    const decision = typeof body.status === 'string' ? body.status : JSON.stringify(body);
    const job = typeof body.jobName === 'string' ? `, job ${body.jobName}` : '';
    const dry =
      body.dryRun === true ? ' (dry run: no Azure ML workspace configured, the request was recorded, not sent)' : '';
    lines.push(
      `Retraining       alert fired (drifted share ${alert.magnitude.toFixed(2)} > ${alert.threshold}); retrainWebhook answered ${alert.response?.status}: ${decision}${job}${dry}`,
    );
  }
  lines.push(`Report           ${result.files.reportHtml}`);
  const t = result.timingsInMs;
  lines.push(
    `Done in ${seconds(t.total)} (baseline ${seconds(t.baseline)}, stream ${seconds(t.stream)}, daily ${seconds(t.daily)}, drift ${seconds(t.drift)}, retrain ${seconds(t.retrain)})`,
  );
  return lines.join('\n');
}
