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
const MAX_DEPTH = 64;
const FAIL = -1;

/** 10^0 … 10^22: every one exactly representable, which is what makes the fast number path exact. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

const enum Kind {
  Absent = 0,
  Number = 1,
  String = 2,
  /** null, and nested objects or arrays: the profile counts all of them as missing. */
  Null = 3,
  True = 4,
  False = 5,
}

/**
 * Reads the `features` of an event body (the event contract) straight from its JSON text into a reused object,
 * without JSON.parse building the whole body: the hot path of the weekly fold. It validates the entire body as JSON
 * while scanning, and gives the same values JSON.parse would (numbers of up to 15 significant digits by the exact
 * Clinger fast path, others by Number(), strings with escapes by JSON.parse of the token). Anything unusual — not an
 * object, invalid JSON, `features` missing, repeated or not an object, an escaped top-level key, deep nesting —
 * returns `undefined`, and the caller takes the general JSON.parse path, which then decides the bad-body reason.
 *
 * Nested values inside `features` are handed over as null: the profile counts objects, arrays and null alike as
 * missing (a property test holds the scanner to the JSON.parse path on arbitrary bodies).
 */
export class EventBodyScanner {
  private readonly names: readonly string[];
  private readonly slotByName = new Map<string, number>();
  /** Names whose JSON text is the name itself (no character needing an escape): compared in place. */
  private readonly plainNames: boolean[];
  private readonly kinds: Uint8Array;
  private readonly numbers: Float64Array;
  private readonly strings: Array<string | undefined>;
  private readonly features: Record<string, unknown>;
  private readonly publish: (
    features: Record<string, unknown>,
    kinds: Uint8Array,
    numbers: Float64Array,
    strings: Array<string | undefined>,
  ) => void;
  private text = '';
  private number = 0;
  private stringHasEscape = false;

  constructor(featureNames: readonly string[]) {
    this.names = featureNames;
    featureNames.forEach((name, i) => this.slotByName.set(name, i));
    this.plainNames = featureNames.map((name) => JSON.stringify(name) === `"${name}"`);
    this.kinds = new Uint8Array(featureNames.length);
    this.numbers = new Float64Array(featureNames.length);
    this.strings = new Array<string | undefined>(featureNames.length).fill(undefined);
    // One object of fixed shape, written by generated code with literal property names, so the profile's own
    // generated reader sees a single hidden class.
    const keys = featureNames.map((name) => JSON.stringify(name));
    this.features = new Function(`return {${keys.map((k) => `${k}: undefined`).join(', ')}};`)() as Record<
      string,
      unknown
    >;
    this.publish = new Function(
      'o',
      'k',
      'n',
      's',
      keys
        .map(
          (key, i) =>
            `switch (k[${i}]) { case 1: o[${key}] = n[${i}]; break; case 2: o[${key}] = s[${i}]; break; case 3: o[${key}] = null; break; ` +
            `case 4: o[${key}] = true; break; case 5: o[${key}] = false; break; default: o[${key}] = undefined; }`,
        )
        .join('\n'),
    ) as EventBodyScanner['publish'];
    if (featureNames.includes('__proto__')) this.scan = () => undefined;
  }

  /**
   * The body's features, or `undefined` when the general path must decide. The object is reused: it is valid until
   * the next call.
   */
  scan(body: string): Readonly<Record<string, unknown>> | undefined {
    this.text = body;
    this.kinds.fill(Kind.Absent);
    const end = this.topLevel(skipSpace(body, 0));
    if (end === FAIL || skipSpace(body, end) !== body.length) return undefined;
    this.publish(this.features, this.kinds, this.numbers, this.strings);
    return this.features;
  }

