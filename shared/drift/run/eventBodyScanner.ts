import { SCANNED_KIND, type ScannedFeatures } from '../scannedFeatures.js';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
/** What `at` gives past the body's end: no JSON token starts with it, so every check against it fails. */
const END = -1;
const MAX_DEPTH = 64;
const FAIL = -1;
/** `"features"` with its quotes, the one top-level key the scanner looks for. */
const FEATURES_KEY = Buffer.from('"features"', 'latin1');

/** 10^0 … 10^22: every one exactly representable, which is what makes the fast number path exact. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Reads the `features` of an event body (the event contract) straight from its UTF-8 bytes — no string of the body,
 * no JSON.parse — into one slot per schema feature (`values`, reused): the hot path of the weekly fold. It validates
 * the entire body as JSON while scanning, and gives the same values JSON.parse of the body's UTF-8 text would
 * (numbers of up to 15 significant digits by the exact Clinger fast path, others by Number(), strings decoded as
 * UTF-8 and, with escapes, by JSON.parse of the token). UTF-8 decoding is local at ASCII bytes, so decoding a string
 * token alone gives what decoding the whole body gives. Anything unusual — not an object, invalid JSON, `features`
 * missing, repeated or not an object, an escaped top-level key, deep nesting — returns false, and the caller takes
 * the general JSON.parse path, which then decides the bad-body reason.
 *
 * Nested values inside `features` are reported as null: the profile counts objects, arrays and null alike as
 * missing (a property test holds the scanner to the JSON.parse path on arbitrary bodies).
 */
export class EventBodyScanner {
  readonly values: ScannedFeatures;
  private readonly slotByName = new Map<string, number>();
  /** Each name's JSON key token (quotes included) when it needs no escape: compared in place, byte by byte. */
  private readonly keyTokens: Array<Buffer | undefined>;
  private readonly kinds: Uint8Array;
  private readonly numbers: Float64Array;
  private readonly strings: Array<string | undefined>;
  private bytes: Buffer = Buffer.alloc(0);
  private end = 0;
  private number = 0;
  private stringHasEscape = false;

  constructor(featureNames: readonly string[]) {
    featureNames.forEach((name, i) => this.slotByName.set(name, i));
    this.keyTokens = featureNames.map((name) => {
      const token = JSON.stringify(name);
      return token === `"${name}"` ? Buffer.from(token, 'utf8') : undefined;
    });
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
    this.bytes = bytes;
    this.end = end;
    this.kinds.fill(SCANNED_KIND.absent);
    const after = this.topLevel(this.skipSpace(start));
    return after !== FAIL && this.skipSpace(after) === end;
  }

  private at(i: number): number {
    return i < this.end ? this.bytes[i]! : END;
  }

  private skipSpace(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    while (i < end) {
      const c = bytes[i]!;
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      i++;
    }
    return i;
  }

  /** Whether `token` sits at `i`, wholly inside the body. */
  private matches(token: Buffer, i: number): boolean {
    const n = token.length;
    if (i + n > this.end) return false;
    const bytes = this.bytes;
    for (let k = 0; k < n; k++) if (bytes[i + k] !== token[k]) return false;
    return true;
  }

