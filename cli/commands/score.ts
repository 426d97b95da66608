import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { loadSettings, type Environment } from '../../shared/config/settings.js';
import { MrmError, unwrap } from '../../shared/errors.js';
import { readBaselineProfile } from '../../shared/baseline/readBaselineProfile.js';
import { createScoringEngine } from '../../shared/scoring/createScoringEngine.js';
import { scoreBatch } from '../../shared/scoring/scoreBatch.js';
import { decodeBody, type StoredDeadLetter } from '../../shared/scoring/deadLetter.js';
import { deadLetterParts } from '../../shared/scoring/deadLetterSink.js';
import { UNKNOWN_METADATA, type EventMetadata } from '../../shared/scoring/eventMetadata.js';
import { scorerFromSettings } from '../../shared/adapters/scorerFromSettings.js';
import type { ModelKind } from '../../shared/contracts/records.js';
import { StreamMonitor, type StreamAlarm } from '../../shared/stream/streamMonitor.js';
import type { StreamState } from '../../shared/stream/streamState.js';
import type { Clock } from '../../shared/contracts/clock.js';
import { systemClock } from '../../shared/adapters/clocks.js';

export interface ScoreArguments {
  baseline: string;
  input: string;
  out: string;
  deadLetters?: string;
  batchSize?: number;
  /** An ONNX model file to score with (whatever MRM_SCORER says). */
  model?: string;
}

export interface ScoreTotals {
  events: number;
  scored: number;
  deadLettered: number;
  replayed: number;
  decisions: Record<string, number>;
  deadLetterReasons: Record<string, number>;
  /** The model that scored: its version and what it is. */
  model: { version: string; kind: ModelKind };
  /** Pages of the stream detectors over the file, per partition (`file` when the records carry none); null when off. */
  streamAlarms: StreamAlarm[] | null;
}

/**
 * The use case behind `mrm score`: the same scoring as scoreEvents over a JSONL file, for offline scoring and for
 * replaying dead letters (lines that are dead-letter records are replayed with their original body and metadata).
 * Streams the file in batches, so memory stays flat whatever its size.
 */
