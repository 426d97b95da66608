import cliProgress from 'cli-progress';
import type { DemoProgress, DemoStage } from './ports.js';

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const LABELS: Record<DemoStage, string> = {
  baseline: 'Baseline',
  stream: 'Scoring a week of events',
  daily: 'dailyDrift, day by day',
  drift: 'weeklyDrift over Capture',
  retrain: 'Alert to retrainWebhook',
};
const UNITS: Partial<Record<DemoStage, string>> = { stream: 'events', daily: 'days', drift: 'Capture files' };

/**
 * Progress of the demo: live bars (cli-progress) when the stream is a terminal, otherwise plain lines at each
 * quarter, so logs and CI output stay readable. `stop` must be called before printing anything else.
 */
export function progressView(stream: ProgressStream): DemoProgress & { stop(): void } {
  return stream.isTTY ? barsView(stream) : linesView(stream);
}

function barsView(stream: ProgressStream): DemoProgress & { stop(): void } {
  const multibar = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: ' {stage} |{bar}| {percentage}% {value}/{total} {unit}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      barsize: 30,
      formatValue: (value, _options, type) =>
        type === 'value' || type === 'total' ? Number(value).toLocaleString('en-US') : String(value),
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<DemoStage, cliProgress.SingleBar>();
  return {
    begin(stage, total) {
      if (!UNITS[stage]) return;
      bars.set(stage, multibar.create(Math.max(total, 1), 0, { stage: LABELS[stage].padEnd(26), unit: UNITS[stage] }));
    },
    update(stage, done, total) {
      const bar = bars.get(stage);
      if (!bar) return;
      if (total !== undefined) bar.setTotal(Math.max(total, 1));
      bar.update(done);
    },
    end(stage, message) {
      const bar = bars.get(stage);
      if (bar) bar.update(bar.getTotal());
      multibar.log(`✔ ${message}\n`);
    },
    stop: () => multibar.stop(),
  };
}

function linesView(stream: ProgressStream): DemoProgress & { stop(): void } {
  const next = new Map<DemoStage, number>();
  const totals = new Map<DemoStage, number>();
  return {
    begin(stage, total) {
      totals.set(stage, total);
      next.set(stage, 0.25);
      stream.write(`${LABELS[stage]}...\n`);
    },
    update(stage, done, total) {
      if (total !== undefined) totals.set(stage, total);
      const whole = totals.get(stage) ?? 0;
      let mark = next.get(stage) ?? Infinity;
      if (whole <= 0 || done < whole * mark) return;
      while (done >= whole * mark) mark = mark < 1 ? mark + 0.25 : Infinity;
      next.set(stage, mark);
      stream.write(
        `  ${LABELS[stage]}: ${done.toLocaleString('en-US')}/${whole.toLocaleString('en-US')} ${UNITS[stage] ?? ''}\n`,
      );
    },
    end(_stage, message) {
      stream.write(`- ${message}\n`);
    },
    stop: () => undefined,
  };
}
