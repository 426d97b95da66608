import { errorMessage, kindOf } from '../errors.js';
import type { InputEvent, ScoredRecord, Decision, ValidationIssue } from '../contracts/records.js';
import type { ValidatedEvent } from './inputValidator.js';
import { VALIDATION_CODES } from './inputValidator.js';
import type { ExtractionVerdict } from './extractionDefence.js';
import type { Scorer, ScoreRequest } from '../contracts/scorer.js';
import type { ScoringEngine } from './types.js';
import type { Clock } from '../contracts/clock.js';
import { judgeConfidence, type ConfidenceLevel } from './confidence.js';
import { protectProbabilities } from './outputProtection.js';
import { deadLetterOf, type DeadLetter } from './deadLetter.js';
import { UNKNOWN_METADATA, type EventMetadata } from './eventMetadata.js';
import { summariseBatch, type BatchSummary } from './batchSummary.js';

export type { ScoringEngine } from './types.js';

export interface BatchResult {
  scored: ScoredRecord[];
  deadLetters: DeadLetter[];
  summary: BatchSummary;
}

interface Pending {
  index: number;
  event: InputEvent;
  validated: ValidatedEvent;
  verdict: ExtractionVerdict | undefined;
}

/**
 * Scores one batch of the Event Hub trigger. Every event ends as exactly one scored record (ACCEPT, FLAG,
 * MANUAL_REVIEW or REJECT) or one dead letter with a reason: events in = scored + dead letters. Never throws for an
 * event: a bug on one event dead-letters that event (`INTERNAL.ERROR`, replayable) and the batch goes on, because the
 * checkpoint advances whatever happens and a thrown batch would be lost.
 */
