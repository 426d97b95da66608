import {
  CLOSE_BRACE,
  COLON,
  COMMA,
  CompactKeys,
  FAIL,
  JsonByteScanner,
  KeyTable,
  MINUS,
  NINE,
  OPEN_BRACE,
  QUOTE,
  ZERO,
} from '../../json/jsonByteScanner.js';
import { SCANNED_KIND } from '../../json/scannedFeatures.js';
import { compileFeatureObjectBuilder, type FeatureObjectBuilder } from './featureObjectBuilder.js';
import type { InputEvent } from '../records.js';
import { isEventTimestamp } from '../eventTimestamp.js';
import { isUtf8 } from 'node:buffer';

/** The top-level keys the contract reads, told apart by the byte after the opening quote, then compared whole. */
const enum Field {
  Other = 0,
  Id = 1,
  CallerId = 2,
  Timestamp = 3,
  Label = 4,
  Features = 5,
}
const enum Letter {
  c = 99,
  f = 102,
  i = 105,
  l = 108,
  t = 116,
}
const NUL = 110; /* n */
/** The contract's limit on `timestamp`, as its JSON Schema states it. */
const MAX_TIMESTAMP_LENGTH = 64;

/**
 * Reads a body that plainly keeps the event contract straight from its bytes, without JSON.parse or the JSON Schema:
 * the hot path of scoreEvents and of the drift fold. It vouches only for what it can judge exactly as the general
 * path (UTF-8 decoding, JSON.parse, then the compiled schema) would: a JSON object of UTF-8 text, each of `id`, `callerId`, `timestamp`,
 * `label` and `features` at most once and of an accepted type and length, a timestamp on the calendar, no escape in a
 * string the event keeps, every baseline feature present exactly once with a finite number or null (numeric) or a
 * string or null (categorical), and no other feature. Anything else is refused, and the general path decides the
 * body's fate and reason (a property test holds the two paths to the same answer on arbitrary bodies).
 *
 * Bytes of 0x80 and above can only be inside strings: a body with none is ASCII, hence UTF-8, and its lengths in code
 * points are its lengths in bytes; a body with some is checked whole (buffer.isUtf8) and such strings are decoded
 * and measured as UTF-8. Other top-level keys are allowed, as the schema allows them, and are validated as JSON and
 * dropped.
 *
 * Over 300 lines because it is one reading of one document shape, each field's rule beside the others; the JSON
 * grammar itself (numbers, strings, skipped values) is jsonByteScanner's.
 */
export class ContractScanner extends JsonByteScanner {
  /** Whether each feature, in profile order, is numeric. */
  private readonly numeric: readonly boolean[];
  private readonly keys: KeyTable;
  /** The compact keys of numeric features, none for categorical ones: the compact path reads numbers only. */
  private readonly numericKeys: CompactKeys;
  /**
   * What the last scan found per feature, slot i being the contract's feature i (`kinds` also tells a repeated
   * feature), reused from event to event: a fold reads them as they are, scoring builds an event of them.
   */
  readonly values: { kinds: Uint8Array; numbers: Float64Array; strings: Array<string | undefined> };
  private readonly build: FeatureObjectBuilder;
  private id: string | undefined;
  private callerId: string | undefined;
  private timestamp: string | undefined;
  /**
   * The last timestamp read that is on the calendar, and its bytes: producers send runs of events with one timestamp,
   * compared then in place with these bytes, without decoding or checking it again.
   */
  private lastTimestamp = '';
  private readonly lastTimestampBytes = new Uint8Array(MAX_TIMESTAMP_LENGTH);
  private lastTimestampLength = 0;
  /** Key tokens (quotes included) in fields: a module constant is a context load, checked, at every use. */
  private readonly idKey = Buffer.from('"id"');
  private readonly callerIdKey = Buffer.from('"callerId"');
  private readonly timestampKey = Buffer.from('"timestamp"');
  private readonly labelKey = Buffer.from('"label"');
  private readonly featuresKey = Buffer.from('"features"');
  private label: number | string | undefined;
  private sawId = false;
  private sawCaller = false;
  private sawTimestamp = false;
  private sawFeatures = false;
  private sawLabel = false;
  /** Whether this scan keeps the event's strings (id, caller, label) for `event()`; a fold checks them only. */
  private keepFields = true;
  /** The text of the string `plainString` just read. */
  private text: string | undefined;

