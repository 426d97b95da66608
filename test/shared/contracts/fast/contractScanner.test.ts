import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileEventContract, type ContractFeature } from '../../../../shared/contracts/eventContract.js';
import { ContractScanner } from '../../../../shared/contracts/fast/contractScanner.js';
import { EDGE_NUMBER_TEXTS } from '../../../helpers/numberEdges.js';
import { SCANNED_KIND } from '../../../../shared/json/scannedFeatures.js';

const FEATURES: ContractFeature[] = [
  { name: 'amount', type: 'numeric' },
  { name: 'hour', type: 'numeric' },
  { name: 'channel', type: 'categorical' },
  { name: 'f0', type: 'numeric' },
];
const MAX_STRING_LENGTH = 12;
/** The reference: a body as text, which JSON.parse and the schema read whatever the decoding of bytes. */
const contract = compileEventContract(FEATURES, {
  maxBodyBytes: 1 << 20,
  maxStringLength: MAX_STRING_LENGTH,
  decoding: 'plain',
});

/** A decoded body as scoring reads it: the contract's fields (other top-level keys are allowed and never read). */
function outcome(decoded: ReturnType<typeof contract.decode>): unknown {
  if (!decoded.ok) return decoded.error.code;
  const { id, callerId, timestamp, features, label } = decoded.value;
  return Object.fromEntries(
    Object.entries({ id, callerId, timestamp, features, label }).filter(([, v]) => v !== undefined),
  );
}

const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n');
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.integer().map(String),
  fc.constantFrom('-0', '0.1', '1e400', '-1e400', '1E-5', '123456789012345678', '0.30000000000000004', '01', '1.'),
);
// Lengths are in code points: 'é' is two bytes of UTF-8, '😀' four (and two UTF-16 units).
const shortText = fc.oneof(
  fc.string({ maxLength: MAX_STRING_LENGTH + 2 }),
  fc.string({ unit: 'grapheme', maxLength: MAX_STRING_LENGTH + 2 }),
  fc.string({ unit: 'binary', maxLength: MAX_STRING_LENGTH + 2 }),
  fc.constantFrom(
    '',
    'web',
    'é',
    'a"b',
    'a\\b',
    'x'.repeat(MAX_STRING_LENGTH),
    'x'.repeat(MAX_STRING_LENGTH + 1),
    'é'.repeat(MAX_STRING_LENGTH),
    'é'.repeat(MAX_STRING_LENGTH + 1),
    '😀'.repeat(MAX_STRING_LENGTH),
    '😀'.repeat(MAX_STRING_LENGTH + 1),
  ),
);
/** Strings as a producer may write them: plain, or with needless escapes. */
const stringText = fc
  .tuple(shortText, fc.boolean())
  .map(([s, escape]) =>
    escape ? JSON.stringify(s).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) : JSON.stringify(s),
  );
const anyValue = fc.oneof(
  { weight: 4, arbitrary: numberText },
  { weight: 3, arbitrary: stringText },
  { weight: 2, arbitrary: fc.constantFrom('null', 'true', 'false', '[]', '{}', '[1,{"a":null}]', '{"x":[2]}') },
);
const featureName = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...FEATURES.map((f) => f.name)) },
  { weight: 1, arbitrary: fc.constantFrom('colour', '__proto__', 'amount ', 'f\\u0030') },
);
const topKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('id', 'callerId', 'timestamp', 'label') },
  { weight: 1, arbitrary: fc.constantFrom('extra', '__proto__', 'i\\u0064', 'features') },
);
const topValue = fc.oneof(
  anyValue,
  fc.constantFrom(
    '"2026-11-10T12:00:00Z"',
    '"2026-11-10"',
    '"2026-02-30T12:00:00Z"',
    '"2026-11-10T24:00:00Z"',
    '""',
    '"yesterday"',
    '"c-1"',
    '"e-1"',
    '"' + 'x'.repeat(70) + '"',
  ),
);

