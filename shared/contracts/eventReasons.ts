/**
 * Stable reason codes of bodies that break the event contract. scoreEvents dead-letters a body with one of them and
 * the drift fold counts the same body under the same one (report.json `badBodies`): both read bodies through
 * compileEventContract, so a producer's fault has one name and one count wherever it is seen.
 */
export const EVENT_REASONS = {
  tooLarge: 'EVENT.TOO_LARGE',
  notUtf8: 'EVENT.NOT_UTF8',
  notJson: 'EVENT.NOT_JSON',
  notObject: 'EVENT.NOT_OBJECT',
  missingId: 'EVENT.MISSING_ID',
  badId: 'EVENT.BAD_ID',
  badCaller: 'EVENT.BAD_CALLER',
  badTimestamp: 'EVENT.BAD_TIMESTAMP',
  badLabel: 'EVENT.BAD_LABEL',
  missingFeatures: 'EVENT.MISSING_FEATURES',
  missingFeature: 'EVENT.MISSING_FEATURE',
  unknownFeature: 'EVENT.UNKNOWN_FEATURE',
  wrongType: 'EVENT.WRONG_TYPE',
  notFinite: 'EVENT.NOT_FINITE',
  empty: 'EVENT.EMPTY',
} as const;

export type EventReason = (typeof EVENT_REASONS)[keyof typeof EVENT_REASONS];

/** What each reason says of a body, in a few words: the drift report and docs/ show these beside the codes. */
export const EVENT_REASON_MEANINGS: Readonly<Record<EventReason, string>> = {
  'EVENT.TOO_LARGE': 'larger than MRM_MAX_BODY_BYTES',
  'EVENT.NOT_UTF8': 'bytes that are not UTF-8 text',
  'EVENT.NOT_JSON': 'text that is not JSON',
  'EVENT.NOT_OBJECT': 'JSON, but not an object',
  'EVENT.MISSING_ID': 'no "id"',
  'EVENT.BAD_ID': '"id" is not a non-empty string of at most 256 characters',
  'EVENT.BAD_CALLER': '"callerId" is not a non-empty string of at most 256 characters',
  'EVENT.BAD_TIMESTAMP': '"timestamp" is not an ISO-8601 date-time',
  'EVENT.BAD_LABEL': '"label" is neither a finite number nor a string',
  'EVENT.MISSING_FEATURES': 'no "features" object',
  'EVENT.MISSING_FEATURE': 'a baseline feature is missing (null is how to send a missing value)',
  'EVENT.UNKNOWN_FEATURE': 'a feature the baseline does not have',
  'EVENT.WRONG_TYPE': 'a feature of the wrong type (a string for a number, a number for a category) or too long',
  'EVENT.NOT_FINITE': 'a feature is NaN or ±Infinity',
  'EVENT.EMPTY': 'no body, or only white space',
};
