import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventBodyScanner } from '../../../../../shared/drift/run/fast/eventBodyScanner.js';
import { EDGE_NUMBER_TEXTS } from '../../../../helpers/numberEdges.js';

const NAMES = ['amount', 'hour', 'channel', 'é-名', 'quote"d', 'back\\slash', 'f0'];

/**
 * What the profile sees from the general path (the body's bytes decoded as UTF-8, then JSON.parse): the features
 * object's value per schema name, nested values as null.
 */
function viaJsonParse(body: Buffer): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const features = (parsed as { features?: unknown }).features;
  if (typeof features !== 'object' || features === null || Array.isArray(features)) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of NAMES) {
    const v = Object.prototype.hasOwnProperty.call(features, name)
      ? (features as Record<string, unknown>)[name]
      : undefined;
    out[name] = typeof v === 'object' && v !== null ? null : v;
  }
  return out;
}

/** The scanner's slots as the values they stand for, read from `body` placed inside other bytes (as in a block). */
function scanned(scanner: EventBodyScanner, body: Buffer | string): Record<string, unknown> | undefined {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  // Bytes around the body that would change the result if the scanner read past its end.
  const block = Buffer.concat([Buffer.from('1,"x'), bytes, Buffer.from('1} "')]);
  if (!scanner.scan(block, 4, 4 + bytes.length)) return undefined;
  const { kinds, numbers, strings } = scanner.values;
  const valueOf = (i: number): unknown => [undefined, numbers[i], strings[i], null, true, false][kinds[i]!];
  return Object.fromEntries(NAMES.map((n, i) => [n, valueOf(i)]));
}

/** Exactly equal, -0 and 0 told apart (the profile's sketch and sums must see what JSON.parse gives). */
function expectSame(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  for (const name of NAMES)
    expect(
      Object.is(actual[name], expected[name]),
      `${name}: ${String(actual[name])} vs ${String(expected[name])}`,
    ).toBe(true);
}

/** JSON number tokens in every shape the grammar allows, including ones the fast path must hand to Number(). */
const numberToken = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
  fc.integer().map(String),
  fc
    .tuple(
      fc.boolean(),
      fc.bigInt({ min: 0n, max: 10n ** 25n }),
      fc.nat(30),
      fc.integer({ min: -400, max: 400 }),
      fc.constantFrom('e', 'E', 'e+', 'E-', ''),
    )
    .map(([negative, digits, point, exponent, e]) => {
      const text = digits.toString();
      const withPoint = point > 0 && point < text.length ? `${text.slice(0, point)}.${text.slice(point)}` : text;
      const mark = e === '' ? '' : `${e}${e.endsWith('+') || e.endsWith('-') ? Math.abs(exponent) : exponent}`;
      return `${negative ? '-' : ''}${withPoint}${mark}`;
    }),
  fc.constantFrom(
    '0',
    '-0',
    '-0.0',
    '0.1',
    '1e22',
    '1e23',
    '9007199254740993',
    '0.30000000000000004',
    '123456789012345.6',
    '1.7976931348623157e308',
    '5e-324',
    '1e-400',
    '2e400',
  ),
);

const valueToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: numberToken },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }).map((s) => JSON.stringify(s)) },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', 'false') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
);

const space = fc.constantFrom('', '', '', ' ', '\n', '\t ', '\r\n');

/** An event body as text: a features object over schema names and strangers, other members, random spacing. */
const bodyText = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...NAMES, 'other', 'amount2', ''), valueToken, space, space), { maxLength: 9 }),
    fc.array(fc.tuple(fc.constantFrom('id', 'callerId', 'timestamp', 'label', 'x'), valueToken), { maxLength: 4 }),
    space,
    fc.boolean(),
  )
  .map(([features, others, s, featuresFirst]) => {
    const featureText = `{${s}${features.map(([k, v, a, b]) => `${a}${JSON.stringify(k)}${b}:${a}${v}${b}`).join(',')}${s}}`;
    const members = others.map(([k, v]) => `${JSON.stringify(k)}:${s}${v}`);
    const all = featuresFirst
      ? [`"features":${s}${featureText}`, ...members]
      : [...members, `"features"${s}:${featureText}`];
    return `${s}{${all.join(`,${s}`)}}${s}`;
  });