export async function scoreBatch(
  engine: ScoringEngine,
  bodies: readonly unknown[],
  metadata: readonly EventMetadata[],
  clock: Clock,
): Promise<BatchResult> {
  const startedAt = clock.nowInMs();
  const scoredAt = new Date(startedAt).toISOString();
  const slots: Array<ScoredRecord | DeadLetter | undefined> = new Array(bodies.length);
  const deadLetter = (
    i: number,
    reason: string,
    message: string,
    replayable: boolean,
    detail?: Record<string, unknown>,
  ): DeadLetter =>
    deadLetterOf(
      bodies[i],
      metadata[i] ?? UNKNOWN_METADATA,
      { reason, message, replayable, detail },
      engine.profileVersion,
      scoredAt,
    );

  // Decoded first, then validated together (one forest pass for the batch), then judged per caller, in body order.
  const decoded: InputEvent[] = [];
  const decodedAt: number[] = [];
  for (let i = 0; i < bodies.length; i++) {
    try {
      const outcome = engine.contract.decode(bodies[i]);
      if (outcome.ok) {
        decoded.push(outcome.value);
        decodedAt.push(i);
      } else {
        const { kind, code, message, detail } = outcome.error;
        slots[i] = deadLetter(i, code, message, kind !== 'bad-input', detail);
      }
    } catch (error) {
      slots[i] = deadLetter(
        i,
        'INTERNAL.ERROR',
        `Unexpected error while decoding the event: ${errorMessage(error)}`,
        true,
      );
    }
  }
  const validated = validateAll(engine, decoded);

  const pending: Pending[] = [];
  for (let k = 0; k < decoded.length; k++) {
    const i = decodedAt[k]!;
    try {
      const v = validated[k]!;
      if (v instanceof Error) throw v;
      const event = decoded[k]!;
      const meta = metadata[i] ?? UNKNOWN_METADATA;
      const verdict =
        event.callerId === undefined
          ? undefined
          : engine.defence.observe(event.callerId, eventTime(event, meta, startedAt), {
              vector: v.vector,
              outOfDistribution: v.issues.some((issue) => issue.code !== VALIDATION_CODES.missing),
            });
      if (v.risk === 'HIGH' || verdict?.rateLimited) {
        slots[i] = rejected(engine, event, v, verdict, meta, scoredAt);
        continue;
      }
      pending.push({ index: i, event, validated: v, verdict });
    } catch (error) {
      slots[i] = deadLetter(
        i,
        'INTERNAL.ERROR',
        `Unexpected error while checking the event: ${errorMessage(error)}`,
        true,
      );
    }
  }

  const scorerStartedAt = clock.nowInMs();
  const requests: ScoreRequest[] = pending.map((p) => ({
    id: p.event.id,
    features: p.validated.sanitised,
    vector: p.validated.vector,
    anomalyScore: p.validated.anomalyScore,
  }));
  let outcomes: Awaited<ReturnType<Scorer['scoreBatch']>>;
  try {
    outcomes = requests.length > 0 ? await engine.scorer.scoreBatch(requests) : [];
  } catch (error) {
    const failure = {
      ok: false as const,
      error: { kind: kindOf(error), code: 'SCORER.UNAVAILABLE', message: `Scorer failed: ${errorMessage(error)}` },
    };
    outcomes = requests.map(() => failure);
  }
  const scorerLatencyInMs = clock.nowInMs() - scorerStartedAt;

  for (let k = 0; k < pending.length; k++) {
    const p = pending[k]!;
    try {
      const outcome = outcomes[k];
      if (!outcome) {
        slots[p.index] = deadLetter(p.index, 'SCORER.UNAVAILABLE', 'Scorer returned no outcome for this event', true);
      } else if (!outcome.ok) {
        // Only a fault of the event itself makes a replay pointless: an endpoint down or answering nonsense is not.
        slots[p.index] = deadLetter(
          p.index,
          outcome.error.code,
          outcome.error.message,
          outcome.error.kind !== 'bad-input',
          outcome.error.detail,
        );
      } else {
        slots[p.index] = judged(engine, p, outcome.value, metadata[p.index] ?? UNKNOWN_METADATA, scoredAt);
      }
    } catch (error) {
      slots[p.index] = deadLetter(
        p.index,
        'INTERNAL.ERROR',
        `Unexpected error while judging the prediction: ${errorMessage(error)}`,
        true,
      );
    }
  }

  const scored: ScoredRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const slot of slots) {
    if (slot === undefined) continue;
    if (slot.kind === 'mrm.scored') scored.push(slot);
    else deadLetters.push(slot);
  }
  const summary = summariseBatch(scored, deadLetters, {
    events: bodies.length,
    batchLatencyInMs: clock.nowInMs() - startedAt,
    scorerLatencyInMs: requests.length > 0 ? scorerLatencyInMs : null,
    minConfidence: engine.confidence.minConfidence,
  });
  return { scored, deadLetters, summary };
}

/**
 * The batch's validation, or, should it throw (a bug), each event's alone: an event whose validation throws gets its
 * error in its place, to be dead-lettered alone while the rest of the batch goes on.
 */
function validateAll(engine: ScoringEngine, events: readonly InputEvent[]): Array<ValidatedEvent | Error> {
  try {
    return engine.validator.validateMany(events);
  } catch {
    return events.map((event) => {
      try {
        return engine.validator.validate(event);
      } catch (error) {
        return error instanceof Error ? error : new Error(String(error));
      }
    });
  }
}

let lastTimeText: string | undefined;
let lastTimeInMs = NaN;

function eventTime(event: InputEvent, meta: EventMetadata, fallback: number): number {
  // Enqueued time is the broker's clock: replays judge a caller as the live run did.
  const candidate = meta.enqueuedTime ?? event.timestamp;
  if (candidate === undefined) return fallback;
  // Events of a batch often share a timestamp string; parsing dates is a visible cost on the hot path.
  if (candidate !== lastTimeText) {
    lastTimeText = candidate;
    lastTimeInMs = Date.parse(candidate);
  }
  return Number.isNaN(lastTimeInMs) ? fallback : lastTimeInMs;
}

