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

const KEY = {
  id: Buffer.from('"id"'),
  callerId: Buffer.from('"callerId"'),
  timestamp: Buffer.from('"timestamp"'),
  label: Buffer.from('"label"'),
  features: Buffer.from('"features"'),
} as const;
const NUL = 110; /* n */
/** The contract's limit on `timestamp`, as its JSON Schema states it. */
const MAX_TIMESTAMP_LENGTH = 64;

/**
 * Reads a body that plainly keeps the event contract straight from its bytes, without JSON.parse or the JSON Schema:
 * the hot path of scoreEvents and of the drift fold. It vouches only for what it can judge exactly as the general
 * path (JSON.parse, then the compiled schema) would: a pure-ASCII JSON object, each of `id`, `callerId`, `timestamp`,
 * `label` and `features` at most once and of an accepted type and length, a timestamp on the calendar, no escape in a
 * string the event keeps, every baseline feature present exactly once with a finite number or null (numeric) or a
 * string or null (categorical), and no other feature. Anything else is refused, and the general path decides the
 * body's fate and reason (a property test holds the two paths to the same answer on arbitrary bodies).
 *
 * ASCII alone, because then bytes are characters: the UTF-8 check and the schema's lengths in code points need no
 * decoding. Other top-level keys are allowed, as the schema allows them, and are validated as JSON and dropped.
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
   * The last timestamp read that is on the calendar: producers send runs of events with one timestamp, read then
   * without decoding or checking it again.
   */
  private lastTimestamp = '';
  private label: number | string | undefined;
  private sawFeatures = false;
  private sawLabel = false;
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
    this.reset(bytes, end, start);
    this.id = undefined;
    this.callerId = undefined;
    this.timestamp = undefined;
    this.label = undefined;
    this.sawFeatures = false;
    this.sawLabel = false;
    const after = this.topLevel(this.skipSpace(start));
    if (after === FAIL || this.skipSpace(after) !== end || this.sawNonAscii) return false;
    return this.id !== undefined && this.sawFeatures;
  }

  /** The event of the last scan that kept the contract. */
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
      const keyStart = i;
      const keyEnd = this.string(i);
      if (keyEnd === FAIL || this.stringHasEscape) return FAIL;
      i = this.skipSpace(keyEnd);
      if (this.at(i) !== COLON) return FAIL;
      i = this.member(keyStart, keyEnd - keyStart, this.skipSpace(i + 1));
      if (i === FAIL) return FAIL;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) return FAIL;
      i = this.skipSpace(i + 1);
    }
  }

  /** The value of the top-level key token at `keyAt` (of `keyLength` bytes), starting at `i`. */
  private member(keyAt: number, keyLength: number, i: number): number {
    if (keyLength === KEY.id.length && this.matches(KEY.id, keyAt)) {
      if (this.id !== undefined) return FAIL;
      const end = this.plainString(i, 1, this.maxStringLength);
      this.id = this.text;
      return end;
    }
    if (keyLength === KEY.features.length && this.matches(KEY.features, keyAt)) {
      if (this.sawFeatures) return FAIL;
      this.sawFeatures = true;
      return this.featureObject(i);
    }
    if (keyLength === KEY.callerId.length && this.matches(KEY.callerId, keyAt)) {
      if (this.callerId !== undefined) return FAIL;
      const end = this.plainString(i, 1, this.maxStringLength);
      this.callerId = this.text;
      return end;
    }
    if (keyLength === KEY.timestamp.length && this.matches(KEY.timestamp, keyAt)) {
      if (this.timestamp !== undefined) return FAIL;
      const end = this.plainString(i, 0, MAX_TIMESTAMP_LENGTH, this.lastTimestamp);
      const text = this.text;
      this.timestamp = text;
      // lastTimestamp starts empty, which is no date: an empty timestamp is checked like any other.
      if (text === undefined || (text === this.lastTimestamp && text !== '')) return end;
      // A timestamp off the calendar is a contract failure the general path names.
      if (!isEventTimestamp(text)) return FAIL;
      this.lastTimestamp = text;
      return end;
    }
    if (keyLength === KEY.label.length && this.matches(KEY.label, keyAt)) {
      if (this.sawLabel) return FAIL;
      this.sawLabel = true;
      const c = this.at(i);
      if (c === QUOTE) {
        const end = this.plainString(i, 0, this.maxStringLength);
        this.label = this.text;
        return end;
      }
      const end = this.finiteNumber(i);
      if (end !== FAIL) this.label = this.number;
      return end;
    }
    return this.value(i, 1);
  }

  /**
   * A string without escapes of minLength to maxLength characters (bytes, as the scan only vouches for ASCII); its
   * text in `text`, undefined when it is not one (the scan then fails as a whole, so nothing keeps that undefined).
   */
  private plainString(i: number, minLength: number, maxLength: number, previous = ''): number {
    this.text = undefined;
    if (this.at(i) !== QUOTE) return FAIL;
    const end = this.string(i);
    if (end === FAIL || this.stringHasEscape) return FAIL;
    const length = end - i - 2;
    if (length < minLength || length > maxLength) return FAIL;
    this.text = this.holds(previous, i + 1, length) ? previous : this.bytes.toString('latin1', i + 1, end - 1);
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
          i = this.plainString(i, 0, this.maxStringLength);
          kinds[slot] = SCANNED_KIND.string;
          this.values.strings[slot] = this.text;
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