describe('EventBodyScanner', () => {
  it('reads well-formed bodies exactly as JSON.parse does', () => {
    const scanner = new EventBodyScanner(NAMES);
    fc.assert(
      fc.property(bodyText, (body) => {
        const expected = viaJsonParse(Buffer.from(body));
        const actual = scanned(scanner, body);
        if (expected === undefined) {
          expect(actual).toBeUndefined();
          return;
        }
        // Well-formed bodies without a repeated top-level key are never sent to the slow path.
        if (!/"features"[\s\S]*"features"\s*:/.test(body.replace(/"(?:[^"\\]|\\.)*"\s*:\s*"(?:[^"\\]|\\.)*"/g, '')))
          expect(actual).toBeDefined();
        if (actual) expectSame(actual, expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('never vouches for a body JSON.parse refuses or reads differently (mutated bodies)', () => {
    const scanner = new EventBodyScanner(NAMES);
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
          const actual = scanned(scanner, mutated);
          if (actual === undefined) return;
          const expected = viaJsonParse(Buffer.from(mutated));
          expect(expected).toBeDefined();
          expectSame(actual, expected!);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('reads bodies of any bytes exactly as UTF-8 decoding then JSON.parse does (invalid UTF-8 included)', () => {
    const scanner = new EventBodyScanner(NAMES);
    // Raw bytes spliced into a well-formed body: inside strings, in keys, or anywhere.
    const raw = fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b));
    fc.assert(
      fc.property(bodyText, raw, fc.nat(), fc.boolean(), (body, bytes, at, insideString) => {
        const text = Buffer.from(body);
        const quotes = [...text.keys()].filter((i) => text[i] === 34);
        const p = insideString && quotes.length > 0 ? quotes[at % quotes.length]! + 1 : at % (text.length + 1);
        const mutated = Buffer.concat([text.subarray(0, p), bytes, text.subarray(p)]);
        const actual = scanned(scanner, mutated);
        if (actual === undefined) return;
        const expected = viaJsonParse(mutated);
        expect(expected).toBeDefined();
        expectSame(actual, expected!);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads compact bodies (schema names in order, no spaces: the inline number path) exactly as JSON.parse does', () => {
    const scanner = new EventBodyScanner(NAMES);
    // Numbers at the inline path's limits, beside every shape numberToken draws.
    const edgeNumber = fc.constantFrom(...EDGE_NUMBER_TEXTS);
    const member = fc.oneof(
      { weight: 6, arbitrary: fc.oneof(numberToken, edgeNumber) },
      { weight: 1, arbitrary: valueToken },
    );
    fc.assert(
      fc.property(
        fc.nat(NAMES.length - 1),
        fc.array(member, { minLength: 1, maxLength: NAMES.length }),
        fc.constantFrom(':', ':', ':', ':', ' :', ': ', '', '::'),
        fc.constantFrom(',', ',', ',', ' ,', ', '),
        // Closings with white space after the body's last brace too: the compact path reads up to that brace.
        fc.constantFrom('}}', '}}', '} }', ' }}', ',}}', '}', '}} ', '}}\n\t', '} ', '}}x'),
        (from, values, colon, separator, close) => {
          const members = values.map((v, k) => `${JSON.stringify(NAMES[(from + k) % NAMES.length])}${colon}${v}`);
          const body = Buffer.from(`{"features":{${members.join(separator)}${close}`);
          const expected = viaJsonParse(body);
          const actual = scanned(scanner, body);
          if (expected === undefined) expect(actual).toBeUndefined();
          else {
            expect(actual).toBeDefined();
            expectSame(actual!, expected);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('reads a feature string of invalid UTF-8 as the decoder’s replacement characters', () => {
    const body = Buffer.concat([
      Buffer.from('{"features":{"channel":"w'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('b"}}'),
    ]);
    expect(scanned(new EventBodyScanner(NAMES), body)).toMatchObject({ channel: 'w\ufffd\ufffdb' });
  });

  it('resets between bodies: a feature absent from this body is undefined, not the last body’s value', () => {
    const scanner = new EventBodyScanner(NAMES);
    expect(scanned(scanner, '{"features":{"amount":1.5,"channel":"web"}}')).toMatchObject({
      amount: 1.5,
      channel: 'web',
    });
    const second = scanned(scanner, '{"features":{"hour":3}}')!;
    expect([second.amount, second.channel, second.hour]).toEqual([undefined, undefined, 3]);
  });

  it.each([
    ['not an object', '[1,2]'],
    ['no features', '{"id":"x"}'],
    ['features not an object', '{"features":[1]}'],
    ['features repeated', '{"features":{"amount":1},"features":{"amount":2}}'],
    ['escaped top-level key', '{"feat\\u0075res":{"amount":1}}'],
    ['trailing garbage', '{"features":{"amount":1}} x'],
    ['leading zero', '{"features":{"amount":01}}'],
    ['raw control character', '{"features":{"channel":"a\u0001b"}}'],
    ['deep nesting', `{"features":{"amount":${'['.repeat(100)}${']'.repeat(100)}}}`],
  ])('leaves %s to the general path', (_, body) => {
    expect(scanned(new EventBodyScanner(NAMES), body)).toBeUndefined();
  });

  it('decodes escaped feature names and values, and hands nested values over as null', () => {
    const features = scanned(
      new EventBodyScanner(NAMES),
      '{"features":{"\\u0061mount":2,"channel":"w\\u00e9b\\n","hour":{"nested":[1]},"quote\\"d":true}}',
    )!;
    expect(features).toMatchObject({ amount: 2, channel: 'wéb\n', hour: null, 'quote"d': true });
  });

  it('reads a feature named __proto__ like any other (slots, not object properties)', () => {
    const scanner = new EventBodyScanner(['__proto__', 'amount']);
    expect(scanner.scan(Buffer.from('{"features":{"__proto__":1,"amount":2}}'))).toBe(true);
    expect(Array.from(scanner.values.numbers)).toEqual([1, 2]);
  });

  it('never reads past the end it is given', () => {
    const scanner = new EventBodyScanner(NAMES);
    const block = Buffer.from('{"features":{"amount":12}}');
    // Cut inside the number, inside a key, and before the closing braces: each a truncated body.
    for (const end of [23, 16, block.length - 1]) expect(scanner.scan(block, 0, end)).toBe(false);
    expect(scanner.scan(block, 0, block.length)).toBe(true);
  });
});
