import { describe, expect, it } from 'vitest';
import { captureWindowEndingAt, capturePrefix } from '../../../shared/retraining/captureWindow.js';

const DEFAULT_FORMAT = '{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}';

describe('capture window and prefix', () => {
  it('spans the given days up to the end', () => {
    expect(captureWindowEndingAt(new Date('2026-03-02T03:00:00Z'), 7)).toEqual({
      start: '2026-02-23T03:00:00.000Z',
      end: '2026-03-02T03:00:00.000Z',
    });
  });

  it('renders the fixed leading part of the Capture name format', () => {
    expect(capturePrefix(DEFAULT_FORMAT, { namespace: 'evhns', eventHub: 'events' })).toBe('evhns/events/');
    expect(capturePrefix(DEFAULT_FORMAT, { namespace: undefined, eventHub: 'events' })).toBe('');
    expect(
      capturePrefix('captures/{EventHub}-{Namespace}/{Year}/{Month}/{Day}/{PartitionId}/{Hour}/{Minute}/{Second}', {
        namespace: 'ns',
        eventHub: 'scored',
      }),
    ).toBe('captures/scored-ns/');
    expect(
      capturePrefix('{PartitionId}/{Namespace}/{EventHub}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}', {
        namespace: 'ns',
        eventHub: 'e',
      }),
    ).toBe('');
  });
});
