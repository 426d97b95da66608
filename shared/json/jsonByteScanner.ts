export const QUOTE = 34;
const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
export const COMMA = 44;
export const COLON = 58;
export const MINUS = 45;
const PLUS = 43;
const DOT = 46;
export const ZERO = 48;
export const NINE = 57;
/** What `at` gives past the body's end: no JSON token starts with it, so every check against it fails. */
export const END = -1;
/** Positions are returned on success; FAIL says the bytes are not what the caller vouches for. */
export const FAIL = -1;
const MAX_DEPTH = 64;

/** What `slotOfKey` gives for a valid key that names none of the table's names. */
export const UNKNOWN_KEY = -2;

/** Names a scanner reads as object keys: each name's JSON token for comparison in place, and each name's slot. */
export class KeyTable {
  /** Each name's key token (quotes included) when it needs no escape. */
  readonly tokens: ReadonlyArray<Buffer | undefined>;
  readonly slots = new Map<string, number>();

  constructor(names: readonly string[]) {
    names.forEach((name, i) => this.slots.set(name, i));
    this.tokens = names.map((name) => {
      const token = JSON.stringify(name);
      return token === `"${name}"` ? Buffer.from(token, 'utf8') : undefined;
    });
  }
}

/** 10^0 … 10^22: every one exactly representable, which is what makes the fast number path exact. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/** Most significant digits the compact path reads: up to 15, mantissa and 10^scale are exact doubles. */
const MAX_COMPACT_DIGITS = 15;

/**
 * The JSON grammar over UTF-8 bytes, for scanners that read one known document shape straight from a body's bytes
 * (no string of the body, no JSON.parse) and hand anything unusual to the general path. Every method validates what
 * it passes over and returns the position after it, or FAIL. Numbers get the value JSON.parse would give (up to 15
 * significant digits by the exact Clinger fast path, others by Number()); strings are decoded as UTF-8 and, with
 * escapes, by JSON.parse of the token. UTF-8 decoding is local at ASCII bytes, so decoding a string token alone gives
 * what decoding the whole body gives.
 */
export class JsonByteScanner {
  protected bytes: Buffer = Buffer.alloc(0);
  protected end = 0;
  /** The value of the number `numberAt` just read. */
  protected number = 0;
  /** Whether the string `string` just read had an escape. */
  protected stringHasEscape = false;
  /**
   * Whether any string since `reset` held a byte of 0x80 or above. Outside strings such a byte is never valid JSON,
   * so a scan that ends without it read pure ASCII: no invalid UTF-8 can have passed unseen.
   */
  protected sawNonAscii = false;

  /** Where the key `slotOfKey` just read ends. */
  protected keyEnd = 0;

  /** The slot after the last member `compactNumbers` read, and whether it read the object's closing brace. */
  protected compactNext = 0;
  protected compactClosed = false;

  /** Starts a scan of `bytes` up to `end`. */
  protected reset(bytes: Buffer, end: number): void {
    this.bytes = bytes;
    this.end = end;
    this.sawNonAscii = false;
  }

  protected at(i: number): number {
    return i < this.end ? this.bytes[i]! : END;
  }

