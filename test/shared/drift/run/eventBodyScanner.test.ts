import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventBodyScanner } from '../../../../shared/drift/run/eventBodyScanner.js';

const NAMES = ['amount', 'hour', 'channel', 'é-名', 'quote"d', 'back\\slash', 'f0'];

/** What the profile sees from JSON.parse: the features object's value per schema name, nested values as null. */
function viaJsonParse(body: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
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

function scanned(scanner: EventBodyScanner, body: string): Record<string, unknown> | undefined {
  const features = scanner.scan(body);
  return features === undefined ? undefined : Object.fromEntries(NAMES.map((n) => [n, features[n]]));
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
        const expected = viaJsonParse(body);
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
          const expected = viaJsonParse(mutated);
          expect(expected).toBeDefined();
          expectSame(actual, expected!);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('resets between bodies: a feature absent from this body is undefined, not the last body’s value', () => {
    const scanner = new EventBodyScanner(NAMES);
    expect(scanner.scan('{"features":{"amount":1.5,"channel":"web"}}')).toMatchObject({ amount: 1.5, channel: 'web' });
    const second = scanner.scan('{"features":{"hour":3}}')!;
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
    expect(new EventBodyScanner(NAMES).scan(body)).toBeUndefined();
  });

  it('decodes escaped feature names and values, and hands nested values over as null', () => {
    const features = new EventBodyScanner(NAMES).scan(
      '{"features":{"\\u0061mount":2,"channel":"w\\u00e9b\\n","hour":{"nested":[1]},"quote\\"d":true}}',
    )!;
    expect(features).toMatchObject({ amount: 2, channel: 'wéb\n', hour: null, 'quote"d': true });
  });

  it('refuses to run for a schema with a __proto__ feature (an object literal cannot hold it)', () => {
    expect(new EventBodyScanner(['__proto__']).scan('{"features":{"__proto__":1}}')).toBeUndefined();
  });
});