const NAMES = FEATURES.map((f) => f.name);
const validTop = fc.constantFrom(
  '"callerId":"c-1"',
  `"callerId":"${'c'.repeat(MAX_STRING_LENGTH)}"`,
  `"label":"${'l'.repeat(MAX_STRING_LENGTH + 1)}"`,
  '"timestamp":"2026-11-10T12:00:00Z"',
  '"label":1',
  '"label":"yes"',
  '"trace":{"a":[1,"x"]}',
);

/**
 * Bodies near the contract. Half keep it (every feature once, in any order, well-typed values, valid fields), so the
 * scanner's reading is compared often; the other half also get features missing, repeated, unknown or mistyped, and
 * top-level fields of any kind.
 */
const bodyText = fc
  .tuple(
    fc.boolean(),
    fc.shuffledSubarray(NAMES, { minLength: 0 }),
    fc.shuffledSubarray(NAMES, { minLength: NAMES.length }),
    fc.array(fc.tuple(featureName, anyValue), { maxLength: 2 }),
    fc.array(fc.tuple(fc.nat(), numberText), { maxLength: 4 }),
    fc.array(fc.tuple(topKey, topValue), { maxLength: 4 }),
    fc.array(validTop, { maxLength: 3 }),
    fc.boolean(),
    space,
  )
  .map(([keeps, someNames, allNames, odd, numbers, members, valid, withId, s]) => {
    const names = keeps ? allNames : someNames;
    const values = new Map<string, string>(names.map((n, i) => [n, i % 3 === 2 ? 'null' : '1.5']));
    for (const [k, v] of numbers) {
      const name = names[k % Math.max(names.length, 1)]!;
      if (name !== undefined) values.set(name, name === 'channel' ? `"w${v.length}"` : v);
    }
    const entries = [...values].map(([k, v]) => `${s}"${k}"${s}:${s}${v}`);
    const top = [...valid.map((m) => m.replace(':', `${s}:${s}`))];
    if (!keeps) {
      for (const [k, v] of odd) entries.splice(entries.length >> 1, 0, `"${k}":${v}`);
      top.push(...members.map(([k, v]) => `"${k}":${s}${v}`));
    }
    if (withId || keeps) top.unshift('"id":"e-1"');
    top.splice(top.length >> 1, 0, `"features":${s}{${entries.join(',')}}`);
    return `${s}{${top.join(`,${s}`)}}${s}`;
  });

