import { EVENT_REASON_MEANINGS, EVENT_REASONS } from '../contracts/eventReasons.js';

/**
 * Why a scored record is not folded, beside the EVENT.* reasons of a body that is no JSON object (scoreEvents writes
 * these records, so any of them is our fault or a stranger's writer, never a producer's).
 */
export const SCORED_REASONS = {
  notScoredRecord: 'SCORED.NOT_SCORED_RECORD',
  missingFeatures: EVENT_REASONS.missingFeatures,
} as const;

const MEANINGS: Readonly<Record<string, string>> = {
  ...EVENT_REASON_MEANINGS,
  [SCORED_REASONS.notScoredRecord]: 'on the scored hub, a JSON object that is not a scored record',
};

/** What a bad-body reason says of the body, for the report; empty for a code this build does not know. */
export function badBodyMeaning(code: string): string {
  return Object.hasOwn(MEANINGS, code) ? MEANINGS[code]! : '';
}

/** Bad bodies as one phrase, the most frequent reason first: `EVENT.NOT_JSON 66, EVENT.EMPTY 54`. */
export function badBodiesPhrase(badBodies: Readonly<Record<string, number>>): string {
  return Object.entries(badBodies)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([code, n]) => `${code} ${n.toLocaleString('en-US')}`)
    .join(', ');
}