  constructor(
    features: ReadonlyArray<{ name: string; type: 'numeric' | 'categorical' }>,
    private readonly maxStringLength: number,
  ) {
    super();
    this.numeric = features.map((f) => f.type === 'numeric');
    this.keys = new KeyTable(features.map((f) => f.name));
    this.numericKeys = new CompactKeys(this.keys.tokens.map((token, slot) => (this.numeric[slot] ? token : undefined)));
    this.values = {
      kinds: new Uint8Array(features.length),
      numbers: new Float64Array(features.length),
      strings: new Array<string | undefined>(features.length).fill(undefined),
    };
    this.build = compileFeatureObjectBuilder(features);
  }

  /**
   * Whether the body in `bytes[start, end)` keeps the contract, read in one pass: its features then in `values` and
   * its event in `event()` (until the next scan). False: the general path must decide.
   */
  scan(bytes: Buffer, start = 0, end = bytes.length): boolean {
    this.keepFields = true;
    return this.scanBody(bytes, start, end);
  }

  /**
   * scan for a reader of the features alone (the drift fold): the same verdict, the features in `values`, but the
   * event's strings are checked without being made (two strings an event were a tenth of the fold's time).
   */
  scanFeatures(bytes: Buffer, start: number, end: number): boolean {
    this.keepFields = false;
    return this.scanBody(bytes, start, end);
  }

  private scanBody(bytes: Buffer, start: number, end: number): boolean {
    this.reset(bytes, end, start);
    this.id = undefined;
    this.callerId = undefined;
    this.timestamp = undefined;
    this.label = undefined;
    this.sawId = false;
    this.sawCaller = false;
    this.sawTimestamp = false;
    this.sawFeatures = false;
    this.sawLabel = false;
    const after = this.topLevel(this.skipSpace(start));
    if (after === FAIL || this.skipSpace(after) !== end) return false;
    // Bytes of 0x80 and above were in strings only: the body is text when they are UTF-8 (else EVENT.NOT_UTF8).
    if (this.sawNonAscii && !isUtf8(bytes.subarray(start, end))) return false;
    return this.sawId && this.sawFeatures;
  }

  /** The event of the last `scan` (not scanFeatures) that kept the contract. */
  event(): InputEvent {
    const event: InputEvent = { id: this.id!, features: this.build(this.values) };
    if (this.callerId !== undefined) event.callerId = this.callerId;
    if (this.timestamp !== undefined) event.timestamp = this.timestamp;
    if (this.label !== undefined) event.label = this.label;
    return event;
  }