export async function runScore(
  args: ScoreArguments,
  env: Environment = process.env,
  clock: Clock = systemClock,
): Promise<ScoreTotals> {
  const settings = unwrap(loadSettings(env));
  let json: unknown;
  try {
    json = JSON.parse(await readFile(args.baseline, 'utf8'));
  } catch (cause) {
    throw new MrmError(
      'bad-input',
      'PROFILE.INVALID',
      `Cannot read baseline ${args.baseline}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const profile = unwrap(readBaselineProfile(json, args.baseline));
  const engine = createScoringEngine(profile, settings.scoring, {
    scorer: scorerFromSettings(settings, env, { modelFile: args.model }),
  });
  // A model that cannot score stops the command before it reads a line: the input stays as it is, nothing is lost.
  const ready = await engine.scorer.ready?.();
  if (ready && !ready.ok) throw MrmError.fromFailure(ready.error);
  const scoredOut = createWriteStream(args.out);
  const deadOut = createWriteStream(args.deadLetters ?? `${args.out}.deadletters.jsonl`);
  const totals: ScoreTotals = {
    events: 0,
    scored: 0,
    deadLettered: 0,
    replayed: 0,
    decisions: {},
    deadLetterReasons: {},
    model: { version: engine.scorer.modelVersion, kind: engine.modelKind },
    streamAlarms: settings.stream.enabled ? [] : null,
  };
  // The same detectors as scoreEvents, their state in memory: the file is one stream per partition, read in order.
  const monitor = settings.stream.enabled ? new StreamMonitor(profile, settings.stream) : null;
  const streamStates = new Map<string, StreamState>();
  const batchSize = args.batchSize ?? 100;
  let bodies: unknown[] = [];
  let metadata: EventMetadata[] = [];

  const flush = async () => {
    if (bodies.length === 0) return;
    const result = await scoreBatch(engine, bodies, metadata, clock);
    totals.events += bodies.length;
    totals.scored += result.scored.length;
    totals.deadLettered += result.deadLetters.length;
    for (const r of result.scored) totals.decisions[r.decision] = (totals.decisions[r.decision] ?? 0) + 1;
    if (monitor) {
      for (const r of result.scored) {
        const partition = r.partition ?? 'file';
        let state = streamStates.get(partition);
        if (!state) streamStates.set(partition, (state = monitor.fresh()));
        totals.streamAlarms!.push(...monitor.observe(state, [r], partition).alarms);
      }
    }
    for (const d of result.deadLetters)
      totals.deadLetterReasons[d.reason] = (totals.deadLetterReasons[d.reason] ?? 0) + 1;
    await write(scoredOut, result.scored.map((r) => JSON.stringify(r) + '\n').join(''));
    for (const part of deadLetterParts(result.deadLetters)) await write(deadOut, part);
    bodies = [];
    metadata = [];
  };

  let input;
  try {
    input = createReadStream(args.input, { encoding: 'utf8' });
    await once(input, 'open');
  } catch (cause) {
    throw new MrmError('bad-input', 'SCORE.INPUT', `Cannot read events ${args.input}: ${(cause as Error).message}`, {
      cause,
    });
  }
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const replay = asDeadLetter(line);
    if (replay) {
      bodies.push(decodeBody(replay));
      metadata.push(replay.metadata ?? UNKNOWN_METADATA);
      totals.replayed++;
    } else {
      // The line is handed over as text, as a trigger hands over a body it could not parse: the contract decides.
      bodies.push(line);
      metadata.push(UNKNOWN_METADATA);
    }
    if (bodies.length >= batchSize) await flush();
  }
  await flush();
  await Promise.all([close(scoredOut), close(deadOut)]);
  return totals;
}

function asDeadLetter(line: string): StoredDeadLetter | undefined {
  if (!line.includes('"mrm.deadletter"')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<StoredDeadLetter>;
    return value.kind === 'mrm.deadletter' && typeof value.body === 'string' ? (value as StoredDeadLetter) : undefined;
  } catch {
    return undefined;
  }
}

async function write(stream: WriteStream, text: string | Buffer): Promise<void> {
  if (text.length > 0 && !stream.write(text)) await once(stream, 'drain');
}

function close(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

export function scoreCommand(): Command {
  return new Command('score')
    .description('Score a JSONL file of events (or replay dead letters) with the same use case as scoreEvents')
    .requiredOption('--baseline <profile.json>', 'baseline profile built by `mrm baseline`')
    .requiredOption('--input <events.jsonl>', 'one event body per line; dead-letter records are replayed')
    .requiredOption('--out <scored.jsonl>', 'scored records, one per line')
    .option('--dead-letters <file>', 'dead letters, one per line (default: <out>.deadletters.jsonl)')
    .option('--model <model.onnx>', 'score with this ONNX model (a classifier) instead of MRM_SCORER')
    .action(async (options: ScoreArguments) => {
      const t = await runScore(options);
      const decisions =
        Object.entries(t.decisions)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'none';
      const reasons = Object.entries(t.deadLetterReasons)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      process.stdout.write(
        `Scored ${t.scored} of ${t.events} events (${decisions}); dead-lettered ${t.deadLettered}${reasons ? ` (${reasons})` : ''}` +
          `${t.replayed ? `; ${t.replayed} replayed from dead letters` : ''}; model ${t.model.version} (${t.model.kind})\n`,
      );
      for (const a of t.streamAlarms ?? [])
        process.stdout.write(
          `Stream alarm: ${a.detector} (${a.direction}) on partition ${a.partition} at event ${a.atEvent}: ` +
            `${a.window.hits} of ${a.window.events} events since ${a.firstEventId ?? '?'} (rate ${a.window.rate.toFixed(3)} against ${a.window.baseRate.toFixed(3)}), ` +
            `statistic ${a.statistic.toFixed(3)} over ${a.threshold.toFixed(3)}, last event ${a.lastEventId}\n`,
        );
    });
}
