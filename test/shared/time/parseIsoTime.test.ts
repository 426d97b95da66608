import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIsoTime } from '../../../shared/time/parseIsoTime.js';

describe('parseIsoTime', () => {
  it('reads every date-time toISOString writes, and the same instant with any offset', () => {
    fc.assert(
      fc.property(
        // A day inside the four-digit years on either side, so the shifted time still has four.
        fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T23:59:59Z'), noInvalidDate: true }),
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        (date, offsetInMinutes) => {
          const iso = date.toISOString();
          expect(parseIsoTime(iso)).toBe(date.getTime());
          // The same instant written in another zone.
          const shifted = new Date(date.getTime() + offsetInMinutes * 60_000).toISOString().slice(0, -1);
          const sign = offsetInMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetInMinutes);
          const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          expect(parseIsoTime(`${shifted}${zone}`)).toBe(date.getTime());
          expect(parseIsoTime(`${shifted}${zone.replace(':', '')}`)).toBe(date.getTime());
        },
      ),
    );
  });

  it('agrees with Date.parse on the forms both read', () => {
    for (const text of [
      '2024-01-15T10:00Z',
      '2024-01-15T10:00:07.5Z',
      '2024-01-15T10:00:07.123456Z',
      '2024-01-15 10:00:00Z',
      '2024-01-15T10:00:00+01:00',
      '2024-01-15T10:00:00-0530',
      '2024-02-29T23:59:59Z',
    ])
      expect(parseIsoTime(text), text).toBe(Date.parse(text));
  });

  it('takes a date alone, or a date-time without a zone, only when the caller allows it, and reads them as UTC', () => {
    expect(parseIsoTime('2024-01-15')).toBeUndefined();
    expect(parseIsoTime('2024-01-15', { dateAlone: true })).toBe(Date.UTC(2024, 0, 15));
    expect(parseIsoTime('2024-01-15T10:30')).toBeUndefined();
    expect(parseIsoTime('2024-01-15T10:30', { zoneless: true })).toBe(Date.UTC(2024, 0, 15, 10, 30));
    expect(parseIsoTime('2024-01-15 10:30:05', { zoneless: true })).toBe(Date.UTC(2024, 0, 15, 10, 30, 5));
  });

  it('refuses what is not on the calendar or the clock, where Date.parse rolls over', () => {
    for (const text of [
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-00-10T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-01-15T24:00:00Z',
      '2024-01-15T10:60:00Z',
      '2024-01-15T10:00:60Z',
      '2024-01-15T10:00:00+24:00',
      '2024-01-15T10:00:00+01:60',
    ])
      expect(parseIsoTime(text, { dateAlone: true, zoneless: true }), text).toBeUndefined();
    expect(parseIsoTime('1900-02-29', { dateAlone: true })).toBeUndefined();
    expect(parseIsoTime('2000-02-29', { dateAlone: true })).toBe(Date.UTC(2000, 1, 29));
  });

  it('refuses other shapes of text', () => {
    for (const text of [
      '',
      '2024-1-15',
      '24-01-15',
      '2024-01-15T10',
      '2024-01-15T10:00:00UTC',
      '2024-01-15t10:00:00Z',
      ' 2024-01-15T10:00:00Z',
      '2024-01-15T10:00:00Z ',
      '2024-01-15T10:00:00.Z',
      '11/16/2016 4:44:11 PM',
      '1705312800000',
    ])
      expect(parseIsoTime(text, { dateAlone: true, zoneless: true }), text).toBeUndefined();
  });

  it('keeps the years 0–99 as written', () => {
    expect(parseIsoTime('0050-06-01T00:00:00Z')).toBe(Date.parse('0050-06-01T00:00:00Z'));
  });
});
