import { SCANNED_KIND, type ScannedFeatures } from '../../../json/scannedFeatures.js';
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
} from '../../../json/jsonByteScanner.js';

const ABSENT = SCANNED_KIND.absent;

/** `"features"` with its quotes, the one top-level key the scanner looks for. */
const FEATURES_KEY = Buffer.from('"features"', 'latin1');

/**
 * Reads the `features` of an event body (the event contract) straight from its UTF-8 bytes — no string of the body,
 * no JSON.parse — into one slot per schema feature (`values`, reused): the hot path of the weekly fold. It validates
 * the entire body as JSON while scanning, and gives the same values JSON.parse of the body's UTF-8 text would. Anything unusual — not an object, invalid JSON, `features`
 * missing, repeated or not an object, an escaped top-level key, deep nesting — returns false, and the caller takes
 * the general JSON.parse path, which then decides the bad-body reason.
 *
 * Nested values inside `features` are reported as null: the profile counts objects, arrays and null alike as
 * missing (a property test holds the scanner to the JSON.parse path on arbitrary bodies).
 */
export class EventBodyScanner extends JsonByteScanner {
  readonly values: ScannedFeatures;
  private readonly keys: KeyTable;
  /** Each schema name's `"name":`, for the compact path (none for a name that needs an escape). */
  private readonly compactKeys: CompactKeys;
  private readonly kinds: Uint8Array;
  private readonly numbers: Float64Array;
  private readonly strings: Array<string | undefined>;

  constructor(featureNames: readonly string[]) {
    super();
    this.keys = new KeyTable(featureNames);
    this.compactKeys = new CompactKeys(this.keys.tokens);
    this.kinds = new Uint8Array(featureNames.length);
    this.numbers = new Float64Array(featureNames.length);
    this.strings = new Array<string | undefined>(featureNames.length).fill(undefined);
    this.values = { kinds: this.kinds, numbers: this.numbers, strings: this.strings };
  }

  /**
   * Scans the body in `bytes[start, end)`. True: `values` holds its features (valid until the next call). False:
   * the general path must decide.
   */
  scan(bytes: Buffer, start = 0, end = bytes.length): boolean {
    this.reset(bytes, end, start);
    // No fill of the slots here: featureObject marks those it does not write absent (a body without features is
    // refused, and its slots are never read).
    const after = this.topLevel(this.skipSpace(start));
    return after !== FAIL && this.skipSpace(after) === end;
  }

  private topLevel(start: number): number {
    if (this.at(start) !== OPEN_BRACE) return FAIL;
    let i = this.skipSpace(start + 1);
    let sawFeatures = false;
    if (this.at(i) === CLOSE_BRACE) return FAIL;
    for (;;) {
      if (this.at(i) !== QUOTE) return FAIL;
      const keyEnd = this.string(i);
      if (keyEnd === FAIL || this.stringHasEscape) return FAIL;
      const isFeatures = keyEnd - i === FEATURES_KEY.length && this.matches(FEATURES_KEY, i);
      i = this.skipSpace(keyEnd);
      if (this.at(i) !== COLON) return FAIL;
      i = this.skipSpace(i + 1);
      if (isFeatures) {
        if (sawFeatures || this.at(i) !== OPEN_BRACE) return FAIL;
        sawFeatures = true;
        i = this.featureObject(i);
      } else {
        i = this.value(i, 1);
      }
      if (i === FAIL) return FAIL;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === CLOSE_BRACE) return sawFeatures ? i + 1 : FAIL;
      if (c !== COMMA) return FAIL;
      i = this.skipSpace(i + 1);
    }
  }

  private featureObject(start: number): number {
    const kinds = this.kinds;
    // Members in the shape serializers write are read in one loop; the first that is not, and all after it, below.
    let expected = this.compactNumbers(start + 1, this.compactKeys, this.numbers, kinds);
    // The slots the compact members did not write are absent unless the rest of the object names them.
    if (expected < kinds.length) kinds.fill(ABSENT, expected);
    if (this.compactClosed) return this.compactAt;
    let i = this.skipSpace(this.compactAt);
    if (expected === 0 && this.at(i) === CLOSE_BRACE) return i + 1;
    for (;;) {
      if (this.at(i) !== QUOTE) return FAIL;
      const slot = this.slotOfKey(i, expected, this.keys);
      if (slot === FAIL) return FAIL;
      expected = slot + 1;
      i = this.skipSpace(this.keyEnd);
      if (this.at(i) !== COLON) return FAIL;
      i = this.skipSpace(i + 1);
      i = slot < 0 ? this.value(i, 2) : this.featureValue(i, slot);
      if (i === FAIL) return FAIL;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) return FAIL;
      i = this.skipSpace(i + 1);
    }
  }

  private featureValue(i: number, slot: number): number {
    const c = this.at(i);
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = this.numberAt(i);
      if (end === FAIL) return FAIL;
      this.kinds[slot] = SCANNED_KIND.number;
      this.numbers[slot] = this.number;
      return end;
    }
    if (c === QUOTE) {
      const end = this.string(i);
      if (end === FAIL) return FAIL;
      this.kinds[slot] = SCANNED_KIND.string;
      this.strings[slot] = this.stringAt(i, end);
      return end;
    }
    if (c === 110 /* n */) {
      this.kinds[slot] = SCANNED_KIND.null;
      return this.literal(i, 'null');
    }
    if (c === 116 /* t */) {
      this.kinds[slot] = SCANNED_KIND.true;
      return this.literal(i, 'true');
    }
    if (c === 102 /* f */) {
      this.kinds[slot] = SCANNED_KIND.false;
      return this.literal(i, 'false');
    }
    this.kinds[slot] = SCANNED_KIND.null;
    return this.value(i, 2);
  }
}
