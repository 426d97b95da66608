import { alarmTimeInMs, type AlarmHistory, type StoredAlarm } from '../../contracts/streamAlarms.js';
import { esc } from '../escapeHtml.js';

/** The week's stream alarms in the report: when each detector paged, on which partition, on what numbers. */
export type StreamAlarmsSummary =
  | {
      available: true;
      source: string;
      /** Alarms in the window; `alarms` holds the earliest MAX_REPORTED of them. */
      total: number;
      byDetector: Record<string, number>;
      byPartition: Record<string, number>;
      alarms: Array<StoredAlarm & { at: string }>;
    }
  | { available: false; reason: string };

/** Alarms the report lists (a drift that persists pages once per quiet period per detector, so a week stays small). */
export const MAX_REPORTED = 500;
const TABLE_ROWS = 50;

/** Reads the window's alarms; a failure to read is said in the report, never fails it. */
export async function streamAlarmsOf(
  history: AlarmHistory | undefined,
  window: { fromInMs: number; toInMs: number },
): Promise<StreamAlarmsSummary | undefined> {
  if (!history) return undefined;
  try {
    const { alarms, total } = await history.between(window.fromInMs, window.toInMs, MAX_REPORTED);
    const byDetector: Record<string, number> = {};
    const byPartition: Record<string, number> = {};
    for (const a of alarms) {
      byDetector[a.detector] = (byDetector[a.detector] ?? 0) + 1;
      byPartition[a.partition] = (byPartition[a.partition] ?? 0) + 1;
    }
    return {
      available: true,
      source: history.description,
      total,
      byDetector,
      byPartition,
      alarms: alarms.map((a) => ({ ...a, at: new Date(alarmTimeInMs(a)).toISOString() })),
    };
  } catch (error) {
    return {
      available: false,
      reason: `${history.description}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

const DETECTOR_ORDER = ['errorWindow', 'errorCusum', 'estimatedAccuracy', 'score', 'entropy', 'decisions'];
const WIDTH = 960;
const LEFT = 130;
const ROW = 26;
const TOP = 22;

/**
 * The report's section: the window as a time axis (a tick per day), a row per detector that paged, a mark per page
 * (up or down, its numbers on hover), then the first pages as a table. Every string from data is escaped.
 */
export function streamTimelineSection(report: {
  window: { from: string; to: string };
  streamAlarms?: StreamAlarmsSummary | undefined;
}): string {
  const s = report.streamAlarms;
  if (!s) return '';
  const head = '<section id="stream-alarms"><h2>Stream alarms</h2>';
  if (!s.available)
    return `${head}<p class="muted">The stream detectors' alarm log could not be read: ${esc(s.reason)}</p></section>`;
  if (s.total === 0) return `${head}<p>No stream detector paged in the window (${esc(s.source)}).</p></section>`;
  const from = Date.parse(report.window.from);
  const to = Date.parse(report.window.to);
  const detectors = [
    ...DETECTOR_ORDER.filter((d) => d in s.byDetector),
    ...Object.keys(s.byDetector)
      .filter((d) => !DETECTOR_ORDER.includes(d))
      .sort(),
  ];
  const height = TOP + detectors.length * ROW + 8;
  const x = (t: number): number => LEFT + ((t - from) / Math.max(1, to - from)) * (WIDTH - LEFT - 10);
  const ticks: string[] = [];
  for (let t = from; t <= to; t += 86_400_000) {
    const label = new Date(t).toISOString().slice(5, 10);
    ticks.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${TOP - 6}" y2="${height - 4}" class="tick"/>` +
        (t < to ? `<text x="${(x(t) + 3).toFixed(1)}" y="${TOP - 9}">${label}</text>` : ''),
    );
  }
  const rows = detectors.map(
    (d, i) =>
      `<text x="4" y="${TOP + i * ROW + ROW / 2 + 4}">${esc(d)} (${s.byDetector[d]})</text>` +
      `<line x1="${LEFT}" x2="${WIDTH - 10}" y1="${TOP + i * ROW + ROW / 2}" y2="${TOP + i * ROW + ROW / 2}" class="lane"/>`,
  );
  const marks = s.alarms.map((a) => {
    const cx = x(Date.parse(a.at));
    const cy = TOP + detectors.indexOf(a.detector) * ROW + ROW / 2;
    const p = (dx: number, dy: number): string => `${(cx + dx).toFixed(1)},${cy + dy}`;
    const points = a.direction === 'up' ? `${p(0, -7)} ${p(-6, 5)} ${p(6, 5)}` : `${p(0, 7)} ${p(-6, -5)} ${p(6, -5)}`;
    return `<polygon points="${points}" class="alarm ${a.direction}"><title>${esc(describe(a))}</title></polygon>`;
  });
  const partitions = Object.entries(s.byPartition)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([p, n]) => `${esc(p)}: ${n}`)
    .join(', ');
  const table = s.alarms
    .slice(0, TABLE_ROWS)
    .map(
      (a) =>
        `<tr><td class="nb">${esc(a.at.slice(0, 19).replace('T', ' '))}</td><td>${esc(a.partition)}</td><td>${esc(a.detector)}</td><td>${a.direction === 'up' ? '▲ up' : '▼ down'}</td><td>${num(a.statistic)} / ${num(a.threshold)}</td><td>${a.window.events.toLocaleString('en-US')} events, ${a.window.hits.toLocaleString('en-US')} hits (${pct(a.window.rate)} vs ${pct(a.window.baseRate)})</td><td class="name">${esc(a.firstEventId ?? '')} … ${esc(a.lastEventId)}</td></tr>`,
    )
    .join('\n');
  const more =
    s.total > TABLE_ROWS
      ? `<p class="muted">The first ${TABLE_ROWS} of ${s.total.toLocaleString('en-US')} alarms; report.json lists ${Math.min(s.total, MAX_REPORTED)}.</p>`
      : '';
  return `${head}
<p>${s.total.toLocaleString('en-US')} page${s.total === 1 ? '' : 's'} in the window, by partition ${partitions}. Each detector pages once per quiet period while a drift lasts; ▲ a rise (error rate, score, entropy or share of non-ACCEPT decisions), ▼ a fall. Hover a mark for its numbers.</p>
<svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Stream alarms over the window" class="timeline"><style>.timeline .tick{stroke:#d8dde3}.timeline .lane{stroke:#eef1f4}.timeline .alarm.up{fill:#b42318}.timeline .alarm.down{fill:#1f5fa8}</style>
${ticks.join('\n')}
${rows.join('\n')}
${marks.join('\n')}
</svg>
<table class="alarms"><thead><tr><th>When (UTC)</th><th>Partition</th><th>Detector</th><th>Direction</th><th>Statistic / threshold</th><th>Evidence</th><th>Events</th></tr></thead><tbody>
${table}
</tbody></table>
${more}
</section>`;
}

function describe(a: StoredAlarm & { at: string }): string {
  return `${a.at} partition ${a.partition}: ${a.detector} ${a.direction}, ${num(a.statistic)} ≥ ${num(a.threshold)}; ${a.window.events} events since ${a.firstEventId ?? '?'}, ${pct(a.window.rate)} vs ${pct(a.window.baseRate)}`;
}

const num = (v: number): string => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(3));
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;
