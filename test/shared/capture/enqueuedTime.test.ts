import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatEnqueuedTimeUtc, parseEnqueuedTimeUtc } from '../../../shared/capture/enqueuedTime.js';

describe('parseEnqueuedTimeUtc', () => {
  it('reads the US format Capture writes as UTC, whatever the local time zone', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(parseEnqueuedTimeUtc('11/16/2016 4:44:11 PM')).toBe(Date.UTC(2016, 10, 16, 16, 44, 11));
      // The trap this parser exists for: the runtime would read the same text as local time.
      expect(Date.parse('11/16/2016 4:44:11 PM')).not.toBe(Date.UTC(2016, 10, 16, 16, 44, 11));
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    expect(parseEnqueuedTimeUtc('11/16/2016 4:44:11 PM')).toBe(Date.UTC(2016, 10, 16, 16, 44, 11));
    expect(parseEnqueuedTimeUtc('1/2/2024 12:00:00 AM')).toBe(Date.UTC(2024, 0, 2, 0, 0, 0));
    expect(parseEnqueuedTimeUtc('1/2/2024 12:30:05 PM')).toBe(Date.UTC(2024, 0, 2, 12, 30, 5));
  });

  it('keeps fractional seconds and accepts a 24-hour clock without AM/PM', () => {
    expect(parseEnqueuedTimeUtc('3/4/2025 7:08:09.1234567 AM')).toBe(Date.UTC(2025, 2, 4, 7, 8, 9, 123));
    expect(parseEnqueuedTimeUtc('3/4/2025 19:08:09')).toBe(Date.UTC(2025, 2, 4, 19, 8, 9));
  });

  it('accepts ISO-8601 only with an explicit zone', () => {
    expect(parseEnqueuedTimeUtc('2024-01-15T10:00:00Z')).toBe(Date.UTC(2024, 0, 15, 10));
    expect(parseEnqueuedTimeUtc('2024-01-15T10:00:00+02:00')).toBe(Date.UTC(2024, 0, 15, 8));
    expect(parseEnqueuedTimeUtc('2024-01-15T10:00:00')).toBeUndefined();
  });

  it.each([
    '',
    'yesterday',
    '2/30/2024 1:00:00 PM',
    '13/1/2024 1:00:00 PM',
    '1/1/2024 13:00:00 PM',
    '1/1/2024 0:00:00 AM',
    '1/1/2024 1:60:00 AM',
  ])('rejects %j', (text) => {
    expect(parseEnqueuedTimeUtc(text)).toBeUndefined();
  });

  it('round-trips every second the writer formats', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), (time) => {
        const seconds = Math.floor(time / 1000) * 1000;
        expect(parseEnqueuedTimeUtc(formatEnqueuedTimeUtc(seconds))).toBe(seconds);
      }),
    );
  });
});