// The contract of body decoding, run against both implementations: UTF-8 decoding, JSON.parse and the schema
// (plain), and the byte scanner in front of them (fast). A body's bytes must get the answer its text gets.
describe.each(['plain', 'fast'] as const)('the event contract, %s decoding of bytes', (decoding) => {
  const subject = compileEventContract(FEATURES, {
    maxBodyBytes: 1 << 20,
    maxStringLength: MAX_STRING_LENGTH,
    decoding,
  });

  it('gives a body’s bytes the answer its text gets (JSON.parse and the schema)', () => {
    // The scanner counts the bodies the fast path takes, so that the generator is seen to reach it.
    const scanner = new ContractScanner(FEATURES, MAX_STRING_LENGTH);
    let vouched = 0;
    fc.assert(
      fc.property(bodyText, (body) => {
        const bytes = Buffer.from(body);
        if (scanner.scan(bytes)) vouched++;
        expect(outcome(subject.decode(bytes))).toStrictEqual(outcome(contract.decode(body)));
      }),
      { numRuns: 4000 },
    );
    // The generator must reach the fast path, or the property holds vacuously.
    expect(vouched).toBeGreaterThan(200);
  });

  it('reads compact bodies (names in order, no spaces: the inline number path) as JSON.parse and the schema do', () => {
    const scanner = new ContractScanner(FEATURES, MAX_STRING_LENGTH);
    // Numbers at the inline path's limits, and now and then a member it must hand on (null, a string, a space).
    const edgeNumber = fc.constantFrom(...EDGE_NUMBER_TEXTS);
    const member = fc.oneof(
      { weight: 8, arbitrary: edgeNumber },
      { weight: 2, arbitrary: numberText },
      { weight: 1, arbitrary: fc.constantFrom('null', '"w"', ' 1', '1 ', 'true', '"1"') },
    );
    let vouched = 0;
    fc.assert(
      fc.property(
        fc.array(member, { minLength: NAMES.length, maxLength: NAMES.length }),
        fc.constantFrom('', ' ', '\r\n', ' x', '}', ','),
        (values, after) => {
          const features = NAMES.map((name, i) => `"${name}":${name === 'channel' ? '"web"' : values[i]}`).join(',');
          const body = `{"id":"e-1","features":{${features}}}${after}`;
          if (scanner.scan(Buffer.from(body))) vouched++;
          expect(outcome(subject.decode(Buffer.from(body)))).toStrictEqual(outcome(contract.decode(body)));
        },
      ),
      { numRuns: 3000 },
    );
    expect(vouched).toBeGreaterThan(200);
  });

  it('reads a profile of numbers only straight through, and a body cut anywhere as the general path does', () => {
    const numeric: ContractFeature[] = ['a', 'b', 'c'].map((name) => ({ name, type: 'numeric' }));
    const numericContract = compileEventContract(numeric, { maxBodyBytes: 1 << 20, decoding });
    const reference = compileEventContract(numeric, { maxBodyBytes: 1 << 20, decoding: 'plain' });
    const body = '{"id":"e","features":{"a":-1.25,"b":0,"c":123456789012345}}';
    expect(outcome(numericContract.decode(Buffer.from(body)))).toStrictEqual({
      id: 'e',
      features: { a: -1.25, b: 0, c: 123456789012345 },
    });
    for (let cut = 0; cut < body.length; cut++) {
      const part = body.slice(0, cut);
      expect(outcome(numericContract.decode(Buffer.from(part)))).toStrictEqual(outcome(reference.decode(part)));
    }
  });

  it('gives each event its own timestamp, whether it repeats the last one or differs from it in any character', () => {
    const body = (timestamp: string) =>
      Buffer.from(`{"id":"e","timestamp":"${timestamp}","features":{"amount":1,"hour":2,"channel":"w","f0":1}}`);
    const timestamps = [
      '2026-11-10T12:00:00Z',
      '2026-11-10T12:00:00Z',
      '2026-11-10T12:00:01Z',
      '3026-11-10T12:00:01Z',
      '2026-11-10',
      '2026-11-10T12:00:01Z',
      '2026-11-10T12:00:01',
      '2026-11-10T12:00:02',
    ];
    for (const timestamp of timestamps) {
      expect(outcome(subject.decode(body(timestamp)))).toMatchObject({ id: 'e', timestamp });
    }
  });

  it('reads a timestamp that begins with the last one’s characters as a timestamp of its own', () => {
    const features = '"features":{"amount":1,"hour":2,"channel":"w","f0":1}';
    const last = '2026-11-10T12:00:00Z';
    const bodies = [
      `{"id":"e","timestamp":"${last}",${features}}`,
      // Longer, then a quote that only a scan past the last one's length finds.
      `{"id":"e","timestamp":"${last}1",${features}}`,
      // Characters after the last one's that would read as the next member if its closing quote were taken as read.
      `{"id":"e","timestamp":"${last}x,"trace":1,${features}}`,
      `{"id":"e","timestamp":"${last}x}`,
      // Shorter, and cut inside.
      `{"id":"e","timestamp":"${last.slice(0, 10)}",${features}}`,
      `{"id":"e","timestamp":"${last}`,
    ];
    // A contract of its own: what the scanner remembers of the last timestamp is this test's.
    const fresh = compileEventContract(FEATURES, {
      maxBodyBytes: 1 << 20,
      maxStringLength: MAX_STRING_LENGTH,
      decoding,
    });
    for (const body of [...bodies, ...bodies.reverse()])
      expect(outcome(fresh.decode(Buffer.from(body)))).toStrictEqual(outcome(contract.decode(body)));
  });

  it('reads a well-formed event, whitespace, extra keys and nulls included', () => {
    const body =
      ' { "trace": {"a": [1, "x"]}, "id" : "e-1", "callerId":"c-9", "timestamp":"2026-11-10T12:00:00Z",\n' +
      '"features": {"hour": 3, "amount": -0.25e1, "channel": null, "f0": -0}, "label": "yes" } ';
    expect(outcome(subject.decode(Buffer.from(body)))).toStrictEqual({
      id: 'e-1',
      callerId: 'c-9',
      timestamp: '2026-11-10T12:00:00Z',
      features: { amount: -2.5, hour: 3, channel: null, f0: -0 },
      label: 'yes',
    });
  });

  it('refuses a baseline feature named __proto__, which no JSON Schema validator or object literal keeps as a name', () => {
    const proto: ContractFeature[] = [
      { name: '__proto__', type: 'numeric' },
      { name: 'hour', type: 'numeric' },
    ];
    expect(() => compileEventContract(proto, { maxBodyBytes: 1 << 20, decoding })).toThrow(
      'Feature name "__proto__" is reserved (it names the prototype of a JavaScript object): rename the column and rebuild the baseline',
    );
  });

  it('names an event feature called __proto__ as unknown, for a baseline without it', () => {
    const body = '{"id":"e","features":{"amount":1,"hour":2,"channel":"w","f0":1,"__proto__":1}}';
    expect(outcome(subject.decode(Buffer.from(body)))).toBe('EVENT.UNKNOWN_FEATURE');
    expect(outcome(subject.decode(body))).toBe('EVENT.UNKNOWN_FEATURE');
  });

  it('reads features named as Object.prototype members (constructor, toString) as any other, missing ones as missing', () => {
    const inherited: ContractFeature[] = [
      { name: 'constructor', type: 'numeric' },
      { name: 'toString', type: 'categorical' },
    ];
    const named = compileEventContract(inherited, { maxBodyBytes: 1 << 20, decoding });
    const body = (features: string) => Buffer.from(`{"id":"e","features":{${features}}}`);
    expect(outcome(named.decode(body('"constructor":1.5,"toString":"x"')))).toStrictEqual({
      id: 'e',
      features: { constructor: 1.5, toString: 'x' },
    });
    expect(outcome(named.decode(body('"toString":"x"')))).toBe('EVENT.MISSING_FEATURE');
    expect(outcome(named.decode(body('"constructor":1.5')))).toBe('EVENT.MISSING_FEATURE');
  });

  it('reads every JSON number a feature may hold as JSON.parse does (-0, 17 digits, exponents, beyond the double range)', () => {
    const digits = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 25n }),
        fc.nat(30),
        fc.integer({ min: -400, max: 400 }),
        fc.constantFrom('e', 'E', 'e+', 'E-', ''),
      )
      .map(([negative, value, point, exponent, e]) => {
        const text = value.toString();
        const withPoint = point > 0 && point < text.length ? `${text.slice(0, point)}.${text.slice(point)}` : text;
        const mark = e === '' ? '' : `${e}${e.endsWith('+') || e.endsWith('-') ? Math.abs(exponent) : exponent}`;
        return `${negative ? '-' : ''}${withPoint}${mark}`;
      });
    const number = fc.oneof(digits, numberText, fc.constantFrom(...EDGE_NUMBER_TEXTS, '-0.0', '5e-324', '2e400'));
    fc.assert(
      fc.property(fc.array(number, { minLength: 3, maxLength: 3 }), space, (values, s) => {
        const [amount, hour, f0] = values;
        const body = `{"id":"e","features":{"amount":${s}${amount},"hour":${hour}${s},"channel":"w","f0":${f0}}}`;
        expect(outcome(subject.decode(Buffer.from(body)))).toStrictEqual(outcome(contract.decode(body)));
      }),
      { numRuns: 3000 },
    );
  });

  it('never answers a mutated body otherwise than the plain path (one byte deleted, inserted, replaced, or the rest cut)', () => {
    fc.assert(
      fc.property(
        bodyText,
        fc.nat(),
        fc.constantFrom('delete', 'insert', 'replace', 'cut'),
        fc.constantFrom(...'{}[]",:0-.eE\\ntfu\u0001 x'.split('')),
        (body, at, how, char) => {
          const p = body.length === 0 ? 0 : at % body.length;
          const mutated =
            how === 'delete'
              ? body.slice(0, p) + body.slice(p + 1)
              : how === 'insert'
                ? body.slice(0, p) + char + body.slice(p)
                : how === 'replace'
                  ? body.slice(0, p) + char + body.slice(p + 1)
                  : body.slice(0, p);
          // Both read the same bytes: a cut surrogate pair is a lone surrogate in the string but U+FFFD in UTF-8.
          const bytes = Buffer.from(mutated);
          expect(outcome(subject.decode(bytes))).toStrictEqual(outcome(contract.decode(bytes)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('answers bytes of any kind spliced into a body (invalid UTF-8 included) as the plain path does', () => {
    const raw = fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(bodyText, raw, fc.nat(), fc.boolean(), (body, bytes, at, insideString) => {
        const text = Buffer.from(body);
        const quotes = [...text.keys()].filter((i) => text[i] === 34);
        const p = insideString && quotes.length > 0 ? quotes[at % quotes.length]! + 1 : at % (text.length + 1);
        const mutated = Buffer.concat([text.subarray(0, p), bytes, text.subarray(p)]);
        expect(outcome(subject.decode(mutated))).toStrictEqual(outcome(contract.decode(mutated)));
      }),
      { numRuns: 3000 },
    );
  });

  it('names bytes that are not UTF-8', () => {
    const body = Buffer.concat([
      Buffer.from('{"id":"e'),
      Buffer.from([0xff]),
      Buffer.from('","features":{"amount":1,"hour":2,"channel":"w","f0":1}}'),
    ]);
    expect(outcome(subject.decode(body))).toBe('EVENT.NOT_UTF8');
  });
});

describe('ContractScanner', () => {
  it('gives a fold reading features alone (scanFeatures) the verdict and the values scan gives, inside a larger block', () => {
    const scanner = new ContractScanner(FEATURES, MAX_STRING_LENGTH);
    const folding = new ContractScanner(FEATURES, MAX_STRING_LENGTH);
    let vouched = 0;
    fc.assert(
      fc.property(bodyText, (body) => {
        const bytes = Buffer.from(body);
        // Bytes around the body that would change the verdict if the scan read past its end.
        const block = Buffer.concat([Buffer.from('"x'), bytes, Buffer.from('"}')]);
        const verdict = scanner.scan(bytes);
        expect(folding.scanFeatures(block, 2, 2 + bytes.length)).toBe(verdict);
        if (!verdict) return;
        vouched++;
        const { kinds, numbers, strings } = folding.values;
        FEATURES.forEach((_, slot) => {
          expect(kinds[slot]).toBe(scanner.values.kinds[slot]);
          if (kinds[slot] === SCANNED_KIND.number)
            expect(Object.is(numbers[slot], scanner.values.numbers[slot])).toBe(true);
          if (kinds[slot] === SCANNED_KIND.string) expect(strings[slot]).toBe(scanner.values.strings[slot]);
        });
      }),
      { numRuns: 3000 },
    );
    expect(vouched).toBeGreaterThan(200);
  });

  it.each([
    ['a missing feature', '{"id":"e","features":{"amount":1,"hour":2,"channel":"w"}}'],
    ['an unknown feature', '{"id":"e","features":{"amount":1,"hour":2,"channel":"w","f0":1,"x":1}}'],
    ['a repeated feature', '{"id":"e","features":{"amount":1,"amount":1,"hour":2,"channel":"w","f0":1}}'],
    ['a repeated id', '{"id":"e","id":"f","features":{"amount":1,"hour":2,"channel":"w","f0":1}}'],
    ['a number beyond the double range', '{"id":"e","features":{"amount":1e999,"hour":2,"channel":"w","f0":1}}'],
    ['a string where a number belongs', '{"id":"e","features":{"amount":"1","hour":2,"channel":"w","f0":1}}'],
    ['an escaped id', '{"id":"\\u0065","features":{"amount":1,"hour":2,"channel":"w","f0":1}}'],
    [
      'an over-long caller',
      `{"id":"e","callerId":"${'c'.repeat(13)}","features":{"amount":1,"hour":2,"channel":"w","f0":1}}`,
    ],
    ['a null label', '{"id":"e","label":null,"features":{"amount":1,"hour":2,"channel":"w","f0":1}}'],
    ['no features', '{"id":"e"}'],
    ['trailing bytes', '{"id":"e","features":{"amount":1,"hour":2,"channel":"w","f0":1}} x'],
    [
      'a timestamp off the calendar',
      '{"id":"e","timestamp":"2026-02-30","features":{"amount":1,"hour":2,"channel":"w","f0":1}}',
    ],
    ['an empty timestamp', '{"id":"e","timestamp":"","features":{"amount":1,"hour":2,"channel":"w","f0":1}}'],
  ])('leaves %s to the general path', (_name, body) => {
    expect(new ContractScanner(FEATURES, MAX_STRING_LENGTH).scan(Buffer.from(body))).toBe(false);
  });

  it.each([
    ['a category of UTF-8 text', '{"id":"e","features":{"amount":1,"hour":2,"channel":"café 名","f0":1}}'],
    [
      'an id and a caller of UTF-8 text',
      '{"id":"é-1","callerId":"ü","features":{"amount":1,"hour":2,"channel":"w","f0":1}}',
    ],
    [
      'a category of 12 code points in 48 bytes',
      `{"id":"e","features":{"amount":1,"hour":2,"channel":"${'😀'.repeat(12)}","f0":1}}`,
    ],
  ])('reads %s in one pass, as the plain path does', (_name, body) => {
    const scanner = new ContractScanner(FEATURES, MAX_STRING_LENGTH);
    expect(scanner.scan(Buffer.from(body))).toBe(true);
    expect(outcome({ ok: true, value: scanner.event() })).toStrictEqual(outcome(contract.decode(body)));
  });

  it('leaves a category of 13 code points (more than the limit) to the plain path, which names it', () => {
    const body = `{"id":"e","features":{"amount":1,"hour":2,"channel":"${'é'.repeat(13)}","f0":1}}`;
    expect(new ContractScanner(FEATURES, MAX_STRING_LENGTH).scan(Buffer.from(body))).toBe(false);
    expect(outcome(contract.decode(Buffer.from(body)))).toBe('EVENT.WRONG_TYPE');
  });

  it('leaves bytes that are not UTF-8 to the plain path', () => {
    const body = Buffer.concat([
      Buffer.from('{"id":"e'),
      Buffer.from([0xff]),
      Buffer.from('","features":{"amount":1,"hour":2,"channel":"w","f0":1}}'),
    ]);
    expect(new ContractScanner(FEATURES, MAX_STRING_LENGTH).scan(body)).toBe(false);
  });

  it('refuses a feature called __proto__ (the contract refuses it before)', () => {
    const proto: ContractFeature[] = [
      { name: '__proto__', type: 'numeric' },
      { name: 'hour', type: 'numeric' },
    ];
    expect(() => new ContractScanner(proto, MAX_STRING_LENGTH)).toThrow('feature name "__proto__" is reserved');
  });
});
