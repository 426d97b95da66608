import { describe, expect, it } from 'vitest';
import { AsciiInterner } from '../../../shared/json/asciiInterner.js';

describe('AsciiInterner', () => {
  it('gives the text of a byte range, the same string each time the text recurs, wherever it sits', () => {
    const interner = new AsciiInterner();
    const first = interner.intern(Buffer.from('{"callerId":"caller-17"}'), 13, 22);
    const again = interner.intern(Buffer.from('xx caller-17 yy'), 3, 12);
    expect(first).toBe('caller-17');
    expect(again).toBe(first);
  });

  it('never mixes up texts that share a slot or a length: every answer is the text of its own bytes', () => {
    const interner = new AsciiInterner();
    // Far more texts than slots, several rounds over: collisions and evictions happen, answers stay right.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40_000; i += 7) {
        const text = `c-${i}`;
        expect(interner.intern(Buffer.from(`"${text}"`), 1, text.length + 1)).toBe(text);
      }
    }
    expect(interner.intern(Buffer.from('ab'), 0, 1)).toBe('a');
    expect(interner.intern(Buffer.from('ba'), 0, 1)).toBe('b');
    expect(interner.intern(Buffer.from(''), 0, 0)).toBe('');
  });

  it('decodes long texts without keeping them', () => {
    const interner = new AsciiInterner();
    const long = 'x'.repeat(65);
    expect(interner.intern(Buffer.from(long), 0, 65)).toBe(long);
    expect(interner.intern(Buffer.from(long + 'y'), 0, 66)).toBe(long + 'y');
  });
});
