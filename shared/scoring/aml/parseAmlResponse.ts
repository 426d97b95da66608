import { fail, ok, type Result } from '../../errors.js';
import type { Prediction } from '../../contracts/scorer.js';
import type { AmlResponseFormat } from './amlFormats.js';

export interface AmlResponseContext {
  format: AmlResponseFormat;
  /** Class names in the order of the endpoint's probability columns (sklearn's `classes_` order). */
  classes: readonly string[];
  /** Rows sent in the request; the answer must have exactly as many. */
  expectedCount: number;
  /** HTTP status, for the failure detail. */
  status: number;
}

/** How far a probability vector's sum may stray from 1 before it is judged broken rather than rounded. */
export const probabilitySumTolerance = 1e-3;
const snippetLength = 200;

/**
 * Maps an endpoint's 200 body to one prediction per request row, in order. Anything that does not fit (not JSON, wrong
 * shape, wrong length, a probability vector that is not a distribution, an unknown label) fails the whole chunk with
 * `SCORER.BAD_RESPONSE`: rows cannot be matched back by position once one is in doubt, and the events are
 * dead-lettered for replay rather than scored with a guess.
 *
 * Prediction = the class of highest probability (ties go to the earlier class). `score` = the probability of the
 * LAST class: for a binary model with sklearn's sorted `classes_` (e.g. [0, 1] or ['legit', 'fraud'] ordered so) that
 * is the positive class, the figure thresholds and score-drift tests read. Labels-only answers give probability 1.
 */
export function parseAmlResponse(bodyText: string, context: AmlResponseContext): Result<Prediction[]> {
  const bad = (reason: string, extra: Record<string, unknown> = {}) =>
    fail('configuration', 'SCORER.BAD_RESPONSE', `The Azure ML endpoint's answer cannot be used: ${reason}`, {
      status: context.status,
      snippet: bodyText.slice(0, snippetLength),
      ...extra,
    });

  let body: unknown;
  try {
    body = JSON.parse(bodyText);
    // Scoring scripts that `return json.dumps(result)` get their JSON encoded again by the server: a JSON string.
    if (typeof body === 'string') body = JSON.parse(body);
  } catch {
    return bad('the body is not JSON');
  }

  let rows: unknown;
  if (context.format === 'predictions-object') {
    if (!isObject(body) || !('predictions' in body)) return bad('expected an object with a "predictions" array');
    rows = body.predictions;
  } else {
    rows = body;
  }
  if (!Array.isArray(rows)) return bad('expected an array of predictions');
  if (rows.length !== context.expectedCount) {
    return bad(`expected ${context.expectedCount} predictions, got ${rows.length}`, {
      expected: context.expectedCount,
      received: rows.length,
    });
  }

  const predictions: Prediction[] = [];
  for (let position = 0; position < rows.length; position++) {
    const row: unknown = rows[position];
    const asProbabilities =
      context.format === 'probabilities' || (context.format === 'predictions-object' && Array.isArray(row));
    const probabilities = asProbabilities ? probabilityVector(row, context.classes) : oneHot(row, context.classes);
    if (!probabilities.ok) return bad(`prediction ${position}: ${probabilities.error}`, { position });
    predictions.push(predictionOf(probabilities.value, context.classes));
  }
  return ok(predictions);
}

function probabilityVector(row: unknown, classes: readonly string[]): Result<number[], string> {
  if (!Array.isArray(row)) return { ok: false, error: 'expected an array of class probabilities' };
  if (row.length !== classes.length) {
    return { ok: false, error: `expected ${classes.length} probabilities (${classes.join(', ')}), got ${row.length}` };
  }
  let sum = 0;
  for (const p of row) {
    if (typeof p !== 'number' || !Number.isFinite(p))
      return { ok: false, error: `probability ${JSON.stringify(p)} is not a finite number` };
    if (p < 0) return { ok: false, error: `probability ${p} is negative` };
    sum += p;
  }
  if (Math.abs(sum - 1) > probabilitySumTolerance)
    return { ok: false, error: `probabilities sum to ${Number(sum.toPrecision(6))}, not 1` };
  return { ok: true, value: (row as number[]).map((p) => p / sum) };
}

/**
 * A bare label names its class, or (for integer-encoded models whose classes are named otherwise) is the class index.
 * A name match wins, so classes named "0" and "1" read labels 0 and 1 by name.
 */
function oneHot(label: unknown, classes: readonly string[]): Result<number[], string> {
  if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
    return { ok: false, error: `expected a label, got ${JSON.stringify(label) ?? typeof label}` };
  }
  let index = classes.indexOf(String(label));
  if (index < 0 && typeof label === 'number' && Number.isInteger(label) && label >= 0 && label < classes.length)
    index = label;
  if (index < 0)
    return { ok: false, error: `label ${JSON.stringify(label)} is not one of the classes (${classes.join(', ')})` };
  return { ok: true, value: classes.map((_, i) => (i === index ? 1 : 0)) };
}

function predictionOf(vector: readonly number[], classes: readonly string[]): Prediction {
  let best = 0;
  const probabilities: Record<string, number> = {};
  for (let i = 0; i < classes.length; i++) {
    probabilities[classes[i]!] = vector[i]!;
    if (vector[i]! > vector[best]!) best = i;
  }
  return { prediction: classes[best]!, probabilities, score: vector[vector.length - 1]! };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