interface Outcome {
  prediction: string | null;
  probabilities: Record<string, number> | null;
  score: number | null;
  confidence: number | null;
  entropy: number | null;
  decision: Decision;
  reasons: string[];
}

/** One literal per record: the hot path builds 200k of these a second, so no intermediate object and spread. */
function record(
  engine: ScoringEngine,
  event: InputEvent,
  validated: ValidatedEvent,
  meta: EventMetadata,
  scoredAt: string,
  outcome: Outcome,
): ScoredRecord {
  return {
    kind: 'mrm.scored',
    id: event.id,
    callerId: event.callerId ?? null,
    partition: meta.partition,
    sequenceNumber: meta.sequenceNumber,
    enqueuedTime: meta.enqueuedTime,
    features: validated.sanitised,
    label: event.label ?? null,
    prediction: outcome.prediction,
    probabilities: outcome.probabilities,
    score: outcome.score,
    confidence: outcome.confidence,
    entropy: outcome.entropy,
    risk: validated.risk,
    issues: validated.issues,
    decision: outcome.decision,
    reasons: outcome.reasons,
    modelVersion: engine.scorer.modelVersion,
    modelKind: engine.modelKind,
    profileVersion: engine.profileVersion,
    scoredAt,
  };
}

function rejected(
  engine: ScoringEngine,
  event: InputEvent,
  validated: ValidatedEvent,
  verdict: ExtractionVerdict | undefined,
  meta: EventMetadata,
  scoredAt: string,
): ScoredRecord {
  const reasons = verdict?.rateLimited ? ['EXTRACTION.RATE_LIMITED'] : [];
  if (validated.risk === 'HIGH') reasons.push('VALIDATION.HIGH_RISK', ...issueCodes(validated.issues));
  // A probing caller's query says so even when validation rejects it: the sweep is what the record is evidence of.
  if (verdict?.probing) reasons.push('EXTRACTION.PROBING');
  return record(engine, event, validated, meta, scoredAt, {
    prediction: null,
    probabilities: null,
    score: null,
    confidence: null,
    entropy: null,
    decision: 'REJECT',
    reasons,
  });
}

function judged(
  engine: ScoringEngine,
  p: Pending,
  prediction: { prediction: string; probabilities: Record<string, number>; score: number | null },
  meta: EventMetadata,
  scoredAt: string,
): ScoredRecord {
  const reasons: string[] = issueCodes(p.validated.issues);
  let uncertainty: ConfidenceLevel = 'LOW';
  let confidence: number | null = null;
  let entropy: number | null = null;
  if (engine.modelKind === 'classifier') {
    const judgement = judgeConfidence(Object.values(prediction.probabilities), engine.confidence);
    for (const flag of judgement.flags) reasons.push(`CONFIDENCE.${flag}`);
    uncertainty = judgement.uncertainty;
    confidence = judgement.confidence;
    entropy = judgement.entropy;
  }
  if (p.verdict?.probing) reasons.push('EXTRACTION.PROBING');
  let decision: Decision = 'ACCEPT';
  if (uncertainty === 'HIGH') decision = 'MANUAL_REVIEW';
  else if (p.validated.risk === 'MEDIUM' || uncertainty === 'MEDIUM' || p.verdict?.probing) decision = 'FLAG';
  const probabilities = engine.includeProbabilities
    ? protectProbabilities(prediction.probabilities, engine.protection.mode, engine.protection.sigma, engine.random)
    : null;
  return record(engine, p.event, p.validated, meta, scoredAt, {
    prediction: prediction.prediction,
    probabilities,
    score: prediction.score,
    confidence,
    entropy,
    decision,
    reasons,
  });
}

function issueCodes(issues: readonly ValidationIssue[]): string[] {
  const codes: string[] = [];
  if (issues.length === 0) return codes;
  for (const issue of issues) if (!codes.includes(issue.code)) codes.push(issue.code);
  return codes;
}