  protected skipSpace(i: number): number {
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
  protected matches(token: Buffer, i: number): boolean {
    const n = token.length;
    if (i + n > this.end) return false;
    const bytes = this.bytes;
    for (let k = 0; k < n; k++) if (bytes[i + k] !== token[k]) return false;
    return true;
  }

  protected literal(i: number, word: 'null' | 'true' | 'false'): number {
    for (let k = 0; k < word.length; k++) if (this.at(i + k) !== word.charCodeAt(k)) return FAIL;
    return i + word.length;
  }

  /**
   * The slot of the key string at `i`: the `expected` name's when its token sits there (bodies list names in the same
   * order event after event, so one comparison in place usually decides), else the slot of the key's text;
   * UNKNOWN_KEY for a name not in the table, FAIL for an invalid string. Sets keyEnd.
   */
  protected slotOfKey(i: number, expected: number, keys: KeyTable): number {
    const guess = keys.tokens[expected];
    if (guess !== undefined && this.matches(guess, i)) {
      this.keyEnd = i + guess.length;
      return expected;
    }
    const end = this.string(i);
    if (end === FAIL) return FAIL;
    this.keyEnd = end;
    return keys.slots.get(this.stringAt(i, end)) ?? UNKNOWN_KEY;
  }

  /**
   * Reads object members in the shape serializers write, from `i` (just after `{` or a `,`): `"name":number` with the
   * names of `tokens` in order from slot `expected`, no space, plain numbers (no exponent, at most 15 digits), each
   * value into `numbers[slot]`, in one loop with the number parsed inline: as a call to numberAt per value, with the
   * cursor going through fields, it costs half as much again. Stops at the first member that is anything else (a
   * slot whose token is undefined included) and returns that member's start, for the caller's general loop to read
   * it and what follows; or returns the position after the `}` that ends the object. Sets compactNext and
   * compactClosed.
   */
  protected compactNumbers(
    i: number,
    expected: number,
    tokens: ReadonlyArray<Buffer | undefined>,
    numbers: Float64Array,
  ): number {
    const bytes = this.bytes;
    const end = this.end;
    this.compactClosed = false;
    for (;;) {
      const token = tokens[expected];
      if (token === undefined) break;
      const keyLength = token.length;
      if (i + keyLength >= end) break;
      let k = 0;
      while (k < keyLength && bytes[i + k] === token[k]) k++;
      if (k < keyLength || bytes[i + keyLength] !== COLON) break;
      let j = i + keyLength + 1;
      // 1 for a minus sign, else 0, without a branch (+boolean compiles to none): random signs mispredict one.
      const minus = +(j < end && bytes[j] === MINUS);
      j += minus;
      let mantissa = 0;
      let digits = 0;
      let scale = 0;
      // Bytes as digit values (byte - ZERO): END and every byte but a digit fall outside 0…9 (unsigned).
      let d = j < end ? bytes[j]! - ZERO : END - ZERO;
      if (d === 0) {
        d = ++j < end ? bytes[j]! - ZERO : END - ZERO;
      } else if (d >>> 0 <= 9) {
        const first = j;
        do {
          mantissa = mantissa * 10 + d;
          d = ++j < end ? bytes[j]! - ZERO : END - ZERO;
        } while (d >>> 0 <= 9);
        digits = j - first;
      } else break;
      if (d === DOT - ZERO) {
        d = ++j < end ? bytes[j]! - ZERO : END - ZERO;
        if (d >>> 0 > 9) break;
        const first = j;
        do {
          mantissa = mantissa * 10 + d;
          d = ++j < end ? bytes[j]! - ZERO : END - ZERO;
        } while (d >>> 0 <= 9);
        scale = j - first;
        digits += scale;
      }
      // Clinger's fast path, as numberAt takes it: one division of exact doubles rounds correctly, so the value is
      // JSON.parse's. Leading zeros of a fraction count as digits here, which only sends more numbers to numberAt.
      if (digits > MAX_COMPACT_DIGITS) break;
      // Anything but `,` or `}` after the number (an exponent, a space, a leading zero's next digit, …) is left to
      // the general loop, which reads the member again from its start.
      const next = d + ZERO;
      if (next !== COMMA && next !== CLOSE_BRACE) break;
      // −0 for "-0": 0 times −1 keeps the sign, as JSON.parse does.
      numbers[expected] = (mantissa / POW10[scale]!) * (1 - 2 * minus);
      expected++;
      i = j + 1;
      if (next === CLOSE_BRACE) {
        this.compactClosed = true;
        break;
      }
    }
    this.compactNext = expected;
    return i;
  }

  /** The text of the string token [start, end) that `string` just validated. */
  protected stringAt(start: number, end: number): string {
    return this.stringHasEscape
      ? (JSON.parse(this.bytes.toString('utf8', start, end)) as string)
      : this.bytes.toString('utf8', start + 1, end - 1);
  }

  /** Validates any JSON value; returns the position after it. */
  protected value(i: number, depth: number): number {
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
   * only control bytes and escapes need checking; such bytes set sawNonAscii for scanners that must refuse them.
   */
  protected string(i: number): number {
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
      if (c >= 128) this.sawNonAscii = true;
      else if (c === BACKSLASH) {
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
  protected numberAt(start: number): number {
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
