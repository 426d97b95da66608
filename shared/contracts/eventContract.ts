import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { fail, MrmError, ok, type Failure, type Result } from '../errors.js';
import type { ScannedFeatures } from '../json/scannedFeatures.js';
import { ContractScanner } from './fast/contractScanner.js';
import { EVENT_REASONS } from './eventReasons.js';
import { isEventTimestamp } from './eventTimestamp.js';
import { isReservedFeatureName, RESERVED_FEATURE_NAME_REASON } from './featureName.js';
import { readJsonObject } from './jsonBody.js';
import type { Implementation } from './implementation.js';
import type { InputEvent } from './records.js';

/** A feature of the contract: its name, and whether its values are numbers or categories (strings). */
export interface ContractFeature {
  name: string;
  type: 'numeric' | 'categorical';
}

/** MRM_MAX_BODY_BYTES' default: the largest body scoreEvents accepts, and the drift fold with it. */
export const DEFAULT_MAX_BODY_BYTES = 65_536;

export interface EventContractOptions {
  /** Largest body accepted, in bytes (string and binary bodies). */
  maxBodyBytes: number;
  /** Longest id, caller id or categorical value accepted. Default 256. */
  maxStringLength?: number;
  /**
   * How bodies that arrive as bytes are read. `plain`: UTF-8 decoding, JSON.parse and the schema, the reference every
   * body can take. `fast` (the default: 3× the plain path's bodies per second in `npm run bench`): a byte scanner
   * (fast/contractScanner.ts) reads the bodies that plainly keep the contract and hands every other to the plain
   * path; the contract suite holds both to the same answer for every body.
   */
  decoding?: BodyDecoding;
}

/** Which implementation reads a body: the plain reference, or the fast path that agrees with it on every input. */
export type BodyDecoding = Implementation;

/** What `readFeatures` answers for a body the byte scanner read: its features are in `EventContract.scanned`. */
export const SCANNED_BODY = Object.freeze({ ok: true, scanned: true } as const);
export type ScannedBody = typeof SCANNED_BODY;

/** Whether `readFeatures` answered SCANNED_BODY (one comparison: it is the same object every time). */
export function isScanned(read: Result<InputEvent> | ScannedBody): read is ScannedBody {
  return read === SCANNED_BODY;
}

export interface EventContract {
  /** Checks one body as it arrives from the trigger: already parsed, a string, or a Buffer. Never throws. */
  decode(body: unknown): Result<InputEvent>;
  /**
   * Checks the body in `bytes[start, end)` (start < 0: a record without one) for a fold that needs only its
   * features: SCANNED_BODY when the byte scanner read a body that keeps the contract, its features then in `scanned`
   * (slot i is the contract's feature i, valid until the next call), else what `decode` answers for those bytes.
   */
  readFeatures(bytes: Buffer, start: number, end: number): Result<InputEvent> | ScannedBody;
  /** The features of the last body `readFeatures` answered SCANNED_BODY for. */
  readonly scanned: ScannedFeatures;
}

const NO_FEATURES: ScannedFeatures = { kinds: new Uint8Array(0), numbers: new Float64Array(0), strings: [] };

/**
 * Compiles the event contract of a baseline: which features exist and their types come from the profile. The
 * structure is checked by a compiled JSON Schema (ajv, whose number type also refuses NaN and ±Infinity; own
 * properties only, so a feature named `constructor` is not found on Object.prototype); size, timestamps and the
 * mapping of schema errors to stable reason codes are ours. scoreEvents reads events through it and weeklyDrift
 * reads Capture bodies through it: a body is bad for both or for neither, with the same reason.
 */
export function compileEventContract(
  features: readonly ContractFeature[],
  options: EventContractOptions,
): EventContract {
  const reserved = features.find((f) => isReservedFeatureName(f.name));
  if (reserved !== undefined) {
    throw new MrmError(
      'configuration',
      'PROFILE.INVALID',
      `Feature name "${reserved.name}" is reserved (${RESERVED_FEATURE_NAME_REASON}): rename the column and rebuild the baseline`,
    );
  }
  const maxStringLength = options.maxStringLength ?? 256;
  const { maxBodyBytes } = options;
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
  const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true, ownProperties: true });
  const validate = ajv.compile(schema);
  let lastGoodTimestamp: string | undefined;

  const scanner = (options.decoding ?? 'fast') === 'fast' ? new ContractScanner(features, maxStringLength) : undefined;

  /** What the schema cannot say: the timestamp is a date, a numeric label is finite. */
  const accept = (event: InputEvent): Result<InputEvent> => {
    // Producers batch events with equal timestamps; remembering the last good one skips a regex and a date parse.
    if (event.timestamp !== undefined && event.timestamp !== lastGoodTimestamp) {
      if (!isEventTimestamp(event.timestamp)) {
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

  /** The plain reading: the body's JSON object (readJsonObject names what keeps it from being one), then the schema. */
  const plain = (body: unknown): Result<InputEvent> => {
    const object = readJsonObject(body, maxStringLength);
    if (!object.ok) return object;
    const value = object.value;
    if (!validate(value)) return schemaFailure(validate, featureTypes, value as { features?: Record<string, unknown> });
    return accept(value as unknown as InputEvent);
  };

  /** The plain reading of bytes[start, end), past the size check. */
  const plainBytes = (bytes: Buffer, start: number, end: number): Result<InputEvent> =>
    plain(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));

  return {
    decode(body: unknown): Result<InputEvent> {
      if (typeof body === 'string') {
        if (body.length > maxBodyBytes && Buffer.byteLength(body) > maxBodyBytes) {
          return tooLarge(Buffer.byteLength(body), maxBodyBytes);
        }
        return plain(body);
      }
      if (body instanceof Uint8Array) {
        // Bytes as the binary trigger delivers them.
        const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
        if (bytes.length > maxBodyBytes) return tooLarge(bytes.length, maxBodyBytes);
        // A body that plainly keeps the contract is read in one pass; every other one, and its reason, is the plain
        // path's.
        if (scanner?.scan(bytes)) return ok(scanner.event());
        return plainBytes(bytes, 0, bytes.length);
      }
      return plain(body);
    },
    readFeatures(bytes: Buffer, start: number, end: number) {
      if (start < 0) return fail('bad-input', EVENT_REASONS.empty, 'Body is empty');
      if (end - start > maxBodyBytes) return tooLarge(end - start, maxBodyBytes);
      if (scanner?.scanFeatures(bytes, start, end)) return SCANNED_BODY;
      return plainBytes(bytes, start, end);
    },
    get scanned() {
      return scanner?.values ?? NO_FEATURES;
    },
  };
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
    const value = Object.hasOwn(body.features ?? {}, name) ? body.features?.[name] : undefined;
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
