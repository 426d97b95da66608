import { describe, expect, it } from 'vitest';
import { compileEventContract, type ContractFeature } from '../../../shared/contracts/eventContract.js';

const features: ContractFeature[] = [
  { name: 'amount', type: 'numeric' },
  { name: 'channel', type: 'categorical' },
];
const contract = compileEventContract(features, { maxBodyBytes: 200 });
const good = {
  id: 'e1',
  callerId: 'c1',
  timestamp: '2026-11-10T12:00:00Z',
  features: { amount: 12.5, channel: 'web' },
  label: 1,
};

function reasonOf(body: unknown): string {
  const decoded = contract.decode(body);
  return decoded.ok ? 'OK' : decoded.error.code;
}

describe('the event contract', () => {
  it('accepts a parsed object, its JSON text and its UTF-8 bytes alike', () => {
    for (const body of [good, JSON.stringify(good), Buffer.from(JSON.stringify(good))]) {
      const decoded = contract.decode(body);
      expect(decoded.ok && decoded.value).toEqual(good);
    }
  });

  it('accepts null feature values as missing', () => {
    expect(reasonOf({ id: 'e', features: { amount: null, channel: null } })).toBe('OK');
  });

  it.each([
    ['no id', { features: good.features }, 'EVENT.MISSING_ID'],
    ['an empty id', { ...good, id: '' }, 'EVENT.BAD_ID'],
    ['a numeric id', { ...good, id: 7 }, 'EVENT.BAD_ID'],
    ['a numeric callerId', { ...good, callerId: 7 }, 'EVENT.BAD_CALLER'],
    ['no features', { id: 'e' }, 'EVENT.MISSING_FEATURES'],
    ['features as an array', { id: 'e', features: [1, 2] }, 'EVENT.MISSING_FEATURES'],
    ['a missing feature', { id: 'e', features: { amount: 1 } }, 'EVENT.MISSING_FEATURE'],
    ['an unknown feature', { id: 'e', features: { ...good.features, colour: 'red' } }, 'EVENT.UNKNOWN_FEATURE'],
    ['a string where a number belongs', { id: 'e', features: { amount: '12.5', channel: 'web' } }, 'EVENT.WRONG_TYPE'],
    ['a number where a category belongs', { id: 'e', features: { amount: 1, channel: 3 } }, 'EVENT.WRONG_TYPE'],
    ['NaN', { id: 'e', features: { amount: NaN, channel: 'web' } }, 'EVENT.NOT_FINITE'],
    ['Infinity', { id: 'e', features: { amount: -Infinity, channel: 'web' } }, 'EVENT.NOT_FINITE'],
    ['a bad timestamp', { ...good, timestamp: 'yesterday' }, 'EVENT.BAD_TIMESTAMP'],
    ['a boolean label', { ...good, label: true }, 'EVENT.BAD_LABEL'],
    ['an array body', [good], 'EVENT.NOT_OBJECT'],
    ['a number body', 42, 'EVENT.NOT_OBJECT'],
    ['no body', undefined, 'EVENT.EMPTY'],
    ['an empty string', '   ', 'EVENT.EMPTY'],
    ['text that is not JSON', '{"id": "e", features', 'EVENT.NOT_JSON'],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'EVENT.NOT_UTF8'],
    ['an oversize text body', JSON.stringify({ ...good, pad: 'x'.repeat(300) }), 'EVENT.TOO_LARGE'],
    ['an oversize binary body', Buffer.alloc(201, 0x20), 'EVENT.TOO_LARGE'],
  ])('dead-letters %s as %s', (_name, body, reason) => {
    expect(reasonOf(body)).toBe(reason);
  });

  it("names the feature when a producer wrote Python's NaN into the JSON text", () => {
    const decoded = contract.decode('{"id": "e", "features": {"amount": NaN, "channel": "web"}}');
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.code).toBe('EVENT.NOT_FINITE');
      expect(decoded.error.message).toBe('Feature "amount" is NaN; only finite numbers are accepted');
    }
  });

  it('names the feature of the first non-finite member, escaped quotes and all, and nothing for a bare NaN', () => {
    const message = (text: string) => {
      const decoded = contract.decode(text);
      return decoded.ok ? 'OK' : `${decoded.error.code} ${decoded.error.message}`;
    };
    expect(message('{"id": "e", "features": {"a\\"b": -Infinity, "amount": NaN}}')).toBe(
      'EVENT.NOT_FINITE Feature "a\\"b" is -Infinity; only finite numbers are accepted',
    );
    expect(message('{"id": "e", "features": [NaN]}')).toMatch(/^EVENT.NOT_JSON /);
  });

  it('answers in time linear in the body on text made of quotes and backslashes (was quadratic: ten seconds for these 150 KB, minutes per MB)', () => {
    const hostile = compileEventContract(features, { maxBodyBytes: 4 * 1024 * 1024 });
    for (const text of ['"\\'.repeat(75_000), `${'"\\'.repeat(75_000)}":NaN}`, `${'\\'.repeat(150_000)}":NaN,`])
      expect(hostile.decode(text).ok).toBe(false);
  }, 5_000);

  it('names the missing and the unknown feature in the message', () => {
    const missing = contract.decode({ id: 'e', features: { amount: 1 } });
    const unknown = contract.decode({ id: 'e', features: { ...good.features, colour: 'red' } });
    expect(!missing.ok && missing.error.message).toBe('Feature "channel" is missing (send null for a missing value)');
    expect(!unknown.ok && unknown.error.message).toBe('Feature "colour" is not in the baseline profile');
  });

  it('ignores extra top-level fields producers may add', () => {
    expect(reasonOf({ ...good, source: 'checkout' })).toBe('OK');
  });
});