  private topLevel(start: number): number {
    if (this.at(start) !== OPEN_BRACE) return FAIL;
    let i = this.skipSpace(start + 1);
    if (this.at(i) === CLOSE_BRACE) return FAIL;
    for (;;) {
      if (this.at(i) !== QUOTE) return FAIL;
      const field = this.field(i);
      if (field === FAIL) return FAIL;
      i = this.skipSpace(this.keyEnd);
      if (this.at(i) !== COLON) return FAIL;
      i = this.member(field, this.skipSpace(i + 1));
      if (i === FAIL) return FAIL;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) return FAIL;
      i = this.skipSpace(i + 1);
    }
  }

  /**
   * Which field the key string at `i` names (its end in keyEnd): one of the contract's when its token sits there
   * whole, else Other after validating the key, FAIL for an invalid or escaped key (an escape could spell a field).
   */
  private field(i: number): number {
    let token: Buffer | undefined;
    let field: number = Field.Other;
    switch (this.bytes[i + 1]) {
      case Letter.i:
        token = this.idKey;
        field = Field.Id;
        break;
      case Letter.f:
        token = this.featuresKey;
        field = Field.Features;
        break;
      case Letter.c:
        token = this.callerIdKey;
        field = Field.CallerId;
        break;
      case Letter.t:
        token = this.timestampKey;
        field = Field.Timestamp;
        break;
      case Letter.l:
        token = this.labelKey;
        field = Field.Label;
        break;
    }
    if (token !== undefined && this.matches(token, i)) {
      this.keyEnd = i + token.length;
      return field;
    }
    const end = this.string(i);
    if (end === FAIL || this.stringHasEscape) return FAIL;
    this.keyEnd = end;
    return Field.Other;
  }

  /** The value of the top-level `field`, starting at `i`. */
  private member(field: number, i: number): number {
    switch (field) {
      case Field.Id: {
        if (this.sawId) return FAIL;
        this.sawId = true;
        const end = this.plainString(i, 1, this.maxStringLength, '', this.keepFields);
        this.id = this.text;
        return end;
      }
      case Field.Features:
        if (this.sawFeatures) return FAIL;
        this.sawFeatures = true;
        return this.featureObject(i);
      case Field.CallerId: {
        if (this.sawCaller) return FAIL;
        this.sawCaller = true;
        const end = this.plainString(i, 1, this.maxStringLength, '', this.keepFields);
        this.callerId = this.text;
        return end;
      }
      case Field.Timestamp:
        if (this.sawTimestamp) return FAIL;
        this.sawTimestamp = true;
        return this.timestampAt(i);
      case Field.Label: {
        if (this.sawLabel) return FAIL;
        this.sawLabel = true;
        if (this.at(i) === QUOTE) {
          const end = this.plainString(i, 0, this.maxStringLength, '', this.keepFields);
          this.label = this.text;
          return end;
        }
        const end = this.finiteNumber(i);
        if (end !== FAIL) this.label = this.number;
        return end;
      }
      default:
        return this.value(i, 1);
    }
  }

  /**
   * The timestamp string at `i`, on the calendar: the last one's bytes are compared in place (a run of events with
   * one timestamp costs a comparison each); another is read, checked and remembered. One off the calendar is a
   * contract failure the general path names.
   */
  private timestampAt(i: number): number {
    const n = this.lastTimestampLength;
    if (n > 0 && this.repeatsTimestamp(i + 1, n)) {
      this.timestamp = this.lastTimestamp;
      return i + n + 2;
    }
    const end = this.plainString(i, 0, MAX_TIMESTAMP_LENGTH, '', true);
    const text = this.text;
    if (end === FAIL || text === undefined || !isEventTimestamp(text)) return FAIL;
    this.timestamp = text;
    this.lastTimestamp = text;
    this.lastTimestampLength = text.length;
    this.lastTimestampBytes.set(this.bytes.subarray(i + 1, end - 1));
    return end;
  }

  /** Whether the `n` bytes at `at` are the last timestamp's, closed by a quote inside the body. */
  private repeatsTimestamp(at: number, n: number): boolean {
    if (at + n >= this.end || this.bytes[at - 1] !== QUOTE || this.bytes[at + n] !== QUOTE) return false;
    const bytes = this.bytes;
    const last = this.lastTimestampBytes;
    for (let k = 0; k < n; k++) if (bytes[at + k] !== last[k]) return false;
    return true;
  }

  /**
   * A string without escapes of minLength to maxLength characters (code points, as the schema counts them); with
   * `make`, its text in `text` (`previous` itself when the bytes spell it), else undefined. On FAIL the scan fails as
   * a whole, so nothing keeps what `text` holds then.
   */
  private plainString(i: number, minLength: number, maxLength: number, previous: string, make: boolean): number {
    this.text = undefined;
    if (this.at(i) !== QUOTE) return FAIL;
    const end = this.string(i);
    if (end === FAIL || this.stringHasEscape) return FAIL;
    // Lengths are in code points, as the schema's: bytes for ASCII; else the bytes that start a UTF-8 sequence (the
    // body is checked to be UTF-8 at the end of the scan), counted only when the bytes alone exceed the limit.
    const length = end - i - 2;
    const nonAscii = this.stringHasNonAscii;
    if (length < minLength || (length > maxLength && (!nonAscii || codePoints(this.bytes, i + 1, end - 1) > maxLength)))
      return FAIL;
    if (make)
      this.text = nonAscii
        ? this.bytes.toString('utf8', i + 1, end - 1)
        : this.holds(previous, i + 1, length)
          ? previous
          : this.bytes.toString('latin1', i + 1, end - 1);
    return end;
  }

  /** Whether the `length` bytes at `at` are the characters of `text` (a non-empty one). */
  private holds(text: string, at: number, length: number): boolean {
    if (text.length !== length || length === 0) return false;
    const bytes = this.bytes;
    for (let k = 0; k < length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
    return true;
  }

  private finiteNumber(i: number): number {
    const c = this.at(i);
    if (c !== MINUS && !(c >= ZERO && c <= NINE)) return FAIL;
    const end = this.numberAt(i);
    // A literal beyond the double range parses to ±Infinity, which the contract names as not finite.
    return end !== FAIL && Number.isFinite(this.number) ? end : FAIL;
  }

  private featureObject(start: number): number {
    if (this.at(start) !== OPEN_BRACE) return FAIL;
    const { kinds, numbers } = this.values;
    const n = kinds.length;
    // Members in the shape serializers write are read in one loop; the first that is not, and all after it, below.
    let expected = this.compactNumbers(start + 1, this.numericKeys, numbers, kinds);
    // A missing feature is a contract failure the general path names.
    if (this.compactClosed) return expected === n ? this.compactAt : FAIL;
    if (expected < n) kinds.fill(SCANNED_KIND.absent, expected);
    let count = expected;
    let i = this.skipSpace(this.compactAt);
    if (expected > 0 || this.at(i) !== CLOSE_BRACE) {
      for (;;) {
        if (this.at(i) !== QUOTE) return FAIL;
        const slot = this.slotOfKey(i, expected, this.keys);
        // An unknown feature is a contract failure the general path names.
        if (slot < 0) return FAIL;
        if (kinds[slot] !== SCANNED_KIND.absent) return FAIL;
        count++;
        expected = slot + 1;
        i = this.skipSpace(this.keyEnd);
        if (this.at(i) !== COLON) return FAIL;
        i = this.skipSpace(i + 1);
        if (this.at(i) === NUL) {
          i = this.literal(i, 'null');
          kinds[slot] = SCANNED_KIND.null;
        } else if (this.numeric[slot]) {
          i = this.finiteNumber(i);
          kinds[slot] = SCANNED_KIND.number;
          numbers[slot] = this.number;
        } else {
          // A category repeats from event to event: the last one's string is reused when the bytes spell it.
          const strings = this.values.strings;
          i = this.plainString(i, 0, this.maxStringLength, strings[slot] ?? '', true);
          kinds[slot] = SCANNED_KIND.string;
          strings[slot] = this.text;
        }
        if (i === FAIL) return FAIL;
        i = this.skipSpace(i);
        const c = this.at(i);
        if (c === CLOSE_BRACE) break;
        if (c !== COMMA) return FAIL;
        i = this.skipSpace(i + 1);
      }
    }
    // A missing feature is a contract failure the general path names.
    return count === n ? i + 1 : FAIL;
  }
}

/** The code points of the valid UTF-8 in bytes[from, to): the bytes that are not continuation bytes (10xxxxxx). */
function codePoints(bytes: Buffer, from: number, to: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if ((bytes[k]! & 0xc0) !== 0x80) n++;
  return n;
}