  private topLevel(start: number): number {
    const text = this.text;
    if (text.charCodeAt(start) !== OPEN_BRACE) return FAIL;
    let i = skipSpace(text, start + 1);
    let sawFeatures = false;
    if (text.charCodeAt(i) === CLOSE_BRACE) return FAIL;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return FAIL;
      const keyEnd = this.string(i);
      if (keyEnd === FAIL || this.stringHasEscape) return FAIL;
      const isFeatures = keyEnd - i === 10 && text.startsWith('features', i + 1);
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) return FAIL;
      i = skipSpace(text, i + 1);
      if (isFeatures) {
        if (sawFeatures || text.charCodeAt(i) !== OPEN_BRACE) return FAIL;
        sawFeatures = true;
        i = this.featureObject(i);
      } else {
        i = this.value(i, 1);
      }
      if (i === FAIL) return FAIL;
      i = skipSpace(text, i);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) return sawFeatures ? i + 1 : FAIL;
      if (c !== COMMA) return FAIL;
      i = skipSpace(text, i + 1);
    }
  }

  private featureObject(start: number): number {
    const text = this.text;
    const names = this.names;
    let i = skipSpace(text, start + 1);
    if (text.charCodeAt(i) === CLOSE_BRACE) return i + 1;
    let expected = 0;
    for (;;) {
      if (text.charCodeAt(i) !== QUOTE) return FAIL;
      // Bodies list features in the same order event after event: try the next expected name in place first.
      let slot = -1;
      let keyEnd: number;
      const guess = names[expected];
      if (
        guess !== undefined &&
        this.plainNames[expected] &&
        text.startsWith(guess, i + 1) &&
        text.charCodeAt(i + 1 + guess.length) === QUOTE
      ) {
        slot = expected;
        keyEnd = i + guess.length + 2;
      } else {
        keyEnd = this.string(i);
        if (keyEnd === FAIL) return FAIL;
        const key = this.stringHasEscape
          ? (JSON.parse(text.slice(i, keyEnd)) as string)
          : text.slice(i + 1, keyEnd - 1);
        slot = this.slotByName.get(key) ?? -1;
      }
      expected = slot + 1;
      i = skipSpace(text, keyEnd);
      if (text.charCodeAt(i) !== COLON) return FAIL;
      i = skipSpace(text, i + 1);
      i = slot < 0 ? this.value(i, 2) : this.featureValue(i, slot);
      if (i === FAIL) return FAIL;
      i = skipSpace(text, i);
      const c = text.charCodeAt(i);
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) return FAIL;
      i = skipSpace(text, i + 1);
    }
  }

  private featureValue(i: number, slot: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = this.string(i);
      if (end === FAIL) return FAIL;
      this.kinds[slot] = Kind.String;
      this.strings[slot] = this.stringHasEscape
        ? (JSON.parse(text.slice(i, end)) as string)
        : text.slice(i + 1, end - 1);
      return end;
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = this.numberAt(i);
      if (end === FAIL) return FAIL;
      this.kinds[slot] = Kind.Number;
      this.numbers[slot] = this.number;
      return end;
    }
    if (c === 110 /* n */) {
      if (!text.startsWith('null', i)) return FAIL;
      this.kinds[slot] = Kind.Null;
      return i + 4;
    }
    if (c === 116 /* t */) {
      if (!text.startsWith('true', i)) return FAIL;
      this.kinds[slot] = Kind.True;
      return i + 4;
    }
    if (c === 102 /* f */) {
      if (!text.startsWith('false', i)) return FAIL;
      this.kinds[slot] = Kind.False;
      return i + 5;
    }
    const end = this.value(i, 2);
    if (end !== FAIL) this.kinds[slot] = Kind.Null;
    return end;
  }

  /** Validates any JSON value; returns the position after it. */
  private value(i: number, depth: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === QUOTE) return this.string(i);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.numberAt(i);
    if (c === 110) return text.startsWith('null', i) ? i + 4 : FAIL;
    if (c === 116) return text.startsWith('true', i) ? i + 4 : FAIL;
    if (c === 102) return text.startsWith('false', i) ? i + 5 : FAIL;
    if (depth >= MAX_DEPTH) return FAIL;
    if (c === OPEN_BRACE) {
      let j = skipSpace(text, i + 1);
      if (text.charCodeAt(j) === CLOSE_BRACE) return j + 1;
      for (;;) {
        if (text.charCodeAt(j) !== QUOTE) return FAIL;
        j = this.string(j);
        if (j === FAIL) return FAIL;
        j = skipSpace(text, j);
        if (text.charCodeAt(j) !== COLON) return FAIL;
        j = this.value(skipSpace(text, j + 1), depth + 1);
        if (j === FAIL) return FAIL;
        j = skipSpace(text, j);
        const d = text.charCodeAt(j);
        if (d === CLOSE_BRACE) return j + 1;
        if (d !== COMMA) return FAIL;
        j = skipSpace(text, j + 1);
      }
    }
    if (c === OPEN_BRACKET) {
      let j = skipSpace(text, i + 1);
      if (text.charCodeAt(j) === CLOSE_BRACKET) return j + 1;
      for (;;) {
        j = this.value(j, depth + 1);
        if (j === FAIL) return FAIL;
        j = skipSpace(text, j);
        const d = text.charCodeAt(j);
        if (d === CLOSE_BRACKET) return j + 1;
        if (d !== COMMA) return FAIL;
        j = skipSpace(text, j + 1);
      }
    }
    return FAIL;
  }

  /** A JSON string starting at the quote at `i`; the position after its closing quote. Sets stringHasEscape. */
  private string(i: number): number {
    const text = this.text;
    const n = text.length;
    let escaped = false;
    for (let j = i + 1; j < n; j++) {
      const c = text.charCodeAt(j);
      if (c === QUOTE) {
        this.stringHasEscape = escaped;
        return j + 1;
      }
      if (c < 32) return FAIL;
      if (c === BACKSLASH) {
        escaped = true;
        const e = text.charCodeAt(++j);
        if (e === 117 /* u */) {
          for (let h = 1; h <= 4; h++) if (!isHex(text.charCodeAt(j + h))) return FAIL;
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

  /** A JSON number at `i`; the position after it, its value in this.number. */
  private numberAt(start: number): number {
    const text = this.text;
    let i = start;
    const negative = text.charCodeAt(i) === MINUS;
    if (negative) i++;
    let mantissa = 0;
    let significant = 0;
    let scale = 0;
    let c = text.charCodeAt(i);
    if (c === ZERO) {
      c = text.charCodeAt(++i);
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        significant++;
        c = text.charCodeAt(++i);
      } while (c >= ZERO && c <= NINE);
    } else {
      return FAIL;
    }
    if (c === DOT) {
      c = text.charCodeAt(++i);
      if (!(c >= ZERO && c <= NINE)) return FAIL;
      do {
        if (mantissa !== 0 || c !== ZERO) significant++;
        mantissa = mantissa * 10 + (c - ZERO);
        scale++;
        c = text.charCodeAt(++i);
      } while (c >= ZERO && c <= NINE);
    }
    let exponent = 0;
    if (c === 101 || c === 69 /* e E */) {
      c = text.charCodeAt(++i);
      let exponentSign = 1;
      if (c === PLUS || c === MINUS) {
        if (c === MINUS) exponentSign = -1;
        c = text.charCodeAt(++i);
      }
      if (!(c >= ZERO && c <= NINE)) return FAIL;
      do {
        if (exponent < 100_000) exponent = exponent * 10 + (c - ZERO);
        c = text.charCodeAt(++i);
      } while (c >= ZERO && c <= NINE);
      exponent *= exponentSign;
    }
    const power = exponent - scale;
    if (significant <= 15 && power >= -22 && power <= 22) {
      // Clinger's fast path: mantissa and 10^|power| are exact doubles, so one IEEE operation rounds correctly.
      const magnitude = power >= 0 ? mantissa * POW10[power]! : mantissa / POW10[-power]!;
      this.number = negative ? -magnitude : magnitude;
    } else {
      this.number = Number(text.slice(start, i));
    }
    return i;
  }
}

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
