import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody, readableId } from '../../../shared/scoring/deadLetter.js';

describe('dead-letter bodies', () => {
  it('keeps UTF-8 bytes as readable text, and replays them as the same text', () => {
    const body = Buffer.from('{"id":"é-1","features":{}}');
    expect(encodeBody(body)).toEqual({ body: '{"id":"é-1","features":{}}', bodyEncoding: 'text' });
    expect(decodeBody(encodeBody(body))).toBe('{"id":"é-1","features":{}}');
  });

  it('keeps bytes that are not UTF-8, or that start with a byte-order mark, as base64, and replays the same bytes', () => {
    for (const bytes of [Buffer.from([0x7b, 0xff, 0x00]), Buffer.from('\uFEFF{"id":"e"}')]) {
      const encoded = encodeBody(bytes);
      expect(encoded.bodyEncoding).toBe('base64');
      expect(decodeBody(encoded)).toEqual(bytes);
    }
  });

  it('keeps text as text and parsed bodies as their JSON', () => {
    expect(encodeBody('not json')).toEqual({ body: 'not json', bodyEncoding: 'text' });
    expect(encodeBody({ id: 'e', features: { a: 1 } })).toEqual({
      body: '{"id":"e","features":{"a":1}}',
      bodyEncoding: 'json',
    });
  });
});

describe('readableId', () => {
  it('finds the id of a parsed body, of JSON text and of JSON bytes', () => {
    expect(readableId({ id: 'a' })).toBe('a');
    expect(readableId('{"id":"b","features":7}')).toBe('b');
    expect(readableId(Buffer.from('{"id":"c"}'))).toBe('c');
  });

  it('gives null when there is no readable id', () => {
    for (const body of [
      { id: 7 },
      { id: '' },
      '{"id": "broken',
      Buffer.from([0x7b, 0xff]),
      '[1]',
      null,
      undefined,
      42,
      Buffer.from(`{"id":"big","pad":"${'x'.repeat((1 << 20) + 1)}"}`),
    ]) {
      expect(readableId(body)).toBeNull();
    }
  });
});