  private literal(i: number, word: 'null' | 'true' | 'false'): number {
    for (let k = 0; k < word.length; k++) if (this.at(i + k) !== word.charCodeAt(k)) return FAIL;
    return i + word.length;
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
    const tokens = this.keyTokens;
    let i = this.skipSpace(start + 1);
    if (this.at(i) === CLOSE_BRACE) return i + 1;
    let expected = 0;
    for (;;) {
      if (this.at(i) !== QUOTE) return FAIL;
      // Bodies list features in the same order event after event: try the next expected name in place first.
      let slot: number;
      let keyEnd: number;
      const guess = tokens[expected];
      if (guess !== undefined && this.matches(guess, i)) {
        slot = expected;
        keyEnd = i + guess.length;
      } else {
        keyEnd = this.string(i);
        if (keyEnd === FAIL) return FAIL;
        slot = this.slotByName.get(this.stringAt(i, keyEnd)) ?? -1;
      }
      expected = slot + 1;
      i = this.skipSpace(keyEnd);
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

  /** The text of the string token [start, end) that `string` just validated. */
  private stringAt(start: number, end: number): string {
    return this.stringHasEscape
      ? (JSON.parse(this.bytes.toString('utf8', start, end)) as string)
      : this.bytes.toString('utf8', start + 1, end - 1);
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

  /** Validates any JSON value; returns the position after it. */
  private value(i: number, depth: number): number {
    const c = this.at(i);
    if (c === QUOTE) return this.string(i);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.numberAt(i);
    if (c === 110) return this.literal(i, 'null');
    if (c === 116) return this.literal(i, 'true');
    if (c === 102) return this.literal(i, 'false');
    if (depth >= MAX_DEPTH) return FAIL;
    if (c === OPEN_BRACE) {
      let j = this.skipSpace(i + 1);
      if (this.at(j) === CLOSE_BRACE) return j + 1;
      for (;;) {
        if (this.at(j) !== QUOTE) return FAIL;
        j = this.string(j);
        if (j === FAIL) return FAIL;
        j = this.skipSpace(j);
        if (this.at(j) !== COLON) return FAIL;
        j = this.value(this.skipSpace(j + 1), depth + 1);
        if (j === FAIL) return FAIL;
        j = this.skipSpace(j);
        const d = this.at(j);
        if (d === CLOSE_BRACE) return j + 1;
        if (d !== COMMA) return FAIL;
        j = this.skipSpace(j + 1);
      }
    }
    if (c === OPEN_BRACKET) {
      let j = this.skipSpace(i + 1);
      if (this.at(j) === CLOSE_BRACKET) return j + 1;
      for (;;) {
        j = this.value(j, depth + 1);
        if (j === FAIL) return FAIL;
        j = this.skipSpace(j);
        const d = this.at(j);
        if (d === CLOSE_BRACKET) return j + 1;
        if (d !== COMMA) return FAIL;
        j = this.skipSpace(j + 1);
      }
    }
    return FAIL;
  }

  /**
   * A JSON string starting at the quote at `i`; the position after its closing quote. Sets stringHasEscape. Bytes
   * of 0x80 and above are always inside a string's UTF-8 (a sequence the decoder replaces with U+FFFD included), so
   * only control bytes and escapes need checking.
   */
  private string(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let escaped = false;
    for (let j = i + 1; j < end; j++) {
      const c = bytes[j]!;
      if (c === QUOTE) {
        this.stringHasEscape = escaped;
        return j + 1;
      }
      if (c < 32) return FAIL;
      if (c === BACKSLASH) {
        escaped = true;
        const e = this.at(++j);
        if (e === 117 /* u */) {
          for (let h = 1; h <= 4; h++) if (!isHex(this.at(j + h))) return FAIL;
          j += 4;
        } else if (
          e !== QUOTE &&
          e !== BACKSLASH &&
          e !== 47 &&
          e !== 98 &&
          e !== 102 &&
          e !== 110 &&
          e !== 114 &&
          e !== 116
        ) {
          return FAIL;
        }
      }
    }
    return FAIL;
  }

  /** A JSON number at `start`; the position after it, its value in this.number. */
  private numberAt(start: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let i = start;
    const negative = bytes[i] === MINUS;
    if (negative) i++;
    let mantissa = 0;
    let significant = 0;
    let scale = 0;
    let c = i < end ? bytes[i]! : END;
    if (c === ZERO) {
      c = ++i < end ? bytes[i]! : END;
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        significant++;
        c = ++i < end ? bytes[i]! : END;
      } while (c >= ZERO && c <= NINE);
    } else {
      return FAIL;
    }
    if (c === DOT) {
      c = ++i < end ? bytes[i]! : END;
      if (!(c >= ZERO && c <= NINE)) return FAIL;
      do {
        if (mantissa !== 0 || c !== ZERO) significant++;
        mantissa = mantissa * 10 + (c - ZERO);
        scale++;
        c = ++i < end ? bytes[i]! : END;
      } while (c >= ZERO && c <= NINE);
    }
    let exponent = 0;
    if (c === 101 || c === 69 /* e E */) {
      c = ++i < end ? bytes[i]! : END;
      let exponentSign = 1;
      if (c === PLUS || c === MINUS) {
        if (c === MINUS) exponentSign = -1;
        c = ++i < end ? bytes[i]! : END;
      }
      if (!(c >= ZERO && c <= NINE)) return FAIL;
      do {
        if (exponent < 100_000) exponent = exponent * 10 + (c - ZERO);
        c = ++i < end ? bytes[i]! : END;
      } while (c >= ZERO && c <= NINE);
      exponent *= exponentSign;
    }
    const power = exponent - scale;
    if (significant <= 15 && power >= -22 && power <= 22) {
      // Clinger's fast path: mantissa and 10^|power| are exact doubles, so one IEEE operation rounds correctly.
      const magnitude = power >= 0 ? mantissa * POW10[power]! : mantissa / POW10[-power]!;
      this.number = negative ? -magnitude : magnitude;
    } else {
      this.number = Number(bytes.toString('latin1', start, i));
    }
    return i;
  }
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
