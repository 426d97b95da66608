import { describe, expect, it } from 'vitest';
import {
  deadLetterLine,
  decodeBody,
  encodeBody,
  readableId,
  storedDeadLetter,
  type DeadLetter,
  type StoredDeadLetter,
} from '../../../shared/scoring/deadLetter.js';
import { UNKNOWN_METADATA } from '../../../shared/scoring/eventMetadata.js';

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

  it('keeps text as text and parsed bodies as their JSON, and replays the same parsed value', () => {
    expect(encodeBody('not json')).toEqual({ body: 'not json', bodyEncoding: 'text' });
    expect(encodeBody({ id: 'e', features: { a: 1 } })).toEqual({
      body: '{"id":"e","features":{"a":1}}',
      bodyEncoding: 'json',
    });
    expect(decodeBody(encodeBody({ id: 'e', features: { a: 1 } }))).toEqual({ id: 'e', features: { a: 1 } });
  });

  it('replays a null or missing body as null, not as the text "null" (EVENT.EMPTY stays EVENT.EMPTY)', () => {
    for (const body of [null, undefined]) {
      expect(encodeBody(body)).toEqual({ body: 'null', bodyEncoding: 'json' });
      expect(decodeBody(encodeBody(body))).toBeNull();
    }
  });

  it('keeps text and UTF-8 bytes with control characters as base64, where JSON would write each as six characters', () => {
    const text = `{"id":"e","note":"\u0001\u001b[31m"}`;
    expect(encodeBody(text)).toEqual({ body: Buffer.from(text).toString('base64'), bodyEncoding: 'text-base64' });
    expect(decodeBody(encodeBody(text))).toBe(text);
    const bytes = Buffer.alloc(1000, 0x01);
    expect(encodeBody(bytes)).toEqual({ body: bytes.toString('base64'), bodyEncoding: 'base64' });
    expect(decodeBody(encodeBody(bytes))).toEqual(bytes);
    // Tabs, newlines and carriage returns are text.
    expect(encodeBody(Buffer.from('a\tb\r\nc')).bodyEncoding).toBe('text');
  });

  it('keeps text with a lone surrogate as text (it has no UTF-8), escaped by JSON', () => {
    const text = 'bad \ud800 \u0001';
    expect(encodeBody(text)).toEqual({ body: text, bodyEncoding: 'text' });
  });
});

describe('dead-letter lines', () => {
  const letter = (original: unknown): DeadLetter => ({
    kind: 'mrm.deadletter',
    id: 'e',
    reason: 'EVENT.NOT_JSON',
    message: 'Body is not valid JSON',
    replayable: false,
    original,
    metadata: UNKNOWN_METADATA,
    profileVersion: 'p1',
    deadLetteredAt: '2026-11-10T12:00:00.000Z',
  });

  it('is the stored dead letter as one JSON line, whatever the body', () => {
    for (const body of ['text "quoted" \\ and\nnewline', Buffer.from([0xff, 0x01]), { a: [1, '"'] }, null, '\u0001']) {
      const line = Buffer.concat(deadLetterLine(letter(body))).toString('utf8');
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toContain('\n');
      const parsed = JSON.parse(line) as StoredDeadLetter;
      expect(parsed).toEqual(storedDeadLetter(letter(body)));
      expect(decodeBody(parsed)).toEqual(body);
    }
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
