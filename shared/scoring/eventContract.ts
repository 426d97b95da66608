import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fail, ok, type Failure, type Result } from '../errors.js';
import type { BaselineFeature } from '../baseline/profile.js';
import { ContractScanner } from './fast/contractScanner.js';
import type { InputEvent } from '../contracts/records.js';

/** Stable reason codes of contract failures; dead letters carry them. */
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

export interface EventContractOptions {
  /** Largest body accepted, in bytes (string and binary bodies). */
  maxBodyBytes: number;
  /** Longest id, caller id or categorical value accepted. Default 256. */
  maxStringLength?: number;
  /**
   * How bodies that arrive as bytes are read. `plain`: UTF-8 decoding, JSON.parse and the schema, the reference every
   * body can take. `fast` (the default: 2.3× the plain path's bodies per second in `npm run bench`): a byte scanner
   * (fast/contractScanner.ts) reads the bodies that plainly keep the contract and hands every other to the plain
   * path; the contract suite holds both to the same answer for every body.
   */
  decoding?: BodyDecoding;
}

/** Which implementation reads a body: the plain reference, or the fast path that agrees with it on every input. */
export type BodyDecoding = 'plain' | 'fast';

export interface EventContract {
  /** Checks one body as it arrives from the trigger: already parsed, a string, or a Buffer. Never throws. */
  decode(body: unknown): Result<InputEvent>;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/;
// Only the value is matched by a pattern: a pattern for the quoted name before it took time quadratic in the body on
// text made of quotes and backslashes (minutes for a megabyte). The name is read backwards from the colon, bounded.
const NON_FINITE_VALUE = /:\s*(-?(?:NaN|Infinity))\s*[,}\]]/g;

/**
 * Compiles the event contract of a baseline: which features exist and their types come from the profile. The
 * structure is checked by a compiled JSON Schema (ajv, whose number type also refuses NaN and ±Infinity); size,
 * timestamps and the mapping of schema errors to stable reason codes are ours.
 */
export function compileEventContract(
  features: readonly BaselineFeature[],
  options: EventContractOptions,
): EventContract {
  const maxStringLength = options.maxStringLength ?? 256;
  const featureTypes = new Map(features.map((f) => [f.name, f.type]));
  const schema = {
    type: 'object',
    required: ['id', 'features'],
    properties: {
      id: { type: 'string', minLength: 1, maxLength: maxStringLength },
      callerId: { type: 'string', minLength: 1, maxLength: maxStringLength },
      timestamp: { type: 'string', maxLength: 64 },
      label: { type: ['number', 'string'], maxLength: maxStringLength },
      features: {
        type: 'object',
        required: features.map((f) => f.name),
        additionalProperties: false,
        properties: Object.fromEntries(
          features.map((f) => [
            f.name,
            f.type === 'numeric'
              ? { type: ['number', 'null'] }
              : { type: ['string', 'null'], maxLength: maxStringLength },
          ]),
        ),
      },
    },
  };
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
  const validate = ajv.compile(schema);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lastGoodTimestamp: string | undefined;

  const scanner = (options.decoding ?? 'fast') === 'fast' ? new ContractScanner(features, maxStringLength) : undefined;

  /** What the schema cannot say: the timestamp is a date, a numeric label is finite. */
  const accept = (event: InputEvent): Result<InputEvent> => {
    // Producers batch events with equal timestamps; remembering the last good one skips a regex and a date parse.
    if (event.timestamp !== undefined && event.timestamp !== lastGoodTimestamp) {
      if (!isIsoDateTime(event.timestamp) || Number.isNaN(Date.parse(event.timestamp))) {
        return fail(
          'bad-input',
          EVENT_REASONS.badTimestamp,
          `timestamp "${event.timestamp}" is not an ISO-8601 date-time`,
        );
      }
      lastGoodTimestamp = event.timestamp;
    }
    if (typeof event.label === 'number' && !Number.isFinite(event.label)) {
      return fail(
        'bad-input',
        EVENT_REASONS.badLabel,
        `label is ${String(event.label)}; only finite numbers or strings are accepted`,
      );
    }
    return ok(event);
  };

  const check = (value: unknown): Result<InputEvent> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail('bad-input', EVENT_REASONS.notObject, `Body must be a JSON object, got ${describe(value)}`);
    }
    if (!validate(value)) return schemaFailure(validate, featureTypes, value as { features?: Record<string, unknown> });
    return accept(value as unknown as InputEvent);
  };

  const parseText = (text: string): Result<InputEvent> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // Checked only on failure: trimming every body would copy it.
      if (text.trim() === '') return fail('bad-input', EVENT_REASONS.empty, 'Body is empty');
      // Python's json.dumps writes NaN and Infinity by default: name the feature instead of "not JSON".
      const nonFinite = nonFiniteMember(text, maxStringLength);
      if (nonFinite) {
        return fail(
          'bad-input',
          EVENT_REASONS.notFinite,
          `Feature "${nonFinite.name}" is ${nonFinite.token}; only finite numbers are accepted`,
          { feature: nonFinite.name },
        );
      }
      return fail('bad-input', EVENT_REASONS.notJson, `Body is not valid JSON: ${(error as Error).message}`);
    }
    return check(parsed);
  };

  return {
    decode(body: unknown): Result<InputEvent> {
      if (typeof body === 'string') {
        if (body.length > options.maxBodyBytes && Buffer.byteLength(body) > options.maxBodyBytes) {
          return tooLarge(Buffer.byteLength(body), options.maxBodyBytes);
        }
        return parseText(body);
      }
      if (body instanceof Uint8Array) {
        if (body.byteLength > options.maxBodyBytes) return tooLarge(body.byteLength, options.maxBodyBytes);
        // Bytes as the binary trigger delivers them: a body that plainly keeps the contract is read in one pass.
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
        const scanned = scanner?.scan(bytes);
        if (scanned !== undefined) return accept(scanned);
        let text: string;
        try {
          text = decoder.decode(body);
        } catch {
          return fail('bad-input', EVENT_REASONS.notUtf8, `Body of ${body.byteLength} bytes is not UTF-8 text`);
        }
        return parseText(text);
      }
      if (body === undefined || body === null) return fail('bad-input', EVENT_REASONS.empty, 'Body is empty');
      return check(body);
    },
  };
}

/**
 * An ISO-8601 date or date-time that is on the calendar and the clock: Date.parse alone takes 2026-02-30 (as March
 * 2nd) and 24:00.
 */
function isIsoDateTime(text: string): boolean {
  const m = ISO_8601.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (daysInMonth === undefined || day < 1 || day > daysInMonth) return false;
  return below(m[4], 24) && below(m[5], 60) && below(m[6], 60) && below(m[7], 24) && below(m[8], 60);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function below(value: string | undefined, limit: number): boolean {
  return value === undefined || Number(value) < limit;
}

/** The first `"name": NaN` (or ±Infinity) member of a text JSON.parse refused, in time linear in the text. */
function nonFiniteMember(text: string, maxNameLength: number): { name: string; token: string } | undefined {
  for (const match of text.matchAll(NON_FINITE_VALUE)) {
    let close = match.index - 1;
    while (close >= 0 && /\s/.test(text[close]!)) close--;
    if (text[close] !== '"') continue;
    // The opening quote: the nearest one before that no backslash escapes, within a name's length (escaped, 2x).
    const stop = Math.max(-1, close - 2 * maxNameLength - 2);
    for (let open = close - 1; open > stop; open--) {
      if (text[open] !== '"') continue;
      let backslashes = 0;
      while (open - 1 - backslashes > stop && text[open - 1 - backslashes] === '\\') backslashes++;
      if (backslashes % 2 === 0) return { name: text.slice(open + 1, close), token: match[1]! };
    }
  }
  return undefined;
}

function tooLarge(bytes: number, maxBodyBytes: number): { ok: false; error: Failure } {
  return fail(
    'bad-input',
    EVENT_REASONS.tooLarge,
    `Body of ${bytes} bytes exceeds the limit of ${maxBodyBytes} bytes (MRM_MAX_BODY_BYTES)`,
    {
      bytes,
      maxBodyBytes,
    },
  );
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function schemaFailure(
  validate: ValidateFunction,
  featureTypes: ReadonlyMap<string, 'numeric' | 'categorical'>,
  body: { features?: Record<string, unknown> },
): { ok: false; error: Failure } {
  const error = (validate.errors ?? [])[0] as ErrorObject | undefined;
  if (!error) return fail('bad-input', EVENT_REASONS.notObject, 'Body does not match the event contract');
  const path = error.instancePath;
  if (path === '' && error.keyword === 'required') {
    const missing = String(error.params.missingProperty);
    return missing === 'id'
      ? fail('bad-input', EVENT_REASONS.missingId, 'Body has no "id"')
      : fail('bad-input', EVENT_REASONS.missingFeatures, 'Body has no "features" object');
  }
  if (path === '/id')
    return fail('bad-input', EVENT_REASONS.badId, `"id" ${error.message ?? 'is invalid'}; expected a non-empty string`);
  if (path === '/callerId')
    return fail(
      'bad-input',
      EVENT_REASONS.badCaller,
      `"callerId" ${error.message ?? 'is invalid'}; expected a non-empty string`,
    );
  if (path === '/timestamp')
    return fail(
      'bad-input',
      EVENT_REASONS.badTimestamp,
      `"timestamp" ${error.message ?? 'is invalid'}; expected an ISO-8601 string`,
    );
  if (path === '/label')
    return fail(
      'bad-input',
      EVENT_REASONS.badLabel,
      `"label" ${error.message ?? 'is invalid'}; expected a number or a string`,
    );
  if (path === '/features') {
    if (error.keyword === 'required') {
      const name = String(error.params.missingProperty);
      return fail(
        'bad-input',
        EVENT_REASONS.missingFeature,
        `Feature "${name}" is missing (send null for a missing value)`,
        {
          feature: name,
        },
      );
    }
    if (error.keyword === 'additionalProperties') {
      const name = String(error.params.additionalProperty);
      return fail('bad-input', EVENT_REASONS.unknownFeature, `Feature "${name}" is not in the baseline profile`, {
        feature: name,
      });
    }
    return fail('bad-input', EVENT_REASONS.missingFeatures, '"features" must be an object of feature values');
  }
  if (path.startsWith('/features/')) {
    const name = decodePointer(path.slice('/features/'.length));
    const value = body.features?.[name];
    // ajv's number type excludes NaN and ±Infinity, which deserve their own reason.
    if (typeof value === 'number' && !Number.isFinite(value) && featureTypes.get(name) === 'numeric') {
      return fail(
        'bad-input',
        EVENT_REASONS.notFinite,
        `Feature "${name}" is ${String(value)}; only finite numbers are accepted`,
        {
          feature: name,
        },
      );
    }
    const expected = featureTypes.get(name) === 'numeric' ? 'a number or null' : 'a string or null';
    if (error.keyword === 'maxLength') {
      return fail(
        'bad-input',
        EVENT_REASONS.wrongType,
        `Feature "${name}" is longer than ${String(error.params.limit)} characters`,
        { feature: name },
      );
    }
    return fail('bad-input', EVENT_REASONS.wrongType, `Feature "${name}" must be ${expected}`, { feature: name });
  }
  return fail(
    'bad-input',
    EVENT_REASONS.notObject,
    `Body does not match the event contract at ${path}: ${error.message ?? ''}`,
  );
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
